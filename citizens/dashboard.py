"""The citizen's dashboard: my properties (roll entry, next collections, watering, nearby
places), my tax account, my household, my link requests; later: my requests, my alerts."""
from dataclasses import dataclass, field

from django.utils import timezone

from collections_schedule.schedule import next_collections
from collections_schedule.watering import watering_status
from taxes.selectors import tax_summary

from .models import PropertyLink


@dataclass
class PropertyCard:
    link: PropertyLink
    address: str
    roll: object
    collections: list = field(default_factory=list)
    watering: list = field(default_factory=list)
    taxes: object = None


def dashboard(user, now=None):
    now = timezone.localtime(now)
    links = list(PropertyLink.objects.filter(user=user)
                 .exclude(status=PropertyLink.Status.UNLINKED)
                 .select_related("property")
                 .prefetch_related("property__addresses", "property__roll_entries")
                 .order_by("status", "-requested_at"))
    cards = []
    for link in links:
        if link.status != PropertyLink.Status.VERIFIED:
            continue
        prop = link.property
        first = next(iter(prop.addresses.all()), None)
        entries = sorted(prop.roll_entries.all(), key=lambda e: -e.roll_year)
        cards.append(PropertyCard(
            link=link, address=first.label if first else prop.matricule,
            roll=entries[0] if entries else None,
            collections=next_collections(prop, now.date(), count=3),
            watering=watering_status(prop, now, days=3, slot_count=2),
            taxes=tax_summary(prop, now.date())))
    return {
        "cards": cards,
        "pending": [link for link in links if link.status == PropertyLink.Status.PENDING],
        "refused": [link for link in links if link.status == PropertyLink.Status.REFUSED],
        "household": list(user.household.all()),
        "requests": my_requests(user),
    }


def my_requests(user, limit=5):
    """My latest requests (any channel) and the ones I follow, newest first."""
    from service_requests.views_mine import mine_queryset

    return list(mine_queryset(user).prefetch_related("events")[:limit])
