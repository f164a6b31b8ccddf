"""The answer of `GET /api/properties/<id>/schedule/` in one SQL query, from a per-process
snapshot of the schedule data kept as long as the database says it is current.

Per request, one prepared statement (run_lookup) reads the property's point and first civic
number, the watering rules and bans whose areas cover the point, and the data version: a number
that PostgreSQL bumps on every write to the schedule tables (migration 0003_data_version, a trigger
per table). Everything else comes from memory:

- the snapshot: streams, zones of the active sets with their polygons shrunk and grown by
  BOUNDARY_TOLERANCE (the point is tested in memory, Snapshot.zones_at; PostGIS decides, in a
  second query, only for a point that close to a boundary), holidays, exceptions, rules and bans
  (without their areas), read once per version. A worker whose snapshot is older than the
  version its request read loads a new one, so a zone set activated, an exception edited or a
  ban entered in any worker (or in the admin, or by SQL) is seen by the next request everywhere.
  Nothing is shared between processes and no cache needs invalidating.
- memos inside the snapshot: a stream's next dates for the zones covering a point, per day and
  language (every property of those zones has the same dates); a watering plan (each method's
  windows minus the bans) per civic-number parity, rules, bans in view, day, language and time
  zone. The day is part of every key: the answer changes at midnight (America/Montreal); the time
  of day is applied per request (allowed now, the next slots, the reason).

The computation is the one of the property page (schedule.stream_schedules, watering.method_plans
and watering.answer) and the JSON is the documented serializers' own, so the answer is the same
as next_collections and watering_status give; tests/collections_schedule/test_schedule_api.py
compares them."""
import datetime as dt
import threading
import weakref
from dataclasses import dataclass, field

import shapely
from django.db import connection
from django.utils import timezone
from django.utils.translation import get_language
from rest_framework import serializers

from properties.models import CivicAddress, Property

from .models import CollectionException, Holiday, WateringBan, WateringRule, Zone, ZoneSet
from .schedule import EXCEPTION_ORDER, HORIZON, next_collections, stream_schedules
from .serializers import SlotSerializer, StreamScheduleSerializer, WateringAnswerSerializer
from .watering import BAN_ORDER, answer, bans_in_view, method_plans, watering_status

COUNT = 8  # dates per stream
WATERING_DAYS = 8
SLOT_COUNT = 5
MEMO_MAX = 5_000  # entries per snapshot (a few hundred a day); emptied when full

VERSION_TABLE = "collections_schedule_data_version"

# The property's point (its address point, else a point inside its parcel, as
# schedule.property_point)...
POINT = f"""
WITH p AS MATERIALIZED (
    SELECT coalesce(p.address_point, ST_PointOnSurface(p.parcel)) AS pt,
           (SELECT a.civic_int FROM {CivicAddress._meta.db_table} a
            WHERE a.property_id = p.id ORDER BY a.id LIMIT 1) AS civic  -- btree on property_id
    FROM {Property._meta.db_table} p WHERE p.id = %(pk)s
)"""
# ... its first civic number, its coordinates and the version, then the ids of the watering
# rules and bans that cover the point. One round trip. The zones are tested in memory
# (Snapshot.zones_at): their polygons (~1,000 vertices, TOASTed) cost ~0.45 ms to test in SQL.
LOOKUP = f"""{POINT}
SELECT 'p', (SELECT version FROM {VERSION_TABLE} WHERE id = 1), p.civic, ST_X(p.pt), ST_Y(p.pt)
FROM p
UNION ALL
SELECT 'r', r.id, NULL, NULL, NULL FROM p
JOIN {WateringRule._meta.db_table} r ON r.area IS NULL OR ST_Covers(r.area, p.pt)
UNION ALL
SELECT 'b', b.id, NULL, NULL, NULL FROM p
JOIN {WateringBan._meta.db_table} b ON b.area IS NULL OR ST_Covers(b.area, p.pt)
"""
# The zones of the active sets that cover the point, in SQL: when the point lies within
# BOUNDARY_TOLERANCE of a zone's boundary, where GEOS and PostGIS might round differently.
ZONES_AT = f"""{POINT}
SELECT z.id FROM p
JOIN {Zone._meta.db_table} z ON ST_Covers(z.geom, p.pt)  -- GiST on zone.geom
JOIN {ZoneSet._meta.db_table} s ON s.id = z.zone_set_id AND s.status = 'active'
"""
BOUNDARY_TOLERANCE = 1e-6  # units of the SRID

_date = serializers.DateField()
_datetime = serializers.DateTimeField()


@dataclass
class Snapshot:
    """The schedule data at one version (no polygons: the areas are tested in SQL)."""

    version: int | None
    zones: dict[int, Zone]  # zones of the active sets, zone_set.stream loaded
    sets: dict[int, list[tuple[int, dt.date]]]  # stream id: active sets by (effective_from, pk)
    holidays: dict[dt.date, Holiday]
    exceptions: list[CollectionException]  # EXCEPTION_ORDER
    rules: dict[int, WateringRule]
    bans: dict[int, WateringBan]
    # Active zones: (id, (xmin, ymin, xmax, ymax) of outer, inner, outer), inner and outer the
    # zone's polygon shrunk and grown by BOUNDARY_TOLERANCE (prepared)
    shapes: list = field(default_factory=list)
    memo: dict = field(default_factory=dict)

    def zones_at(self, x: float, y: float) -> list[int] | None:
        """The ids of the zones covering (x, y); None when the point is too close to a boundary
        to be sure that PostGIS would say the same (the caller asks SQL)."""
        out = []
        for pk, (xmin, ymin, xmax, ymax), inner, outer in self.shapes:
            if x < xmin or x > xmax or y < ymin or y > ymax:
                continue
            if shapely.contains_xy(inner, x, y):
                out.append(pk)
            elif shapely.intersects_xy(outer, x, y):
                return None
        return out

    def remember(self, key, compute):
        value = self.memo.get(key)
        if value is None:
            if len(self.memo) >= MEMO_MAX:
                self.memo.clear()
            value = self.memo[key] = compute()
        return value


_current: Snapshot | None = None
_lock = threading.Lock()


def read_version() -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {VERSION_TABLE} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else None


def load_snapshot() -> Snapshot:
    """The data, labelled with the version read before and after it: when they differ (a write
    committed meanwhile), the label is None and the snapshot is not kept."""
    before = read_version()
    zones = {z.pk: z for z in Zone.objects.filter(zone_set__status=ZoneSet.Status.ACTIVE)
             .defer("geom").select_related("zone_set__stream")}
    sets: dict[int, list] = {}
    for pk, stream_id, since in (ZoneSet.objects.filter(status=ZoneSet.Status.ACTIVE)
                                 .order_by("effective_from", "pk")
                                 .values_list("pk", "stream_id", "effective_from")):
        sets.setdefault(stream_id, []).append((pk, since))
    snap = Snapshot(
        version=None, zones=zones, sets=sets,
        holidays={h.date: h for h in Holiday.objects.all()},
        exceptions=list(CollectionException.objects.order_by(*EXCEPTION_ORDER)),
        rules={r.pk: r for r in WateringRule.objects.defer("area").order_by("pk")},
        bans={b.pk: b for b in WateringBan.objects.defer("area").order_by(*BAN_ORDER)},
        shapes=[_shape(pk, geom) for pk, geom in Zone.objects.filter(
            zone_set__status=ZoneSet.Status.ACTIVE).values_list("pk", "geom")])
    after = read_version()
    snap.version = before if before == after else None
    return snap


def _shape(pk: int, geom) -> tuple:
    polygon = shapely.from_wkb(bytes(geom.wkb))
    inner = shapely.buffer(polygon, -BOUNDARY_TOLERANCE)
    outer = shapely.buffer(polygon, BOUNDARY_TOLERANCE)
    shapely.prepare(inner)
    shapely.prepare(outer)
    return pk, tuple(outer.bounds), inner, outer


def snapshot_for(version: int | None) -> Snapshot | None:
    """This process's snapshot at `version`, loaded when it is older; None when the data moved
    on meanwhile (the caller reads again)."""
    global _current
    snap = _current
    if version is not None and snap is not None and snap.version == version:
        return snap
    with _lock:  # one load per process at a time (gthread workers share the snapshot)
        snap = _current
        if snap is None or snap.version != version:
            snap = load_snapshot()
            if snap.version is not None:
                _current = snap
    return snap if version is not None and snap.version == version else None


_prepared = weakref.WeakSet()  # the DB-API connections where LOOKUP is prepared (any thread)
PREPARED = "collections_schedule_lookup"


def run_lookup(pk: int) -> list[tuple]:
    """LOOKUP's rows, through a statement prepared once per database connection: PostgreSQL
    then stops planning it per request (planning took ~0.45 ms of its ~0.85 ms). Django's
    psycopg 3 cursors bind on the client and psycopg's own preparation is off (Django sets
    prepare_threshold None), hence SQL-level PREPARE/EXECUTE. A prepared statement is not
    transactional (a rollback keeps it) and lives as long as the connection; Django's reconnects
    make new connection objects, prepared again on first use."""
    with connection.cursor() as cursor:
        raw = connection.connection
        if raw not in _prepared:
            cursor.execute(f"PREPARE {PREPARED}(bigint) AS {LOOKUP % {'pk': '$1'}}")
            _prepared.add(raw)
        cursor.execute(f"EXECUTE {PREPARED}(%s)", [int(pk)])
        return cursor.fetchall()


def property_schedule(pk: int, now: dt.datetime | None = None, tries: int = 3) -> dict | None:
    """The API's JSON (without ical_url) for property `pk` at `now`; None when no such
    property."""
    now = timezone.localtime(now)
    for _attempt in range(tries):
        rows = run_lookup(pk)
        if not rows:
            return None
        found = {"r": [], "b": []}
        version = civic = x = y = None
        for kind, value, extra, px, py in rows:
            if kind == "p":
                version, civic, x, y = value, extra, px, py
            else:
                found[kind].append(value)
        if version is None:  # no version row: nothing can be kept, read it all
            break
        snap = snapshot_for(version)
        if snap is not None:
            zone_ids = [] if x is None else snap.zones_at(x, y)
            if zone_ids is None:  # on a boundary: PostGIS decides, as the uncached path
                with connection.cursor() as cursor:
                    cursor.execute(ZONES_AT, {"pk": pk})
                    zone_ids = [z for (z,) in cursor.fetchall()]
            return {
                "date": _date.to_representation(now.date()),
                "now": _datetime.to_representation(now),
                "streams": _streams(snap, zone_ids, now.date()),
                "watering": _watering(snap, found["r"], found["b"], civic, now),
            }
    # Writes kept landing between our reads (or the version row is missing): the uncached path,
    # which reads everything again.
    prop = Property.objects.only("parcel", "address_point").filter(pk=pk).first()
    if prop is None:
        return None
    return {
        "date": _date.to_representation(now.date()),
        "now": _datetime.to_representation(now),
        "streams": StreamScheduleSerializer(next_collections(prop, now.date()), many=True).data,
        "watering": WateringAnswerSerializer(watering_status(prop, now), many=True).data,
    }


def _streams(snap: Snapshot, zone_ids, today: dt.date) -> list[dict]:
    end = today + HORIZON
    zones = sorted((z for z in map(snap.zones.__getitem__, zone_ids)
                    if z.zone_set.effective_from is not None and z.zone_set.effective_from <= end),
                   key=lambda z: (z.zone_set.stream.sort_order, z.zone_set.effective_from,
                                  z.code, z.pk))  # schedule.ZONE_ORDER
    by_stream: dict[int, list[Zone]] = {}
    for zone in zones:
        by_stream.setdefault(zone.zone_set.stream_id, []).append(zone)
    lang = get_language()
    out = [snap.remember(("stream", tuple(z.pk for z in mine), today, lang),
                         lambda mine=mine: _stream_json(snap, mine, today))
           for mine in by_stream.values()]
    # stream_schedules' order, over the streams
    streams = [mine[0].zone_set.stream for mine in by_stream.values()]
    order = sorted(range(len(out)), key=lambda i: (streams[i].sort_order, streams[i].slug))
    return [out[i] for i in order]


def _stream_json(snap: Snapshot, zones: list[Zone], today: dt.date) -> dict:
    """One stream's JSON for every property whose point these zones cover."""
    stream_id = zones[0].zone_set.stream_id
    ids = {z.pk for z in zones}
    exceptions = [e for e in snap.exceptions if e.zone_id is None or e.zone_id in ids]
    [schedule] = stream_schedules(zones, {stream_id: snap.sets[stream_id]}, today,
                                  today + HORIZON, holidays=snap.holidays, exceptions=exceptions)
    schedule.dates = schedule.dates[:COUNT]
    return _plain(StreamScheduleSerializer(schedule).data)


def _watering(snap: Snapshot, rule_ids, ban_ids, civic: int | None, now: dt.datetime):
    rules = sorted((snap.rules[i] for i in rule_ids), key=lambda r: r.pk)
    bans = bans_in_view(sorted((snap.bans[i] for i in ban_ids),
                               key=lambda b: (-b.starts_at.timestamp(), b.pk)),  # BAN_ORDER
                        now, WATERING_DAYS)
    today, tz = now.date(), now.tzinfo
    parity = None if civic is None else civic % 2  # rules compare the number's parity only
    key = ("watering", parity, tuple(r.pk for r in rules), tuple(b.pk for b in bans), today,
           get_language(), timezone.get_current_timezone_name(), str(tz))

    def plan():
        plans = method_plans(rules, bans, civic, today, tz, days=WATERING_DAYS)
        slots = {id(s): _plain(SlotSerializer(s).data) for p in plans for s in p.slots}
        return plans, slots

    plans, slot_json = snap.remember(key, plan)
    out = []
    for p in plans:
        a = answer(p, now, slot_count=SLOT_COUNT)
        out.append({"method": a.method, "label": a.label, "allowed_now": a.allowed_now,
                    "reason": a.reason, "ban": a.ban.title if a.ban else None,
                    "next_slots": [slot_json[id(s)] for s in a.slots]})
    return out


def _plain(data):
    """A serializer's output as plain dicts and lists (shared, never mutated)."""
    if isinstance(data, dict):
        return {k: _plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_plain(v) for v in data]
    return data
