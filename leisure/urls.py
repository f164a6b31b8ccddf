"""The leisure pages: `urlpatterns` under "loisirs/" (namespace "leisure"): the public catalogue
and group pages, the signed-in citizen's basket and registrations, the household's week with
its calendar feed; the leisure desk, `staff_urlpatterns` under "personnel/loisirs/" (namespace
"leisure_staff")."""
from django.urls import path, re_path

from .views import account, public, staff, week

app_name = "leisure"

urlpatterns = [
    path("", public.catalogue, name="catalogue"),
    path("groupes/<int:pk>/", public.group_page, name="group"),
    path("groupes/<int:pk>/panier/", account.basket_add, name="basket_add"),
    path("panier/", account.basket, name="basket"),
    path("panier/confirmer/", account.basket_confirm, name="basket_confirm"),
    path("panier/<uuid:registration_id>/retirer/", account.basket_remove, name="basket_remove"),
    path("inscriptions/", account.registrations, name="registrations"),
    path("inscriptions/<uuid:registration_id>/annuler/", account.cancel, name="cancel"),
    path("inscriptions/<uuid:registration_id>/accepter/", account.accept, name="accept"),
    path("inscriptions/<uuid:registration_id>/refuser/", account.decline, name="decline"),
    path("notre-semaine/", week.week, name="week"),
    path("notre-semaine/sommaire/", week.week_summary, name="week_summary"),
    path("calendrier/nouvelle-adresse/", week.calendar_reset, name="calendar_reset"),
    re_path(r"^calendrier/(?P<token>[A-Za-z0-9_-]{20,64})\.ics$", week.calendar_feed,
            name="calendar_feed"),
]

staff_urlpatterns = ([
    path("", staff.groups, name="groups"),
    path("groupes/<int:group_id>/", staff.group, name="group"),
    path("groupes/<int:group_id>/presences/", staff.attendance, name="attendance"),
    path("groupes/<int:group_id>/inscrire/", staff.register, name="register"),
    path("groupes/<int:group_id>/annuler/", staff.cancel_group, name="cancel_group"),
    path("inscriptions/<uuid:registration_id>/deplacer/", staff.move, name="move"),
    path("inscriptions/<uuid:registration_id>/annuler/", staff.cancel, name="cancel"),
], "leisure_staff")
