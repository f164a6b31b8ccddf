"""The site's own pages, in each language (namespace "core"): the web manifest of the
installable app and its offline page (core/web_app.py)."""
from django.urls import path

from . import web_app

app_name = "core"

urlpatterns = [
    path("manifest.webmanifest", web_app.manifest, name="manifest"),
    path("hors-ligne/", web_app.offline, name="offline"),
]
