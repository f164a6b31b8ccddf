from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every app shares; depends on no other app of Guichet."""

    name = "core"
    verbose_name = _("Shared records")

    def ready(self):
        from . import checks, personal_data  # noqa: F401 (checks: registered on import)
        from .access_log import export_access_log

        personal_data.register("access_log", export=export_access_log, order=900)
