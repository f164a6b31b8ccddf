"""Personal reminders of this app (core.reminders): a collection tomorrow, per stream, and a
watering ban starting tomorrow for the property's address. Registered in AppConfig.ready()."""
import datetime as dt

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import reminders
from properties.models import CivicAddress, Property

from .models import Stream, WateringBan, WateringMethod
from .selectors import lookup, next_collections_at, zones_of

COLLECTION = "collection_tomorrow"
WATERING_BAN = "watering_ban"


def _address(property_id: int) -> str:
    return (CivicAddress.objects.filter(property_id=property_id).order_by("id")
            .values_list("label", flat=True).first() or "")


def _evening_before(now: dt.datetime) -> dt.date | None:
    """Tomorrow's date once the evening has come (core.reminders.EVENING, local time)."""
    now = timezone.localtime(now)
    return now.date() + dt.timedelta(days=1) if now.time() >= reminders.EVENING else None


def _tomorrow(property_id: int, now: dt.datetime, tomorrow: dt.date) -> list[tuple]:
    """[(StreamSchedule, Occurrence)] of the property's collections on `tomorrow`, from the
    schedule code (zone sets in force, exceptions and holiday shifts applied, cached per zone
    combination and day)."""
    found = lookup(property_id, now)
    if found is None:
        return []
    today = tomorrow - dt.timedelta(days=1)
    # Two dates per stream suffice: today's (if any) and the next one.
    return [(s, occ) for s in next_collections_at(found, today, count=2) for occ in s.dates
            if occ.date == tomorrow]


def collection_due(now: dt.datetime, property_ids) -> list[reminders.Due]:
    """The collections of tomorrow of these properties, from the evening before. In sets: the
    properties' zones in one statement, tomorrow's dates once per combination of zones (as
    the schedule API caches them). The message's context is read when it is sent
    (collection_load), not here."""
    tomorrow = _evening_before(now)
    if tomorrow is None:
        return []
    out = []
    today = tomorrow - dt.timedelta(days=1)
    for (version, zone_ids), pks in sorted(zones_of(property_ids).items()):
        # Two dates per stream suffice: today's (if any) and the next one.
        slugs = sorted({s.stream.slug for s in next_collections_at((version, None, list(zone_ids)),
                                                                   today, count=2)
                        for occ in s.dates if occ.date == tomorrow})
        for pk in pks:
            out += [reminders.Due(subject=f"property:{pk}:stream:{slug}", on=tomorrow,
                                  property_id=pk, option=slug) for slug in slugs]
    return out


def _collection_context(pk, schedule, occ) -> dict:
    zone = next((z for z, lo, hi in schedule.segments if lo <= occ.date <= hi), schedule.zone)
    return {"property_id": pk, "address": _address(pk), "stream": schedule.stream,
            "date": occ.date, "original": occ.original, "extra": occ.extra,
            "starts_at": zone.starts_at if zone else None}


def collection_load(subject: str, on: dt.date) -> dict | None:
    """The context of "property:<pk>:stream:<slug>" for the collection on `on`, if the schedule
    still has it on that day."""
    try:
        _, pk, _, slug = subject.split(":")
        pk = int(pk)
    except ValueError:
        return None
    evening = timezone.make_aware(dt.datetime.combine(on - dt.timedelta(days=1),
                                                      reminders.EVENING))
    for schedule, occ in _tomorrow(pk, evening, on):
        if schedule.stream.slug == slug:
            return _collection_context(pk, schedule, occ)
    return None


def stream_options() -> list[tuple[str, str]]:
    return [(s.slug, s.name) for s in Stream.objects.order_by("sort_order", "slug")]


# Which of these properties a ban's area covers, at the point the schedule uses (the address
# point, else a point inside the parcel: selectors.LOOKUP).
_COVERED = f"""
SELECT p.id FROM {Property._meta.db_table} p
WHERE p.id = ANY(%(ids)s)
  AND (%(area)s::geometry IS NULL
       OR ST_Covers(%(area)s::geometry, coalesce(p.address_point, ST_PointOnSurface(p.parcel))))
"""


def _covered(ban, property_ids) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(_COVERED, {"ids": list(property_ids),
                                  "area": ban.area.ewkt if ban.area else None})
        return sorted(row[0] for row in cursor.fetchall())


def bans_starting(now: dt.datetime):
    """The bans a reminder announces at `now`: not started yet, and starting tomorrow (from the
    evening before) or later today (a ban entered at short notice)."""
    local = timezone.localtime(now)
    tomorrow = local.date() + dt.timedelta(days=1)
    until = tomorrow if local.time() >= reminders.EVENING else local.date()
    end = timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time()))
    return WateringBan.objects.filter(starts_at__gt=now, starts_at__lt=end).order_by("pk")


def ban_due(now: dt.datetime, property_ids) -> list[reminders.Due]:
    out = []
    for ban in bans_starting(now):
        on = timezone.localtime(ban.starts_at).date()
        for pk in _covered(ban, property_ids):
            # One message per ban and person, whichever of their properties it covers.
            out.append(reminders.Due(subject=f"ban:{ban.pk}", on=on, property_id=pk,
                                     context=_ban_context(ban)))
    return out


def _ban_context(ban) -> dict:
    return {"ban": ban, "starts_at": timezone.localtime(ban.starts_at),
            "ends_at": timezone.localtime(ban.ends_at),
            "methods": [WateringMethod(m).label for m in ban.methods]}  # lazy: rendered later


def ban_load(subject: str, on: dt.date) -> dict | None:
    try:
        pk = int(subject.split(":")[1])
    except (IndexError, ValueError):
        return None
    ban = WateringBan.objects.filter(pk=pk).first()
    return _ban_context(ban) if ban else None


def register() -> None:
    reminders.register(COLLECTION, due=collection_due, load=collection_load,
                       render=reminders.templates("collections_schedule/reminders/collection"),
                       label=_("The evening before a collection"), options=stream_options,
                       order=10)
    reminders.register(WATERING_BAN, due=ban_due, load=ban_load,
                       render=reminders.templates("collections_schedule/reminders/watering_ban"),
                       label=_("A watering ban starting for my address"), order=20)
