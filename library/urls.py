"""The library pages: `urlpatterns` under "mon-compte/bibliotheque/" (namespace "library"),
`staff_urlpatterns` under "personnel/bibliotheque/" (namespace "library_staff")."""
from django.urls import path

from .views import account, staff

app_name = "library"

urlpatterns = [
    path("", account.cards, name="cards"),
    path("ajouter/", account.card_add, name="card_add"),
    path("<uuid:card_id>/", account.record, name="record"),
    path("<uuid:card_id>/renouveler/", account.renew, name="renew"),
    path("<uuid:card_id>/retirer/", account.remove, name="remove"),
]

staff_urlpatterns = ([
    path("", staff.cards, name="cards"),
    path("<uuid:card_id>/", staff.card, name="card"),
], "library_staff")
