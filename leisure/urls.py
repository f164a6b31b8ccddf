"""The leisure pages, under "loisirs/" (namespace "leisure"): the public catalogue and group
pages, and the signed-in citizen's basket and registrations."""
from django.urls import path

from .views import account, public

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
