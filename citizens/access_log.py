"""How this app's records read in the citizen's access log (core.access_log): "household:all",
"household:<member>", "link:<link>" and "display" (text size and contrast), in plain words in
the page's language."""
import uuid

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from properties.selectors import address_labels

from .models import HouseholdMember, PropertyLink


def _uuids(keys) -> list[uuid.UUID]:
    found = []
    for key in keys:
        try:
            found.append(uuid.UUID(key))
        except ValueError:
            pass
    return found


def household(keys, subject) -> dict[str, str]:
    names = {str(pk): f"{first} {last}" for pk, first, last in
             HouseholdMember.objects.filter(user=subject, pk__in=_uuids(keys))
             .values_list("pk", "first_name", "last_name")}
    words = {}
    for key in keys:
        if key == "all":
            words[key] = _("Your household's members")
        elif key in names:
            words[key] = _("%(name)s, of your household") % {"name": names[key]}
        else:
            words[key] = _("A member of your household (since removed)")
    return words


def links(keys, subject) -> dict[str, str]:
    properties = dict(PropertyLink.objects.filter(pk__in=_uuids(keys))
                      .values_list("pk", "property_id"))
    addresses = address_labels(properties.values())
    words = {str(pk): _("Your link to %(address)s") % {"address": addresses[property_id]}
             for pk, property_id in properties.items()}
    return {key: words.get(key, _("Your link to a property")) for key in keys}


def register() -> None:
    from core.access_log import in_words, register_kind

    register_kind("household", household)
    register_kind("link", links)
    register_kind("display", in_words(gettext_lazy("Your text size and contrast")))
    register_kind("profile", in_words(gettext_lazy("Your profile")))
