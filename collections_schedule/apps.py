from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectionsScheduleConfig(AppConfig):
    name = "collections_schedule"
    verbose_name = _("Collection and watering schedules")

    def ready(self):
        from . import reminders

        reminders.register()
