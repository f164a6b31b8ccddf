"""How this app's records read in the citizen's access log (core.access_log): "request:<n>"
(a request of theirs) and "user:<pk>" (a clerk logging a request for them found their name and
contact details)."""
from django.utils.translation import gettext as _


def requests(keys, subject) -> dict[str, str]:
    return {key: _("Your request #%(n)s") % {"n": key} for key in keys if key.isdigit()}


def contact(keys, subject) -> dict[str, str]:
    return {key: _("Your name and contact details") for key in keys}


def register() -> None:
    from core.access_log import register_kind

    register_kind("request", requests)
    register_kind("user", contact)
