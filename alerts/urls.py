"""The alerts' pages, included at the site's root (namespace "alerts"): the citizen's own under
mon-compte/alertes/, subscribing without an account, confirmation and one-click unsubscribe
under alertes/."""
from django.urls import path

from .views import account, public

app_name = "alerts"

urlpatterns = [
    path("mon-compte/alertes/", account.subscriptions, name="mine"),
    path("mon-compte/alertes/preferences/", account.preferences, name="preferences"),
    path("mon-compte/alertes/ajouter/<int:property_id>/", account.subscription_add,
         name="subscription_add"),
    path("mon-compte/alertes/<int:pk>/", account.subscription_edit, name="subscription_edit"),
    path("mon-compte/alertes/<int:pk>/retirer/", account.subscription_remove,
         name="subscription_remove"),
    path("alertes/abonnement/", public.subscribe, name="subscribe"),
    path("alertes/abonnement/<int:property_id>/", public.subscribe_to, name="subscribe_to"),
    path("alertes/confirmer/<str:token>/", public.confirm, name="confirm"),
    path("alertes/desabonnement/<uuid:token>/", public.unsubscribe, name="unsubscribe"),
]
