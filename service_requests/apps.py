from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceRequestsConfig(AppConfig):
    name = "service_requests"
    verbose_name = _("Requests and reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core import personal_data

        from . import access_log, reminders, selectors, services

        personal_data.register("requests", export=selectors.export_requests,
                               erase=services.erase_reporter_contact, order=40)
        reminders.register()
        access_log.register()
