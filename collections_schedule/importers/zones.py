"""Import a stream's collection zones from any GIS file as a new draft zone set (`import_zones`).

Two layouts:
- "guichet", our own (what `export_zones` writes): fields `code`, `name`, `rrules` (RFC 5545
  RRULE lines), `dtstart` (YYYY-MM-DD), `starts_at` and `ends_at` (HH:MM).
- "published", the layers cities publish, which give the day as text: Montréal's collection
  sectors have `SECTEUR` (the code), `MESSAGE_FR` ("La collecte a lieu les MARDIS") and
  `EXCEPTION_FR`. The text is read by `day_text.read_collection_text`, which never guesses:
  a zone whose text it cannot read is skipped and reported with its text and the phrase that
  stopped the reading, to be drawn by hand. Its first collection is the first date of its rule
  on or after `start` (default: today). For
  every-other-week zones that date also fixes which weeks are collection weeks: give `start` as
  a date of a known collection (the report lists the zones it matters for).

Each run creates one new zone set, as a draft (nothing in force changes until it is checked and
activated), or nothing at all: a dry run unless `commit`, everything in one transaction.

The new set is compared with the previous import of the same file (and layer) for the stream
(core.importers.sync.Syncer, by zone code): the zones it no longer holds are reported (they
leave when the new set is activated), and a file that would drop or change more than
`max_share` of them (their days or their area) is refused unless `force`."""
import datetime as dt
from pathlib import Path

import pandas as pd
import shapely
from django.db import transaction
from django.utils.translation import gettext as _
from shapely.geometry import MultiPolygon

from collections_schedule.models import Stream, Zone, ZoneSet
from collections_schedule.recurrence import parse_rrules
from core.importers.report import ImportFailed, ImportReport
from core.importers.sync import DEFAULT_MAX_SHARE, Syncer
from geo.importers.gisfile import read_gis_file, territory_filter, to_geos

from .day_text import Refusal, read_collection_text

LAYOUTS = ("guichet", "published")
CODE_FIELDS = {"guichet": ("code",), "published": ("SECTEUR", "code")}
TEXT_FIELDS = ("MESSAGE_FR", "MESSAGE_EN")
EXCEPTION_FIELDS = ("EXCEPTION_FR", "EXCEPTION_EN")
NAME_FIELDS = ("name", "NOM", "nom", "NAME")
CODE_MAX = Zone._meta.get_field("code").max_length


def import_zones(path, *, stream: str, name: str, commit: bool = False, layout: str = "guichet",
                 code_field: str | None = None, text_field: str | None = None,
                 exception_field: str | None = None, source_srid: int | None = None,
                 start: dt.date | None = None, layer: str | None = None, force: bool = False,
                 max_share: float = DEFAULT_MAX_SHARE) -> ImportReport:
    report = ImportReport()
    if layout not in LAYOUTS:
        raise ImportFailed(_("Unknown layout %(layout)s. Known layouts: %(known)s")
                           % {"layout": layout, "known": ", ".join(LAYOUTS)})
    try:
        the_stream = Stream.objects.get(slug=stream)
    except Stream.DoesNotExist:
        known = ", ".join(Stream.objects.values_list("slug", flat=True))
        raise ImportFailed(_("Unknown stream %(slug)s. Known streams: %(known)s")
                           % {"slug": stream, "known": known}) from None
    gdf = read_gis_file(path, report, source_srid=source_srid, layer=layer)
    columns = list(gdf.columns)
    fields = {"code": _field(columns, code_field, CODE_FIELDS[layout], "--code-field"),
              "name": _field(columns, None, NAME_FIELDS, None, required=False)}
    if layout == "guichet":
        for required in ("rrules", "dtstart"):
            if required not in columns:
                raise ImportFailed(_("The file has no field %(field)s.") % {"field": required})
        fields.update(rrules="rrules", dtstart="dtstart",
                      starts_at="starts_at" if "starts_at" in columns else None,
                      ends_at="ends_at" if "ends_at" in columns else None)
        read_schedule = _guichet_schedule
    else:
        text = _field(columns, text_field, TEXT_FIELDS, "--text-field")
        # The exceptions in the language of the text: MESSAGE_EN goes with EXCEPTION_EN.
        exception_defaults = (text.replace("MESSAGE", "EXCEPTION"), *EXCEPTION_FIELDS)
        fields.update(text=text, exception=_field(columns, exception_field, exception_defaults,
                                                  "--exception-field", required=False))
        read_schedule = _published_schedule(start or dt.date.today())
    inside = territory_filter(report)
    properties = gdf.drop(columns=gdf.geometry.name).to_dict("records")
    source = _text((gdf.attrs.get("source_name") or Path(path).name)
                   + (f":{gdf.attrs['layer']}" if gdf.attrs.get("layer_count", 1) > 1 else ""),
                   255)
    previous = (ZoneSet.objects.filter(stream=the_stream, source=source).order_by("-pk")
                .first())
    before = {z.code: z for z in (previous.zones.all() if previous else [])}
    syncer = Syncer(Zone.objects.filter(zone_set=previous) if previous else Zone.objects.none(),
                    "code", report, _("zones"), max_share=max_share, force=force)

    zones, first_seen, every_other_week = [], {}, []
    for n, (geom, props) in enumerate(zip(gdf.geometry, properties, strict=True), start=1):
        ref = _("feature %(n)d") % {"n": n}
        if geom is None or geom.is_empty:
            report.skip(ref, _("no geometry"))
            continue
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            report.skip(ref, _("unsupported geometry type %(t)s") % {"t": geom.geom_type})
            continue
        if inside is not None and not inside(geom):
            report.skip(ref, _("outside the territory"))
            continue
        code = _code(_value(props, fields["code"]))
        if not code:
            report.skip(ref, _("no zone code"))
            continue
        ref = _("feature %(n)d, zone %(code)s") % {"n": n, "code": code}
        if len(code) > CODE_MAX:
            report.skip(ref, _("zone code longer than %(n)d characters") % {"n": CODE_MAX})
            continue
        if code in first_seen:
            report.skip(ref, _("zone code already used by feature %(n)d") % {"n": first_seen[code]})
            continue
        first_seen[code] = n
        schedule, problem = read_schedule(props, fields)
        if problem:
            report.skip(ref, problem)
            continue
        if schedule.pop("interval_weeks", 1) > 1:
            every_other_week.append(code)
        note = schedule.pop("exception", "")
        if note:
            report.notes.append(_("Zone %(code)s: exceptions to enter by hand: %(text)s")
                                % {"code": code, "text": note})
        geom = geom if geom.geom_type == "MultiPolygon" else MultiPolygon([geom])
        syncer.seen(code, changed=code in before and _zone_differs(before[code], schedule, geom))
        zones.append(Zone(code=code, name=_text(_value(props, fields["name"]), 200),
                          geom=to_geos(geom), **schedule))

    if layout == "published" and every_other_week:
        report.notes.append(
            _("Zones collected every other week or less often (%(codes)s) count their weeks "
              "from their first collection on or after %(date)s: if those are not collection "
              "weeks, import again with --start set to the date of a known collection.")
            % {"codes": ", ".join(every_other_week),
               "date": (start or dt.date.today()).isoformat()})
    gone = syncer.check()
    if gone:
        report.retired += len(gone)
        report.notes.append(
            _("Zones of the previous import of this file (set %(id)d “%(name)s”) that the new "
              "set no longer holds: %(n)d (%(codes)s); they leave when the new set is "
              "activated.") % {"id": previous.pk, "name": previous.name, "n": len(gone),
                               "codes": ", ".join(gone)})
    with transaction.atomic():
        if zones:
            zone_set = ZoneSet.objects.create(
                stream=the_stream, name=name[:200], status=ZoneSet.Status.DRAFT, source=source)
            for zone in zones:
                zone.zone_set = zone_set
            Zone.objects.bulk_create(zones)
            report.created = len(zones)
        report.committed = commit and bool(zones)
        if not zones:
            report.notes.append(_("No zone could be imported: no zone set was created."))
        elif commit:
            report.notes.append(
                _("Zone set %(id)d “%(name)s” was created as a draft: check it, then activate "
                  "it.") % {"id": zone_set.pk, "name": zone_set.name})
        if not report.committed:
            transaction.set_rollback(True)
    return report


def _zone_differs(zone, schedule, geom) -> bool:
    """Whether the zone collects other days, at other hours, or over another area (the first
    date of a published text follows the import's --start: not a change)."""
    if zone.rrules != schedule["rrules"]:
        return True
    if any(key in schedule and getattr(zone, key) != schedule[key]
           for key in ("starts_at", "ends_at")):
        return True
    stored = shapely.from_wkb(bytes(zone.geom.wkb))
    return not shapely.equals_exact(stored, geom, tolerance=0.001)


def _guichet_schedule(props, fields):
    """(Zone fields, None) or (None, why the feature is skipped)."""
    rrules = "\n".join(line.strip() for line in
                       _text(_value(props, fields["rrules"]), None).splitlines() if line.strip())
    dtstart = _date(_value(props, fields["dtstart"]))
    if dtstart is None:
        return None, (_("invalid first collection date “%(value)s” (expected YYYY-MM-DD)")
                      % {"value": _text(_value(props, fields["dtstart"]), 40)})
    try:
        rules = parse_rrules(rrules, dtstart)
    except ValueError as exc:
        return None, (_("invalid recurrence “%(rrules)s”: %(error)s")
                      % {"rrules": rrules, "error": exc})
    except TypeError:  # rrulestr's way of saying that FREQ is missing
        return None, (_("invalid recurrence “%(rrules)s”: %(error)s")
                      % {"rrules": rrules, "error": _("no FREQ part")})
    if rules.after(dt.datetime.combine(dtstart, dt.time()), inc=True) is None:
        return None, (_("the recurrence “%(rrules)s” gives no collection date")
                      % {"rrules": rrules})
    schedule = {"rrules": rrules, "dtstart": dtstart}
    for key in ("starts_at", "ends_at"):
        raw = _value(props, fields[key]) if fields[key] else None
        if raw is None or raw == "":
            continue  # the model's default hours
        value = _time(raw)
        if value is None:
            return None, (_("invalid time “%(value)s” (expected HH:MM)")
                          % {"value": _text(raw, 40)})
        schedule[key] = value
    return schedule, None


def _published_schedule(start: dt.date):
    def read(props, fields):
        text = _text(_value(props, fields["text"]), None).strip()
        parsed = read_collection_text(text)
        if isinstance(parsed, Refusal):
            return None, (_("collection day not understood: “%(text)s”, stopped at “%(phrase)s”: "
                            "%(reason)s") % {"text": text, "phrase": parsed.phrase,
                                              "reason": parsed.reason})
        dtstart = parsed.first_date(start)
        exception = (_text(_value(props, fields["exception"]), None).strip()
                     if fields["exception"] else "")
        return {"rrules": parsed.rrule, "dtstart": dtstart, "exception": exception,
                "interval_weeks": parsed.interval_weeks}, None
    return read


def _field(columns, given, defaults, option, required=True):
    """The field to read: the one named with `option`, else the first default the file has."""
    if given:
        if given not in columns:
            raise ImportFailed(_("The file has no field %(field)s.") % {"field": given})
        return given
    found = next((f for f in defaults if f in columns), None)
    if found is None and required:
        raise ImportFailed(
            _("The file has none of the fields %(fields)s: name the right one with %(option)s. "
              "Its fields: %(found)s.")
            % {"fields": ", ".join(defaults), "option": option,
               "found": ", ".join(str(c) for c in columns if c != "geometry")})
    return found


def _value(props, field):
    """The field's value, None when missing (None, NaN, NaT)."""
    value = props.get(field) if field else None
    try:
        missing = value is None or bool(pd.isna(value))
    except (TypeError, ValueError):  # a list field: not missing
        missing = False
    return None if missing else value


def _code(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a numeric SECTEUR read as 12.0
    return "" if value is None else str(value).strip()


def _text(value, max_length):
    text = "" if value is None else str(value)
    return text[:max_length] if max_length else text


def _date(value):
    if isinstance(value, dt.datetime):  # pandas Timestamp too (a GeoPackage date field)
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()) if value is not None else None
    except ValueError:
        return None


def _time(value):
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(str(value).strip())
    except ValueError:
        return None
