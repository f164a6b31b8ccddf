"""Reads of the schedule data (the house plan: reads here, writes in services.py)."""
import bisect
import datetime as dt
import hashlib

from django.core.cache import cache
from django.db import connection
from django.db.models import JSONField
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import get_language

from core.cache_batch import CacheBatch
from properties.models import CivicAddress, Property

from .models import WateringBan, WateringRule, Zone, ZoneSet
from .schedule import HORIZON, zone_schedules
from .serializers import (
    PropertyScheduleSerializer,
    StreamScheduleSerializer,
    WateringAnswerSerializer,
)
from .watering import BAN_ORDER, answer, method_plans

COUNT = 8  # dates per stream
WATERING_DAYS = 8
SLOT_COUNT = 5
# Entries are keyed by day and data version: a stale one is never read again. The timeout only
# lets the cache drop them: a key names its day, so it is read for 24 hours at most.
CACHE_TIMEOUT = 2 * 24 * 3600
# Part of every key: change it when the shape of a cached value changes, so that a deployment
# never reads what the previous code left in a shared cache.
CACHE_FORMAT = 1

# Migration 0003_data_version: a number PostgreSQL bumps on every write to the schedule tables.
VERSION_TABLE = "collections_schedule_data_version"


def _covering(pt: str, now: str, until: str) -> str:
    """SQL: the ids of the zones of the active sets, of the watering rules and of the bans in
    view (watering_status's filter: not ended at `now`, starting before `until`) whose areas
    cover the point `pt`, decided by PostGIS (ST_Covers on the GiST-indexed geometries); three
    arrays, each by id."""
    return f"""
    ARRAY(SELECT z.id FROM {Zone._meta.db_table} z
          -- The active sets as an array (an init plan): cheaper to plan than a join (~0.15 ms
          -- of the ~0.55), and tested before the polygon, so draft zones are not tested.
          WHERE z.zone_set_id = ANY(ARRAY(SELECT s.id FROM {ZoneSet._meta.db_table} s
                                          WHERE s.status = '{ZoneSet.Status.ACTIVE}'))
            AND ST_Covers(z.geom, {pt}) ORDER BY z.id),
    ARRAY(SELECT r.id FROM {WateringRule._meta.db_table} r
          WHERE r.area IS NULL OR ST_Covers(r.area, {pt}) ORDER BY r.id),
    ARRAY(SELECT b.id FROM {WateringBan._meta.db_table} b
          WHERE (b.area IS NULL OR ST_Covers(b.area, {pt}))
            AND b.ends_at > {now} AND b.starts_at < {until} ORDER BY b.id)"""


# Everything the answer depends on, for one property, in one statement (so one snapshot: the
# version is never newer than the rows read with it): the data version, the property's first
# civic number, and the zones, rules and bans (_covering) at its point (its address point, else
# a point inside its parcel, as schedule.property_point).
LOOKUP = f"""
WITH p AS MATERIALIZED (
    SELECT coalesce(p.address_point, ST_PointOnSurface(p.parcel)) AS pt,
           (SELECT a.civic_int FROM {CivicAddress._meta.db_table} a
            WHERE a.property_id = p.id ORDER BY a.id LIMIT 1) AS civic
    FROM {Property._meta.db_table} p WHERE p.id = %(pk)s
)
SELECT (SELECT version FROM {VERSION_TABLE} WHERE id = 1), p.civic,{_covering(
    "p.pt", "%(now)s", "%(until)s")}
FROM p
"""

# The same answer for the row of an outer query on the properties table, as one JSON array: a
# page that reads the property anyway gets it without a statement of its own (lookup_of_row).
_PROPERTY = Property._meta.db_table
LOOKUP_OF_ROW = f"""(SELECT jsonb_build_array(
    (SELECT version FROM {VERSION_TABLE} WHERE id = 1),
    (SELECT a.civic_int FROM {CivicAddress._meta.db_table} a
     WHERE a.property_id = {_PROPERTY}.id ORDER BY a.id LIMIT 1),{_covering("p.pt", "%s", "%s")})
 FROM (SELECT coalesce({_PROPERTY}.address_point, ST_PointOnSurface({_PROPERTY}.parcel)) AS pt) p)
"""

# The documented serializer's own fields format the top level (its lists come from its child
# serializers, cached or per request).
_FIELDS = PropertyScheduleSerializer().fields


# The zones of many properties at once (the nightly reminders): LOOKUP's zone part, in one
# statement, with the data version of the same snapshot.
ZONES_OF = f"""
SELECT (SELECT version FROM {VERSION_TABLE} WHERE id = 1), p.id,
    ARRAY(SELECT z.id FROM {Zone._meta.db_table} z
          WHERE z.zone_set_id = ANY(ARRAY(SELECT s.id FROM {ZoneSet._meta.db_table} s
                                          WHERE s.status = '{ZoneSet.Status.ACTIVE}'))
            AND ST_Covers(z.geom, coalesce(p.address_point, ST_PointOnSurface(p.parcel)))
          ORDER BY z.id)
FROM {Property._meta.db_table} p WHERE p.id = ANY(%(ids)s)
"""


def zones_of(property_ids) -> dict[tuple, list[int]]:
    """{(data version, zone ids): [property ids]} for these properties: the properties that
    share a schedule, grouped, so that its dates are computed once (next_collections_at with
    `(version, None, zone_ids)`)."""
    groups: dict[tuple, list[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(ZONES_OF, {"ids": sorted(property_ids)})
        for version, pk, zone_ids in cursor.fetchall():
            groups.setdefault((version, tuple(zone_ids)), []).append(pk)
    return groups


def lookup(pk: int, now: dt.datetime, days: int = WATERING_DAYS) -> tuple | None:
    """(data version, civic number, zone ids, rule ids, ban ids) for property `pk` at `now`;
    None when there is no such property. The bans: those in view over `days` days (the
    watering answers' horizon; watering_status's filter)."""
    with connection.cursor() as cursor:
        cursor.execute(LOOKUP, {"pk": pk, "now": now, "until": now + dt.timedelta(days=days)})
        return cursor.fetchone()


def lookup_of_row(now: dt.datetime) -> RawSQL:
    """lookup(pk, now) as an annotation of a Property queryset: the same five values (the id
    lists as lists), in the property's own statement."""
    return RawSQL(LOOKUP_OF_ROW, [now, now + dt.timedelta(days=WATERING_DAYS)],
                  output_field=JSONField())


def property_schedule(pk: int, now: dt.datetime | None = None, found: tuple | None = None):
    """The schedule API's data (PropertyScheduleSerializer without ical_url) for property `pk`
    at `now`; None when there is no such property. `found`: lookup(pk, now), if read already.

    What many properties share comes from Django's cache, under keys made of the data version
    and the day (so any write, anywhere, and midnight make new keys; nothing is invalidated): a
    stream list per combination of zones (StreamScheduleSerializer's data), and the day's
    watering answers per civic-number parity, rules and bans (WateringAnswerSerializer's data,
    see _watering). Same answer as next_collections and watering_status, which
    tests/collections_schedule/test_schedule_api.py checks."""
    now = timezone.localtime(now)
    found = found or lookup(pk, now)
    if found is None:
        return None
    version, civic, zone_ids, rule_ids, ban_ids = found
    today, lang = now.date(), get_language()
    keys = {"streams": None if version is None  # no data version: nothing cached
            else cache_key(version, "streams", zone_ids, today, lang),
            "watering": watering_key(found, now, "watering")}
    with CacheBatch(keys.values(), CACHE_TIMEOUT) as batch:
        streams = batch.get(keys["streams"], _streams, zone_ids, today)
        watering = batch.get(keys["watering"], _watering, rule_ids, ban_ids, civic, today,
                             now.tzinfo)
    return {
        "date": _FIELDS["date"].to_representation(today),
        "now": _FIELDS["now"].to_representation(now),
        "streams": streams,
        "watering": at_instant(watering["bounds"], watering["answers"], now),
    }


def cache_key(version, *parts) -> str:
    """A short key (memcached and the database cache limit its length) naming the data version
    and what `parts` says (the first part names the kind of entry)."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()
    return f"schedule:{CACHE_FORMAT}:{version}:{parts[0]}:{digest}"


def _streams(zone_ids, today: dt.date) -> list:
    """The streams' JSON for every place these zones cover."""
    return _plain(StreamScheduleSerializer(_next_dates(zone_ids, today, COUNT), many=True).data)


def _next_dates(zone_ids, today: dt.date, count: int) -> list:
    """next_collections' computation for the place these zones cover: each stream's first
    `count` dates within HORIZON."""
    schedules = zone_schedules(Zone.objects.filter(pk__in=zone_ids), today, today + HORIZON)
    for s in schedules:
        s.dates = s.dates[:count]
    return schedules


def _watering(rule_ids, ban_ids, civic, today: dt.date, tz) -> dict:
    """The day's watering answers as the API gives them: {"bounds": [instants], "answers":
    [JSON]}, answers[i] in force from bounds[i - 1] (from midnight for i = 0) until bounds[i]
    (see watering_day)."""
    bounds, answers = watering_day(rule_ids, ban_ids, civic, today, tz)
    return {"bounds": bounds, "answers": [
        _plain(WateringAnswerSerializer(methods, many=True).data) for methods in answers]}


def watering_day(rule_ids, ban_ids, civic, today: dt.date, tz, days: int = WATERING_DAYS,
                 slot_count: int = SLOT_COUNT) -> tuple[list, list]:
    """(bounds, answers): the instants of the day at which the watering answer can change, and
    for each interval between them watering.answer for every method (answers[i] in force from
    bounds[i - 1], from midnight for i = 0, until bounds[i]: pick one with at_instant), as
    watering_status(prop, at, days, slot_count) gives them when `ban_ids` are lookup(pk, at,
    days)'s. watering.answer compares the instant only with the bounds of the windows and bans
    (bound <= now, now < bound), so between two consecutive bounds every instant gets the same
    answer: computed at each bound, the answers are exact for every instant of the day."""
    rules = list(WateringRule.objects.filter(pk__in=rule_ids).defer("area").order_by("pk"))
    bans = list(WateringBan.objects.filter(pk__in=ban_ids).defer("area").order_by(*BAN_ORDER))
    plans = method_plans(rules, bans, civic, today, tz, days=days)
    start = dt.datetime.combine(today, dt.time(), tzinfo=tz)
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    edges = [t for p in plans for slot in p.slots for t in (slot.start, slot.end)]
    edges += [t for ban in bans for t in (ban.starts_at, ban.ends_at)]
    bounds = sorted({t for t in edges if start < t < end})
    return bounds, [[answer(p, at, slot_count=slot_count) for p in plans]
                    for at in (start, *bounds)]


def at_instant(bounds: list, values: list, now: dt.datetime):
    """values[i], the one in force at `now` for watering_day's `bounds` (of now's day)."""
    return values[bisect.bisect_right(bounds, now)]


def watering_key(found: tuple, now: dt.datetime, kind: str) -> str | None:
    """The cache key of a day's watering entry (`kind`) for the place lookup() read (`found`):
    what the answers depend on (civic-number parity, rules, bans, day, language, time zone).
    None without a data version (nothing cached)."""
    version, civic, _zone_ids, rule_ids, ban_ids = found
    if version is None:
        return None
    parity = None if civic is None else civic % 2  # the rules compare the parity only
    return cache_key(version, kind, parity, rule_ids, ban_ids, now.date(), get_language(),
                     str(now.tzinfo))


def _plain(data):
    """A serializer's output as plain dicts and lists (what a cache stores)."""
    if isinstance(data, dict):
        return {k: _plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_plain(v) for v in data]
    return data


def next_collections_at(found: tuple, today: dt.date, count: int = COUNT) -> list:
    """next_collections(prop, today, count) for the place lookup() read (`found`), from Django's
    cache when a property covered by the same zones asked today already (the key: the data
    version, the zones, the day, the count and the language of the exceptions' notes)."""
    key = _next_key(found, today, count)
    schedules = cache.get(key) if key is not None else None
    if schedules is None:
        schedules = _next_dates(found[2], today, count)
        if key is not None:
            cache.set(key, schedules, CACHE_TIMEOUT)
    return schedules


def _next_key(found: tuple, today: dt.date, count: int) -> str | None:
    version, _civic, zone_ids = found[:3]
    if version is None:
        return None
    return cache_key(version, "next", zone_ids, today, count, get_language())


# The dashboard's cards: dates per stream, the watering answers' horizon (days) and windows.
CARD_COUNT, CARD_DAYS, CARD_SLOTS = 3, 3, 2


def card_schedules(found_list: list, now: dt.datetime) -> list[tuple[list, list]]:
    """For each place that lookup(pk, now, CARD_DAYS) read (`found_list`), (its streams as
    next_collections_at(found, today, CARD_COUNT) gives them, its watering answers as
    watering_status(prop, now, CARD_DAYS, CARD_SLOTS) does), from Django's cache in one read:
    the streams per zones and day, the day's answers (MethodAnswer objects, as the dates are
    StreamSchedule objects) per civic-number parity, rules, bans and day, computed by
    watering_day once for all the properties they fit."""
    today = now.date()
    keys = [(_next_key(found, today, CARD_COUNT),
             watering_key(found, now, f"answers-{CARD_DAYS}-{CARD_SLOTS}"))
            for found in found_list]
    cards = []
    # Another card of the same key finds what the first computed.
    with CacheBatch([key for pair in keys for key in pair], CACHE_TIMEOUT) as batch:
        for found, (next_key, answers_key) in zip(found_list, keys, strict=True):
            _version, civic, zone_ids, rule_ids, ban_ids = found
            schedules = batch.get(next_key, _next_dates, zone_ids, today, CARD_COUNT)
            bounds, answers = batch.get(answers_key, watering_day, rule_ids, ban_ids, civic,
                                        today, now.tzinfo, CARD_DAYS, CARD_SLOTS)
            cards.append((schedules, at_instant(bounds, answers, now)))
    return cards
