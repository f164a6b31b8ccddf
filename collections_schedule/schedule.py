"""A property's collection schedule: for each stream, its zone and its next dates, from the zone
sets in force over the period (a set activated from a future date takes over on that date)."""
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from .models import CollectionException, Holiday, Stream, Zone, ZoneSet
from .recurrence import MARGIN, Occurrence, occurrences

HORIZON = dt.timedelta(days=400)


@dataclass
class StreamSchedule:
    stream: Stream
    zone: Zone | None  # the zone in force on the first day
    dates: list[Occurrence] = field(default_factory=list)
    today: dt.date | None = None
    # (zone, first day, last day): the zone sets in force one after the other over the period
    segments: list[tuple[Zone, dt.date, dt.date]] = field(default_factory=list)

    @property
    def next(self):
        return self.dates[0] if self.dates else None

    @property
    def is_today(self):
        return bool(self.next) and self.next.date == self.today

    @property
    def is_tomorrow(self):
        return bool(self.next) and self.next.date == self.today + dt.timedelta(days=1)


def property_point(prop):
    """Where a property's zone is looked up: its address point (inside its parcel)."""
    return prop.address_point or (prop.parcel.point_on_surface if prop.parcel else None)


def collection_dates(prop, start: dt.date, end: dt.date) -> list[StreamSchedule]:
    """Every stream's dates for the property between start and end (inclusive)."""
    point = property_point(prop)
    if point is None:
        return []
    # Zones of every active set that cover the point (GiST on zone.geom).
    return zone_schedules(Zone.objects.covering(point).filter(zone_set__status="active"),
                          start, end)


def zone_schedules(zones, start: dt.date, end: dt.date) -> list[StreamSchedule]:
    """Every stream's dates between start and end for a place that `zones` (a queryset of the
    active zones covering it) cover: the property page's and the schedule API's computation."""
    # The sets that could be in force during the period.
    zones = list(zones.filter(zone_set__effective_from__lte=end)
                 .defer("geom")  # tens of kB of polygon per zone, not needed here
                 .select_related("zone_set__stream")
                 .order_by(*ZONE_ORDER))
    holidays = {h.date: h for h in Holiday.objects.filter(
        date__range=(start - MARGIN, end + MARGIN))}
    exceptions = list(CollectionException.objects.filter(
        Q(date__range=(start - MARGIN, end + MARGIN)),
        Q(zone__isnull=True) | Q(zone__in=zones)).order_by(*EXCEPTION_ORDER))
    sets: dict[int, list] = {}
    for pk, stream_id, since in (ZoneSet.objects.filter(
            stream_id__in={z.zone_set.stream_id for z in zones}, status="active")
            .order_by("effective_from", "pk").values_list("pk", "stream_id", "effective_from")):
        sets.setdefault(stream_id, []).append((pk, since))
    return stream_schedules(zones, sets, start, end, holidays=holidays, exceptions=exceptions)


# The order of the zones covering a point, and of the exceptions. When two zones of one set
# cover a point (an overlap, which the planning checks report), the lowest code wins, as in the
# change preview; two exceptions on one date apply in the order they were entered.
ZONE_ORDER = ("zone_set__stream__sort_order", "zone_set__effective_from", "code", "pk")
EXCEPTION_ORDER = ("date", "pk")


def stream_schedules(zones, sets, start: dt.date, end: dt.date, *, holidays: dict,
                     exceptions) -> list[StreamSchedule]:
    """The schedules from data already read: `zones` covering the place, in ZONE_ORDER, with
    zone_set.stream loaded; `sets` {stream id: [(zone set id, effective from)]}, the stream's
    active sets by (effective_from, pk); holidays {date: Holiday}; the exceptions that may apply
    (any superset: each zone keeps its own), in EXCEPTION_ORDER. No query."""
    by_stream: dict[int, list[Zone]] = {}
    for zone in zones:
        by_stream.setdefault(zone.zone_set.stream_id, []).append(zone)
    out = []
    for stream_id, stream_zones in by_stream.items():
        stream = stream_zones[0].zone_set.stream
        # The set in force on `start`, and the sets that take over later in the period: each
        # one covers [its start, next start).
        periods = _periods(sets[stream_id], start)
        schedule = StreamSchedule(stream=stream, zone=None, today=start)
        for (set_id, since, until) in periods:
            zone = next((z for z in stream_zones if z.zone_set_id == set_id), None)
            if zone is None:
                continue
            if since <= start:
                schedule.zone = zone
            lo, hi = max(start, since), min(end, until)
            if lo <= hi:
                schedule.segments.append((zone, lo, hi))
                schedule.dates += occurrences(zone, lo, hi, holidays=holidays,
                                              exceptions=exceptions)
        if schedule.zone is None and schedule.dates:
            schedule.zone = stream_zones[-1]
        out.append(schedule)
    return sorted(out, key=lambda s: (s.stream.sort_order, s.stream.slug))


def _periods(sets, start):
    """[(zone_set_id, since, until)]: a stream's active sets, oldest first, from the one in force
    on `start`; each is in force until the day before the next one starts."""
    periods = []
    for i, (pk, since) in enumerate(sets):
        until = sets[i + 1][1] - dt.timedelta(days=1) if i + 1 < len(sets) else dt.date.max
        if until >= start:
            periods.append((pk, since, until))
    return periods


def next_collections(prop, today: dt.date | None = None, count: int = 8):
    today = today or timezone.localdate()
    schedules = collection_dates(prop, today, today + HORIZON)
    for s in schedules:
        s.dates = s.dates[:count]
    return schedules
