from django.urls import path

from . import household

urlpatterns = [
    path("", household.household, name="household"),
    path("ajouter/", household.household_add, name="household_add"),
    path("<uuid:pk>/", household.household_edit, name="household_edit"),
    path("<uuid:pk>/supprimer/", household.household_delete, name="household_delete"),
]
