"""How this app's records read in the citizen's access log (core.access_log): "library_cards"
(the list of their cards) and "library_card:<card>" (one card: linked, its record viewed, a
renewal, removed). The log says that a record was seen or changed, never what it holds: no
title, no loan, no amount."""
import uuid

from django.utils.translation import gettext as _

from .models import LibraryCard


def _uuids(keys) -> list[uuid.UUID]:
    found = []
    for key in keys:
        try:
            found.append(uuid.UUID(key))
        except ValueError:
            pass
    return found


def cards(keys, subject) -> dict[str, str]:
    return {key: _("Your library cards") for key in keys}


def card(keys, subject) -> dict[str, str]:
    found = {str(c.pk): c for c in LibraryCard.objects.filter(pk__in=_uuids(keys))
             .select_related("member")}
    words = {}
    for key in keys:
        c = found.get(key)
        if c is None:
            words[key] = _("A library card (since removed)")
        elif c.member_id:
            words[key] = _("The library card of %(name)s, ending in %(digits)s") % {
                "name": c.member, "digits": c.last_four}
        else:
            words[key] = _("Your library card ending in %(digits)s") % {"digits": c.last_four}
    return words


def register() -> None:
    from core.access_log import register_kind

    register_kind("library_cards", cards)
    register_kind("library_card", card)
