"""The clerks' pages for property links (mounted under "personnel/liens/", namespace "clerks")."""
from django.urls import path

from . import links_views

app_name = "clerks"

urlpatterns = [
    path("", links_views.clerk_links, name="links"),
    path("<uuid:pk>/", links_views.clerk_link_decide, name="decide"),
    path("code-acces/", links_views.clerk_access_code, name="access_code"),
]
