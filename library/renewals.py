"""A renewal's answer in the citizen's language: the new due date, or why not, from the reason
the connector read in the library system's own words (connectors.base: ON_HOLD...)."""
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .connectors import base

_REFUSALS = {
    base.ON_HOLD: lambda: _("Not renewable: on hold for another reader."),
    base.LIMIT: lambda: _("Not renewable: it was renewed as many times as allowed."),
    base.TOO_SOON: lambda: _("Not renewable yet: it is too soon to renew it."),
    base.BLOCKED: lambda: _("Not renewable: the card is blocked. Please contact the library."),
    base.OVERDUE: lambda: _("Not renewable: it is overdue. Please bring it back to the "
                            "library."),
    base.NOT_LOANED: lambda: _("Not renewable: it is not on loan on this card."),
}


def sentence(result: base.RenewResult) -> str:
    """"Renewed until 2 April 2026." or the refusal, in the active language."""
    if result.ok:
        if result.due is None:
            return _("Renewed.")
        day = formats.date_format(timezone.localtime(result.due), "DATE_FORMAT")
        return _("Renewed until %(date)s.") % {"date": day}
    known = _REFUSALS.get(result.reason)
    if known is not None:
        return known()
    if result.message:
        return _("Not renewable. The library's system says: “%(message)s”") % {
            "message": result.message}
    return _("Not renewable. Please contact the library.")
