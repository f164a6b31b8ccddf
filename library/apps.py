from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = _("Library")

    def ready(self):
        from core import personal_data

        from . import access_log, reminders, selectors, services

        personal_data.register("library_cards", export=selectors.export_cards,
                               erase=services.erase_cards, order=35)
        access_log.register()
        reminders.register()
