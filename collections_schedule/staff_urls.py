"""Public works pages (staff only): zone set checks, change preview, activation."""
from django.urls import path

from . import staff_files, staff_views

app_name = "collections_staff"

urlpatterns = [
    path("", staff_views.zone_set_list, name="zone_sets"),
    path("ensembles/<int:pk>/", staff_views.zone_set_checks, name="zone_set"),
    path("ensembles/<int:pk>/activer/", staff_views.zone_set_activate, name="activate"),
    path("ensembles/importer/", staff_files.zone_set_import, name="import"),
    path("ensembles/<int:pk>/exporter/<str:fmt>/", staff_files.zone_set_export, name="export"),
    path("zones/<int:pk>/diviser/", staff_files.zone_split, name="split"),
]
