"""Personal reminders of this app (core.reminders): a property link a clerk approved or refused
(to the citizen's own subscriber, if they have one), and the "tax_viewers" audience that the
taxes reminders name: who may see a property's taxes (selectors.sees_taxes)."""
import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import reminders

from .models import PropertyLink
from .selectors import sees_taxes

LINK_DECIDED = "link_decided"
TAX_VIEWERS = "tax_viewers"
DECIDED = (PropertyLink.Status.VERIFIED, PropertyLink.Status.REFUSED)


def tax_viewers(property_ids) -> dict[int, set[int]]:
    """{property id: ids of the active accounts that see its taxes}."""
    links = (PropertyLink.objects.filter(property_id__in=list(property_ids),
                                         status=PropertyLink.Status.VERIFIED,
                                         user__is_active=True)
             .select_related("tax_access_from"))
    out: dict[int, set[int]] = {}
    for link in links:
        if sees_taxes(link):
            out.setdefault(link.property_id, set()).add(link.user_id)
    return out


def _context(link) -> dict:
    address = (link.property.addresses.order_by("id")
               .values_list("label", flat=True).first() or link.property.matricule)
    return {"link": link, "address": address, "approved": link.status == "verified",
            "reason": link.reason}


def link_due(now: dt.datetime, property_ids=None) -> list[reminders.Due]:
    """Each link a clerk decided within core.reminders.LOOKBACK (an access code's automatic
    approval is the citizen's own doing: nothing to tell them)."""
    links = (PropertyLink.objects
             .filter(decided_by__isnull=False, decided_at__gt=now - reminders.LOOKBACK,
                     decided_at__lte=now, status__in=DECIDED, user__isnull=False)
             .select_related("property", "user").order_by("decided_at", "pk"))
    return [reminders.Due(subject=f"link:{link.pk}", on=timezone.localdate(link.decided_at),
                          person=link.user, context=_context(link)) for link in links]


def link_load(subject: str, on: dt.date) -> dict | None:
    pk = subject.removeprefix("link:")
    try:
        link = (PropertyLink.objects.select_related("property")
                .filter(pk=pk, status__in=DECIDED).first())
    except ValidationError:  # not a UUID
        return None
    return _context(link) if link else None


def register() -> None:
    reminders.register_audience(TAX_VIEWERS, tax_viewers)
    reminders.register(LINK_DECIDED, due=link_due, load=link_load, scope=reminders.PERSON,
                       render=reminders.templates("citizens/reminders/link_decided"),
                       label=_("My property link approved or refused"), order=60)
