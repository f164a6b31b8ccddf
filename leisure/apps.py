from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeisureConfig(AppConfig):
    """Leisure activities (issue 15): the seasons' catalogue of groups at the town's places,
    imported from the leisure software. Depends on core, geo and map_ui (citizens: residency,
    for the registration to come); only the portal may depend on it."""

    name = "leisure"
    verbose_name = _("Leisure")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import access_log, schema  # noqa: F401  (schema: the OpenAPI extension)

        access_log.register()
