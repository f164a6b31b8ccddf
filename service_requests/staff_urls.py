"""The clerks' pages for requests (mounted under "personnel/demandes/")."""
from django.urls import path

from . import staff_intake, staff_queue, staff_request

app_name = "requests_staff"

urlpatterns = [
    path("", staff_queue.queue, name="queue"),
    path("nouvelle/", staff_intake.intake, name="intake"),
    path("<int:pk>/", staff_request.detail, name="detail"),
    path("<int:pk>/photos/<int:photo_pk>/", staff_request.review_photo, name="review_photo"),
]
