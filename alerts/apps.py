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
        from django.db.models.signals import post_delete, post_save

        from core import personal_data
        from core import reminders as core_reminders

        from . import access_log, current, reminders, selectors, services, vapid  # noqa: F401 (vapid: its check registers)
        from .models import Alert, Topic

        for model in (Alert, Topic):  # the pages' cached list of current alerts
            post_save.connect(current.forget, sender=model, dispatch_uid=f"forget-{model}")
            post_delete.connect(current.forget, sender=model, dispatch_uid=f"del-{model}")

        from anymail.signals import tracking

        from . import bounces

        tracking.connect(bounces.record, dispatch_uid="alerts-bounces")
        core_reminders.register_sender(reminders.queue_now)
        personal_data.register("alert_subscriptions", export=selectors.export_subscriber,
                               erase=services.erase_subscriber, order=60)
        access_log.register()
