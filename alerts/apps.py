from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    """Municipal alerts to the right places, citizens' subscriptions and personal reminders,
    and the delivery of every message (issue 13). Depends on geo, properties,
    collections_schedule and core; the portal shows its alerts."""

    name = "alerts"
    verbose_name = _("Alerts and reminders")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core import personal_data

        from . import selectors, services, vapid  # noqa: F401 (vapid: its check registers)

        personal_data.register("alert_subscriptions", export=selectors.export_subscriber,
                               erase=services.erase_subscriber, order=60)
