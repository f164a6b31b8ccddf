"""The citizens' pages: `urlpatterns` under "mon-compte/" (namespace "citizens"; the dashboard,
export and deletion are the portal's), `staff_urlpatterns` under "personnel/liens/" (namespace
"citizens_staff"), `display_urlpatterns` under "affichage/" (namespace "display": the text size
and contrast, for anyone)."""
from django.urls import path

from .views import account, public, staff

app_name = "citizens"

urlpatterns = [
    path("profil/", account.profile, name="profile"),
    path("menage/", account.household, name="household"),
    path("menage/ajouter/", account.household_add, name="household_add"),
    path("menage/<uuid:pk>/", account.household_edit, name="household_edit"),
    path("menage/<uuid:pk>/supprimer/", account.household_delete, name="household_delete"),
    path("proprietes/lier/", account.link_request, name="link_request"),
    path("proprietes/<uuid:pk>/", account.link_detail, name="link_detail"),
    path("proprietes/<uuid:pk>/retirer/", account.link_remove, name="link_remove"),
    path("proprietes/<uuid:pk>/compte-de-taxes/", account.tax_access, name="tax_access"),
]

staff_urlpatterns = ([
    path("", staff.links, name="links"),
    path("<uuid:pk>/", staff.link_decide, name="decide"),
    path("code-acces/", staff.access_code, name="access_code"),
], "citizens_staff")

display_urlpatterns = ([
    path("", public.display, name="save"),
], "display")
