"""The library system the portal talks to, chosen by the settings: SIP2 when
GUICHET_LIBRARY_SIP2_HOST is set, none otherwise (the library pages then say so)."""
from django.conf import settings

from .base import LibraryConnector


def configured() -> bool:
    return bool(settings.GUICHET_LIBRARY_SIP2["host"])


def get_connector() -> LibraryConnector | None:
    if not configured():
        return None
    from .sip2 import Sip2Connector

    return Sip2Connector.from_settings()
