from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "geo"
    verbose_name = _("Territory and places")

    def ready(self):
        from . import schema  # noqa: F401  (registers the OpenAPI extension)
