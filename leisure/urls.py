"""The leisure pages: `urlpatterns` under "loisirs/" (namespace "leisure"): the public catalogue
and group pages, and the signed-in citizen's basket and registrations; the leisure desk,
`staff_urlpatterns` under "personnel/loisirs/" (namespace "leisure_staff")."""
from django.urls import path

from .views import account, public, staff

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
