from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The pages that join several domains (home, property page, the citizen's dashboard, the
    personal-data export and deletion). Depends on every domain app; none depends on it."""

    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from core import personal_data

        from . import access_log
        from .selectors import export_tax_balances

        personal_data.register("tax_balances", export=export_tax_balances, order=35)
        access_log.register()
