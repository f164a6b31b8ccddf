from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeisureConfig(AppConfig):
    """Leisure activities (issue 15): the seasons' catalogue of groups at the town's places,
    imported from the leisure software, and the households' registrations. Depends on core,
    geo, citizens and map_ui; only the portal may depend on it."""

    name = "leisure"
    verbose_name = _("Leisure")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core import personal_data

        from . import access_log, reminders, schema, selectors, services  # noqa: F401

        personal_data.register("leisure_registrations", export=selectors.export_registrations,
                               erase=services.erase, order=38)
        access_log.register()
        reminders.register()
