"""The schedules' pages: `urlpatterns` for citizens under "collectes/" (the property's calendar
and feed), `staff_urlpatterns` under "personnel/collectes/" (namespace "collections_staff")."""
from django.urls import path

from .views import public, staff

urlpatterns = [
    path("propriete/<int:pk>.ics", public.property_ical, name="property-ical"),
    path("propriete/<int:pk>/<int:year>/", public.property_year, name="property-year"),
]

staff_urlpatterns = ([
    path("", staff.zone_set_list, name="zone_sets"),
    path("ensembles/<int:pk>/", staff.zone_set_checks, name="zone_set"),
    path("ensembles/<int:pk>/activer/", staff.zone_set_activate, name="activate"),
    path("ensembles/importer/", staff.zone_set_import, name="import"),
    path("ensembles/<int:pk>/exporter/<str:fmt>/", staff.zone_set_export, name="export"),
    path("zones/<int:pk>/diviser/", staff.zone_split, name="split"),
], "collections_staff")
