from django.urls import path

from . import views

urlpatterns = [
    path("<int:z>/<int:x>/<int:y>.pbf", views.tile, name="basemap-tile"),
]
