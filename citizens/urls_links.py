"""Linking a property (mounted under "mon-compte/proprietes/"; app_name "citizens" is the
parent's). The clerks' pages are in urls_clerks."""
from django.urls import path

from . import links_views

urlpatterns = [
    path("lier/", links_views.link_request, name="link_request"),
    path("<uuid:pk>/", links_views.link_detail, name="link_detail"),
    path("<uuid:pk>/retirer/", links_views.link_remove, name="link_remove"),
]
