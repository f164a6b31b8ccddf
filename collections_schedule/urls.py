"""Citizen pages of the schedules (the property's calendar and feed)."""
from django.urls import path

from . import views

urlpatterns = [
    path("propriete/<int:pk>.ics", views.property_ical, name="property-ical"),
    path("propriete/<int:pk>/<int:year>/", views.property_year, name="property-year"),
]
