"""The public catalogue, under "loisirs/" (namespace "leisure")."""
from django.urls import path

from .views import public

app_name = "leisure"

urlpatterns = [
    path("", public.catalogue, name="catalogue"),
    path("groupes/<int:pk>/", public.group_page, name="group"),
]
