from django.urls import path

from properties import views

urlpatterns = [
    path("", views.home, name="home"),
    path("propriete/<int:pk>/", views.property_page, name="property-page"),
]
