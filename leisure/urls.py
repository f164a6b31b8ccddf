"""The public catalogue, under "loisirs/" (namespace "leisure"); the leisure desk,
`staff_urlpatterns` under "personnel/loisirs/" (namespace "leisure_staff")."""
from django.urls import path

from .views import public, staff

app_name = "leisure"

urlpatterns = [
    path("", public.catalogue, name="catalogue"),
    path("groupes/<int:pk>/", public.group_page, name="group"),
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
