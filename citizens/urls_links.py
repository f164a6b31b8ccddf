"""Linking a property (mounted under "mon-compte/proprietes/"; app_name "citizens" is the
parent's). The clerks' pages live here too, beside the citizen's."""
from django.urls import path

from . import links_views

urlpatterns = [
    path("lier/", links_views.link_request, name="link_request"),
    path("<uuid:pk>/", links_views.link_detail, name="link_detail"),
    path("<uuid:pk>/retirer/", links_views.link_remove, name="link_remove"),
    path("commis/", links_views.clerk_links, name="clerk_links"),
    path("commis/<uuid:pk>/", links_views.clerk_link_decide, name="clerk_link_decide"),
    path("commis/code-acces/", links_views.clerk_access_code, name="clerk_access_code"),
]
