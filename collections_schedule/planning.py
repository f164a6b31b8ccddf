"""The checks a planner runs on a draft zone set before activating it (overlaps, gaps, load, the
change preview against the set in force), and the activation.

Every check is set-based SQL over indexed geometries, never a Python loop over properties. A set
has tens of zones and the town up to hundreds of thousands of properties, so each spatial join is
driven by the zones: for each zone, the GiST index on property.address_point yields the points in
its box, and PostGIS tests them against the zone prepared once (its prepared-geometry cache keeps
the polygon while the outer row stays the same). A property is "in" a zone when the zone covers
its address point (boundary included). When two zones cover a point (an overlap, reported
separately), the preview assigns it to the lowest zone code.
"""
import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from properties.models import CivicAddress, Property

from .models import Zone, ZoneSet
from .recurrence import zone_weekdays

SLIVER_M2 = 1.0  # overlaps smaller than this are digitizing noise, not a planning error
GAP_SAMPLE = 50  # properties listed by name under the gap count
PREVIEW_ROWS = 200  # change rows shown on the page; the CSV has them all

ZONE = Zone._meta.db_table
PROPERTY = Property._meta.db_table
ADDRESS = CivicAddress._meta.db_table

# The first civic address of a property (btree index on civicaddress.property_id).
_LABEL = f"(SELECT a.label FROM {ADDRESS} a WHERE a.property_id = p.id ORDER BY a.id LIMIT 1)"


def weekday_names(days) -> str:
    """Day names from ISO weekdays ("Tuesday, Thursday"), in the active language (Django's own
    catalogue translates them)."""
    return ", ".join(str(WEEKDAYS[d - 1]) for d in days or ())


@dataclass(frozen=True)
class Overlap:
    zone_a: str
    zone_b: str
    area_m2: float


@dataclass(frozen=True)
class PropertyRef:
    matricule: str
    address: str


@dataclass(frozen=True)
class ZoneLoad:
    code: str
    name: str
    weekdays: tuple[int, ...]
    properties: int

    @property
    def days_label(self) -> str:
        return weekday_names(self.weekdays)


@dataclass(frozen=True)
class DayLoad:
    weekday: int  # ISO, 1 = Monday
    properties: int

    @property
    def name(self) -> str:
        return weekday_names([self.weekday])


@dataclass(frozen=True)
class Change:
    matricule: str
    address: str
    old_zone: str | None
    old_days: tuple[int, ...]
    new_zone: str | None
    new_days: tuple[int, ...]

    @property
    def old_days_label(self) -> str:
        return weekday_names(self.old_days)

    @property
    def new_days_label(self) -> str:
        return weekday_names(self.new_days)


@dataclass(frozen=True)
class Preview:
    baseline: ZoneSet | None  # the set in force today for the same stream, if any
    count: int  # properties whose zone or days change
    rows: list[Change]  # the first PREVIEW_ROWS of them, by matricule


@dataclass
class CheckResult:
    zone_set: ZoneSet
    zone_count: int
    overlaps: list[Overlap] = field(default_factory=list)
    gap_count: int = 0
    gaps: list[PropertyRef] = field(default_factory=list)  # the first GAP_SAMPLE, by matricule
    load_per_zone: list[ZoneLoad] = field(default_factory=list)
    load_per_day: list[DayLoad] = field(default_factory=list)
    # Zones that would break the citizens' calendars: a rule that does not parse or gives no
    # date in the next year, a geometry that is not valid.
    bad_rules: list[str] = field(default_factory=list)
    invalid_geometries: list[tuple[str, str]] = field(default_factory=list)
    preview: Preview | None = None

    @property
    def ok(self) -> bool:
        return (self.zone_count > 0 and not self.overlaps and self.gap_count == 0
                and not self.bad_rules and not self.invalid_geometries)

    def problems(self) -> list[str]:
        """What failed, one translated sentence each (empty when ok)."""
        out = []
        if not self.zone_count:
            out.append(_("The zone set has no zones."))
        if self.overlaps:
            out.append(ngettext("%(count)d pair of zones overlaps.",
                                "%(count)d pairs of zones overlap.",
                                len(self.overlaps)) % {"count": len(self.overlaps)})
        if self.gap_count:
            out.append(ngettext("%(count)d property is in no zone.",
                                "%(count)d properties are in no zone.",
                                self.gap_count) % {"count": self.gap_count})
        if self.bad_rules:
            out.append(_("Zones without a valid recurrence: %(codes)s.")
                       % {"codes": ", ".join(self.bad_rules)})
        if self.invalid_geometries:
            out.append(_("Zones with an invalid geometry: %(codes)s.")
                       % {"codes": ", ".join(code for code, _reason in self.invalid_geometries)})
        return out


# --- the checks, each one SQL statement -------------------------------------------------------

def _fetch(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def find_overlaps(zone_set: ZoneSet, *, min_area_m2: float = SLIVER_M2) -> list[Overlap]:
    """Pairs of zones of the set whose areas overlap by at least `min_area_m2` (zones that only
    touch along a boundary have a zero-area intersection)."""
    rows = _fetch(f"""
        SELECT code_a, code_b, area FROM (
            SELECT a.code AS code_a, b.code AS code_b,
                   ST_Area(ST_Intersection(ST_MakeValid(a.geom), ST_MakeValid(b.geom))) AS area
            FROM {ZONE} a
            JOIN {ZONE} b ON b.zone_set_id = a.zone_set_id AND a.code < b.code
                         AND ST_Intersects(a.geom, b.geom)  -- GiST on zone.geom
            WHERE a.zone_set_id = %s
        ) pairs
        WHERE area >= %s
        ORDER BY area DESC, code_a, code_b""", [zone_set.pk, min_area_m2])
    return [Overlap(a, b, float(area)) for a, b, area in rows]


def find_gaps(zone_set: ZoneSet, *, sample: int = GAP_SAMPLE) -> tuple[int, list[PropertyRef]]:
    """(how many, the first `sample` by matricule) of the properties with an address point that
    no zone of the set covers."""
    rows = _fetch(f"""
        WITH covered AS MATERIALIZED (
            SELECT DISTINCT p.id
            FROM {ZONE} z
            JOIN {PROPERTY} p ON ST_Covers(z.geom, p.address_point)  -- GiST on address_point
            WHERE z.zone_set_id = %s
        ), missing AS (
            SELECT p.id, p.matricule FROM {PROPERTY} p
            WHERE p.address_point IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM covered c WHERE c.id = p.id)  -- hash anti-join
        )
        SELECT (SELECT count(*) FROM missing), p.matricule, {_LABEL}
        FROM (SELECT * FROM missing ORDER BY matricule LIMIT %s) p
        ORDER BY p.matricule""", [zone_set.pk, sample])
    if not rows:
        return 0, []
    return rows[0][0], [PropertyRef(m, label or "") for _count, m, label in rows]


def _zone_days(zones) -> tuple[dict[int, tuple[int, ...]], list[str]]:
    """{zone id: ISO weekdays} and the codes of zones whose rule is unusable. Per zone, not per
    property: a set has tens of zones."""
    days, bad = {}, []
    for zone in zones:
        try:
            days[zone.pk] = tuple(zone_weekdays(zone))
        except (ValueError, TypeError, OverflowError):
            days[zone.pk] = ()
        if not days[zone.pk]:
            bad.append(zone.code)
    return days, bad


def _days_params(days: dict[int, tuple[int, ...]]) -> tuple[list[int], list[str]]:
    """Two parallel arrays for unnest(): zone ids and their weekdays as "2,4" (SQL arrays of
    uneven lengths cannot be passed as one 2-D parameter)."""
    ids = list(days)
    return ids, [",".join(str(d) for d in days[i]) for i in ids]


_DAYS_CTE = """days AS (
    SELECT t.zone_id, string_to_array(NULLIF(t.days, ''), ',')::int[] AS days
    FROM unnest(%(zone_ids)s::bigint[], %(zone_days)s::text[]) AS t(zone_id, days)
)"""


def compute_load(zone_set: ZoneSet, zones=None, days=None) -> tuple[list[ZoneLoad], list[DayLoad]]:
    """Properties per zone, and distinct properties per collection weekday. One spatial join."""
    zones = list(zones if zones is not None else zone_set.zones.all())
    if days is None:
        days, _bad = _zone_days(zones)
    zone_ids, zone_days = _days_params(days)
    rows = _fetch(f"""
        WITH {_DAYS_CTE}, pairs AS MATERIALIZED (
            SELECT z.id AS zone_id, p.id AS property_id
            FROM {ZONE} z
            JOIN {PROPERTY} p ON ST_Covers(z.geom, p.address_point)  -- GiST on address_point
            WHERE z.zone_set_id = %(zone_set)s
        )
        SELECT 'zone', zone_id, count(*) FROM pairs GROUP BY zone_id
        UNION ALL
        SELECT 'day', d, count(DISTINCT pairs.property_id)
        FROM pairs JOIN days USING (zone_id) CROSS JOIN unnest(days.days) AS d
        GROUP BY d""", {"zone_set": zone_set.pk, "zone_ids": zone_ids, "zone_days": zone_days})
    per_zone = {key: n for kind, key, n in rows if kind == "zone"}
    per_day = {key: n for kind, key, n in rows if kind == "day"}
    return ([ZoneLoad(z.code, z.name, days.get(z.pk, ()), per_zone.get(z.pk, 0)) for z in zones],
            [DayLoad(d, per_day.get(d, 0)) for d in range(1, 8)
             if per_day.get(d) or any(d in ds for ds in days.values())])


def invalid_geometries(zone_set: ZoneSet) -> list[tuple[str, str]]:
    return _fetch(f"""
        SELECT code, ST_IsValidReason(geom) FROM {ZONE}
        WHERE zone_set_id = %s AND NOT ST_IsValid(geom) ORDER BY code""", [zone_set.pk])


def baseline_for(zone_set: ZoneSet, on: dt.date | None = None) -> ZoneSet | None:
    """The set in force today for the same stream (what the preview compares with). For the set
    in force itself, that is itself, and the preview is empty."""
    on = on or timezone.localdate()
    return ZoneSet.objects.in_force(on).filter(stream_id=zone_set.stream_id).first()


def _preview_sql(limit: bool) -> str:
    """Properties whose zone code or weekdays differ between the baseline set and the new one.
    Each side is a zone-driven join (GiST on property.address_point); the two sides meet on a
    FULL JOIN by property id (hash join), so a property leaving every zone is listed too."""
    assign = """
        SELECT DISTINCT ON (p.id) p.id AS property_id, z.code, days.days
        FROM {zone} z
        JOIN days ON days.zone_id = z.id
        JOIN {prop} p ON ST_Covers(z.geom, p.address_point)  -- GiST on address_point
        WHERE z.zone_set_id = %({side})s
        ORDER BY p.id, z.code"""
    return f"""
        WITH {_DAYS_CTE},
        new AS ({assign.format(zone=ZONE, prop=PROPERTY, side="new")}),
        old AS ({assign.format(zone=ZONE, prop=PROPERTY, side="old")}),
        changed AS (
            SELECT coalesce(n.property_id, o.property_id) AS property_id,
                   o.code AS old_code, o.days AS old_days, n.code AS new_code, n.days AS new_days
            FROM new n FULL JOIN old o ON o.property_id = n.property_id
            WHERE n.code IS DISTINCT FROM o.code OR n.days IS DISTINCT FROM o.days
        )
        SELECT p.matricule, {_LABEL}, c.old_code, c.old_days, c.new_code, c.new_days
               {", count(*) OVER ()" if limit else ""}
        FROM changed c JOIN {PROPERTY} p ON p.id = c.property_id
        ORDER BY p.matricule
        {"LIMIT %(limit)s" if limit else ""}"""


def _preview_params(zone_set: ZoneSet, baseline: ZoneSet | None, days=None) -> dict:
    if days is None:
        zones = Zone.objects.filter(zone_set__in=[s for s in (zone_set, baseline) if s])
        days, _bad = _zone_days(zones)
    zone_ids, zone_days = _days_params(days)
    return {"new": zone_set.pk, "old": baseline.pk if baseline else None,
            "zone_ids": zone_ids, "zone_days": zone_days}


def _change(row) -> Change:
    matricule, label, old_code, old_days, new_code, new_days = row[:6]
    return Change(matricule, label or "", old_code, tuple(old_days or ()), new_code,
                  tuple(new_days or ()))


def change_preview(zone_set: ZoneSet, *, limit: int = PREVIEW_ROWS,
                   baseline: ZoneSet | None = None, days=None) -> Preview:
    """The count and the first `limit` changed properties versus the set in force today."""
    baseline = baseline if baseline is not None else baseline_for(zone_set)
    params = _preview_params(zone_set, baseline, days) | {"limit": limit}
    rows = _fetch(_preview_sql(limit=True), params)
    return Preview(baseline, rows[0][6] if rows else 0, [_change(r) for r in rows])


def iter_changes(zone_set: ZoneSet, *, baseline: ZoneSet | None = None,
                 chunk: int = 2000) -> Iterator[Change]:
    """Every changed property, streamed from a server-side cursor (flat memory for the CSV)."""
    baseline = baseline if baseline is not None else baseline_for(zone_set)
    params = _preview_params(zone_set, baseline)
    with connection.chunked_cursor() as cursor:
        cursor.execute(_preview_sql(limit=False), params)
        while rows := cursor.fetchmany(chunk):
            yield from (_change(r) for r in rows)


class _Echo:
    """A file-like object whose write returns the line: csv.writer then yields strings."""

    def write(self, value):
        return value


def csv_header() -> list[str]:
    return [_("Matricule"), _("Address"), _("Old zone"), _("Old collection days"),
            _("New zone"), _("New collection days")]


def iter_changes_csv(zone_set: ZoneSet, *, baseline: ZoneSet | None = None) -> Iterator[str]:
    """The change preview as CSV lines: a UTF-8 BOM first (Excel then reads the accents), headers
    in the active language."""
    writer = csv.writer(_Echo())
    labels = {}  # a few distinct day sets; translating them once per row costs seconds at 200k

    def days(value):
        if value not in labels:
            labels[value] = weekday_names(value)
        return labels[value]

    yield "\ufeff" + writer.writerow(csv_header())
    for c in iter_changes(zone_set, baseline=baseline):
        yield writer.writerow([c.matricule, c.address, c.old_zone or "", days(c.old_days),
                               c.new_zone or "", days(c.new_days)])


def check_zone_set(zone_set: ZoneSet, *, preview: bool = True) -> CheckResult:
    """Every check of the set; the change preview is optional (activation does not need it)."""
    zones = list(zone_set.zones.order_by("code"))
    result = CheckResult(zone_set=zone_set, zone_count=len(zones))
    if not zones:
        return result
    days, result.bad_rules = _zone_days(zones)
    result.invalid_geometries = invalid_geometries(zone_set)
    result.overlaps = find_overlaps(zone_set)
    result.gap_count, result.gaps = find_gaps(zone_set)
    result.load_per_zone, result.load_per_day = compute_load(zone_set, zones, days)
    if preview:
        baseline = baseline_for(zone_set)
        if baseline:
            days |= _zone_days(baseline.zones.all())[0]
        result.preview = change_preview(zone_set, baseline=baseline, days=days)
    return result


# --- activation ----------------------------------------------------------------------------

@transaction.atomic
def activate_zone_set(*, zone_set: ZoneSet, effective_from: dt.date, user, override: bool = False,
                      note: str = "") -> ZoneSet:
    """Activate a draft set from `effective_from`. Refused when a check fails, unless the planner
    overrides it and says why (the note is kept). The sets activated before stay active: the one
    in force on a day is the latest started (see ZoneSet.objects.in_force), so history is kept."""
    # Lock the row: two planners clicking "activate" at once activate it once.
    locked = ZoneSet.objects.select_for_update().get(pk=zone_set.pk)
    if locked.status == ZoneSet.Status.ACTIVE:
        raise ValidationError(_("This zone set is already active."), code="already_active")
    if effective_from is None:
        raise ValidationError(_("Choose the date from which the zone set is in force."),
                              code="no_date")
    if not locked.zones.exists():
        raise ValidationError(_("This zone set has no zones: there is nothing to activate."),
                              code="empty")
    note = (note or "").strip()
    result = check_zone_set(locked, preview=False)
    if not result.ok:
        problems = " ".join(result.problems())
        if not override:
            raise ValidationError(
                _("The checks failed: %(problems)s Correct the zones, or override the checks "
                  "and explain why in the note.") % {"problems": problems}, code="checks_failed")
        if not note:
            raise ValidationError(
                _("Overriding the failed checks requires a note explaining why."),
                code="note_required")
    locked.status = ZoneSet.Status.ACTIVE
    locked.effective_from = effective_from
    locked.activated_at = timezone.now()
    locked.activated_by = user if getattr(user, "is_authenticated", False) else None
    locked.override_note = note if not result.ok else ""
    locked.save(update_fields=["status", "effective_from", "activated_at", "activated_by",
                               "override_note"])
    return locked
