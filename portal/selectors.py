"""The citizen's dashboard: my properties (roll entry, next collections, watering, tax account),
my household, my link requests, my requests, my household's leisure registrations; and the tax
part of the personal-data export."""
from dataclasses import dataclass, field

from django.utils import timezone

from citizens.models import PropertyLink
from citizens.selectors import open_links, sees_taxes
from collections_schedule.selectors import CARD_DAYS, card_schedules
from collections_schedule.selectors import lookup as schedule_lookup
from leisure.selectors import dashboard_lines as leisure_lines
from leisure.selectors import fees_due as leisure_fees_due
from library.selectors import connected as library_connected
from library.selectors import dashboard_lines as library_lines
from service_requests.selectors import my_requests
from taxes.selectors import tax_summary


@dataclass
class PropertyCard:
    link: PropertyLink
    address: str
    roll: object
    collections: list = field(default_factory=list)
    watering: list = field(default_factory=list)
    taxes: object = None


def dashboard(user, now=None, session=None) -> dict:
    """`session`: the request's, where a library card's PIN may be (library.pins)."""
    now = timezone.localtime(now)
    links = open_links(user)
    verified = [link for link in links if link.status == PropertyLink.Status.VERIFIED]
    # Each property's zones, watering rules and bans (one statement each), then every card's
    # next collections and watering answers from the day's cached values, in one cache read.
    schedules = card_schedules([schedule_lookup(link.property_id, now, days=CARD_DAYS)
                                for link in verified], now)
    cards = []
    for link, (collections, watering) in zip(verified, schedules, strict=True):
        prop = link.property
        first = next(iter(prop.addresses.all()), None)
        entries = sorted(prop.roll_entries.all(), key=lambda e: -e.roll_year)
        cards.append(PropertyCard(
            link=link, address=first.label if first else prop.matricule,
            roll=entries[0] if entries else None,
            collections=collections, watering=watering,
            taxes=tax_summary(prop, now.date()) if sees_taxes(link) else None))
    leisure = leisure_lines(user, now.date())
    return {
        "cards": cards,
        "pending": [link for link in links if link.status == PropertyLink.Status.PENDING],
        "refused": [link for link in links if link.status == PropertyLink.Status.REFUSED],
        "household": list(user.household.all()),
        "requests": my_requests(user, limit=5),
        # One line per library card, from the short cache only: never waits for the library.
        "library": library_lines(user, session),
        "library_configured": library_connected(),
        "leisure": leisure,
        "leisure_fees_due": leisure_fees_due(leisure),
    }


def export_tax_balances(user) -> list[dict]:
    """The balance of each property the citizen owns (verified), for their export."""
    today = timezone.localdate()
    links = (PropertyLink.objects.filter(user=user, status=PropertyLink.Status.VERIFIED,
                                         role=PropertyLink.Role.OWNER)  # as sees_taxes
             .select_related("property"))
    return [{"link": str(link.pk), "matricule": link.property.matricule,
             "balance": str(tax_summary(link.property, today).balance)} for link in links]
