"""The citizen's own pages ("mon compte"): each part in its own module."""
from django.urls import include, path

from . import views

app_name = "citizens"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("journal/", views.access_log, name="access_log"),
    path("exporter/", views.export, name="export"),
    path("supprimer/", views.delete, name="delete"),
    path("menage/", include("citizens.urls_household")),
    path("proprietes/", include("citizens.urls_links")),
    path("taxes/", include("citizens.urls_taxes")),
]
