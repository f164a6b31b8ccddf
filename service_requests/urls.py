"""The requests' pages: `urlpatterns` for the public and the citizen (namespace
"service_requests"), `staff_urlpatterns` under "personnel/demandes/" (namespace
"requests_staff"). Open311 is in open311/."""
from django.urls import path

from .views import account, photos, public, staff, taking_part

app_name = "service_requests"

urlpatterns = [
    path("signaler/", public.report, name="report"),
    path("signaler/details/", public.report_details, name="report_details"),
    path("signaler/envoye/<uuid:public_id>/", public.report_sent, name="report_sent"),
    path("signaler/confirmer/<uuid:token>/", public.confirm, name="confirm"),
    path("signalements/", public.public_list, name="public_list"),
    path("signalements/<int:pk>/", public.public_detail, name="public_detail"),
    path("signalements/<int:pk>/suivre/", public.follow, name="follow"),
    path("signalements/<int:pk>/mise-a-jour/", taking_part.update, name="update"),
    path("signalements/suivre/<uuid:token>/", taking_part.follow_confirm, name="follow_confirm"),
    path("signalements/suivre/<uuid:token>/arreter/", taking_part.follow_stop,
         name="follow_stop"),
    path("signalements/photos/<int:pk>/<str:size>/", photos.photo, name="photo"),
    path("mon-compte/demandes/", account.mine, name="mine"),
    path("mon-compte/demandes/<uuid:public_id>/", account.mine_detail, name="mine_detail"),
]

staff_urlpatterns = ([
    path("", staff.queue, name="queue"),
    path("nouvelle/", staff.intake, name="intake"),
    path("<int:pk>/", staff.detail, name="detail"),
    path("<int:pk>/photos/<int:photo_pk>/", staff.review_photo, name="review_photo"),
], "requests_staff")
