from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every app shares; depends on no other app of Guichet."""

    name = "core"
    verbose_name = _("Shared records")
