"""The citizen's and the public's pages (the clerks' are in staff_urls, Open311 in open311/)."""
from django.urls import path

from . import public, views_mine, views_report

app_name = "service_requests"

urlpatterns = [
    path("signaler/", views_report.report, name="report"),
    path("signaler/details/", views_report.report_details, name="report_details"),
    path("signaler/envoye/<uuid:public_id>/", views_report.report_sent, name="report_sent"),
    path("signaler/confirmer/<uuid:token>/", views_report.confirm, name="confirm"),
    path("signalements/", public.public_list, name="public_list"),
    path("signalements/<int:pk>/", public.public_detail, name="public_detail"),
    path("signalements/<int:pk>/suivre/", views_report.follow, name="follow"),
    path("mon-compte/demandes/", views_mine.mine, name="mine"),
    path("mon-compte/demandes/<uuid:public_id>/", views_mine.mine_detail, name="mine_detail"),
]
