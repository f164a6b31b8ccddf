from django.urls import path

from . import taxes_views

urlpatterns = [
    path("<uuid:link_id>/", taxes_views.tax_account, name="tax_account"),
]
