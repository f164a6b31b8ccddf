from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitizensConfig(AppConfig):
    name = "citizens"
    verbose_name = _("Citizens")

    def ready(self):
        from core import personal_data

        from . import access_log, reminders, selectors, services

        personal_data.register("account", export=selectors.export_account, order=10)
        # The household cascades with the account.
        personal_data.register("household", export=selectors.export_household, order=20)
        personal_data.register("property_links", export=selectors.export_property_links,
                               erase=services.erase_links, order=30)
        # The display preference cascades with the account.
        personal_data.register("display", export=selectors.export_display, order=45)
        # The profile cascades with the account.
        personal_data.register("profile", export=selectors.export_profile, order=15)
        reminders.register()
        access_log.register()
