from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PropertiesConfig(AppConfig):
    name = "properties"
    verbose_name = _("Properties and evaluation roll")

    def ready(self):
        from . import tiles  # noqa: F401  (registers the basemap's parcels and civic numbers)
