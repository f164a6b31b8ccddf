"""The public catalogue, under "loisirs/" (namespace "leisure"), and the household's week with
its calendar feed."""
from django.urls import path, re_path

from .views import public, week

app_name = "leisure"

urlpatterns = [
    path("", public.catalogue, name="catalogue"),
    path("groupes/<int:pk>/", public.group_page, name="group"),
    path("notre-semaine/", week.week, name="week"),
    path("notre-semaine/sommaire/", week.week_summary, name="week_summary"),
    path("calendrier/nouvelle-adresse/", week.calendar_reset, name="calendar_reset"),
    re_path(r"^calendrier/(?P<token>[A-Za-z0-9_-]{20,64})\.ics$", week.calendar_feed,
            name="calendar_feed"),
]
