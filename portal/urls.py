"""The portal's pages: home and property page (public), and the citizen's own pages under
"mon-compte/" that join several domains."""
from django.urls import path

from .views import account, public

app_name = "portal"

urlpatterns = [
    path("", public.home, name="home"),
    path("propriete/<int:pk>/", public.property_page, name="property"),
    path("mon-compte/", account.dashboard, name="dashboard"),
    path("mon-compte/journal/", account.access_log, name="access_log"),
    path("mon-compte/exporter/", account.export, name="export"),
    path("mon-compte/supprimer/", account.delete, name="delete"),
    path("compte-supprime/", account.deleted, name="deleted"),
    path("mon-compte/taxes/<uuid:link_id>/", account.tax_account, name="tax_account"),
]
