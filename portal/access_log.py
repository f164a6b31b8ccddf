"""How the portal's records read in the citizen's access log (core.access_log): "dashboard",
"account" (the export of all their data) and "tax_account:<property>"."""
from django.utils.translation import gettext as _

from properties.selectors import address_labels


def dashboard(keys, subject) -> dict[str, str]:
    return {"": _("Your dashboard")}


def account(keys, subject) -> dict[str, str]:
    return {"": _("All the data of your account")}


def tax_account(keys, subject) -> dict[str, str]:
    addresses = address_labels(int(k) for k in keys if k.isdigit())
    return {key: _("The tax account of %(address)s") % {"address": addresses[int(key)]}
            if key.isdigit() and int(key) in addresses else _("The tax account of a property")
            for key in keys}


def register() -> None:
    from core.access_log import register_kind

    register_kind("dashboard", dashboard)
    register_kind("account", account)
    register_kind("tax_account", tax_account)
