"""import_zones and export_zones on real extracts, with one named file per edge case.

Expected areas are computed beside each test with pyproj and shapely from the source or the
exported file's own coordinates (never read back through PostGIS); weekdays of dates are
calendar facts noted in a comment. Messages are not compared word for word (the tests run in
French): counts, codes, feature numbers and the texts quoted from the files are."""
import datetime as dt
import io
import json
import re

import geopandas as gpd
import numpy as np
import pytest
import shapely
from django.conf import settings
from django.core.management import CommandError, call_command
from pyproj import Transformer
from shapely.geometry import shape

from collections_schedule.importers.zones import import_zones
from collections_schedule.importers.zones_export import export_zones
from collections_schedule.models import Zone, ZoneSet
from core.importers.report import ImportFailed

pytestmark = pytest.mark.django_db

SRID = settings.GUICHET_SRID
MONDAY = dt.date(2026, 1, 5)  # a Monday (calendar fact)
to_m = Transformer.from_crs(4326, SRID, always_xy=True)


def metric(geom):
    """A lon/lat shapely geometry in the storage CRS, with pyproj."""
    return shapely.transform(geom, lambda c: np.column_stack(to_m.transform(c[:, 0], c[:, 1])))


def source_areas(path, code_field):
    """{code: area in m²} of a GeoJSON file in lon/lat, computed with pyproj and shapely."""
    return {f["properties"][code_field]: metric(shape(f["geometry"])).area
            for f in json.loads(path.read_text())["features"]}


def counts():
    return ZoneSet.objects.count(), Zone.objects.count()


def close(a, b):
    """Areas equal within 0.1 m² and one millionth."""
    return abs(a - b) <= 0.1 and abs(a - b) <= 1e-6 * max(a, b)


def skipped(report):
    """[(feature number, zone code or None)] of the skipped features, in file order."""
    out = []
    for ref, _reason in report.skipped:
        number = int(re.search(r"\d+", ref).group())
        code = re.search(r"(?:Z|PIN)-[A-Z]+", ref)
        out.append((number, code.group() if code else None))
    return out


def imported_set(name):
    return ZoneSet.objects.filter(name=name).latest("pk")


# --- published layout ----------------------------------------------------------------------

@pytest.mark.parametrize(("text_field", "unreadable"), [
    (None, "Voir le calendrier"),         # default: MESSAGE_FR
    ("MESSAGE_EN", "See the calendar"),
])
def test_published_layout_dry_run_then_commit(data_dir, text_field, unreadable):
    path = data_dir / "zones_published_sample.geojson"
    before = counts()
    report = import_zones(path, stream="garbage", name="secteurs publiés", layout="published",
                          text_field=text_field, start=MONDAY)
    assert (report.created, len(report.skipped), report.committed) == (3, 1, False)
    assert counts() == before
    assert "--commit" in report.render()

    report = import_zones(path, stream="garbage", name="secteurs publiés", layout="published",
                          text_field=text_field, start=MONDAY, commit=True)
    assert (report.created, report.committed) == (3, True)
    assert counts() == (before[0] + 1, before[1] + 3)
    # The unreadable zone: its feature number, its code and its text, in the report.
    assert skipped(report) == [(4, "PIN-SE")]
    assert unreadable in report.skipped[0][1]
    zone_set = imported_set("secteurs publiés")
    assert (zone_set.status, zone_set.stream.slug) == ("draft", "garbage")
    assert zone_set.source == "zones_published_sample.geojson"
    zones = {z.code: z for z in zone_set.zones.all()}
    # First collection: the first listed weekday on or after Monday 2026-01-05.
    assert {c: (z.rrules, z.dtstart) for c, z in zones.items()} == {
        "PIN-NO": ("RRULE:FREQ=WEEKLY;BYDAY=TU", dt.date(2026, 1, 6)),
        "PIN-NE": ("RRULE:FREQ=WEEKLY;BYDAY=MO,TH", dt.date(2026, 1, 5)),
        "PIN-SO": ("RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", dt.date(2026, 1, 7)),
    }
    expected = source_areas(path, "SECTEUR")
    for code, zone in zones.items():
        assert close(zone.geom.area, expected[code]), code
    assert len(zones["PIN-SO"].geom) == 2  # the sector in two parts stays a MultiPolygon
    notes = "\n".join(report.notes)
    exception = "Aucune collecte le 25" if text_field is None else "No collection on December"
    assert re.search(rf"PIN-SO\b.*{exception}", notes)       # exceptions to enter by hand
    assert re.search(r"\(PIN-SO\)", notes)                     # every other week: --start


def test_published_default_start_is_the_next_collection_day(data_dir):
    report = import_zones(data_dir / "zones_published_sample.geojson", stream="recycling",
                          name="sans date", layout="published", commit=True)
    assert report.created == 3
    today = dt.date.today()
    first_weekday = {"PIN-NO": 2, "PIN-NE": 1, "PIN-SO": 3}
    for zone in imported_set("sans date").zones.all():
        assert today <= zone.dtstart < today + dt.timedelta(days=7)
        assert zone.dtstart.isoweekday() == first_weekday[zone.code]


# --- guichet layout: edge cases, round trip, another CRS -------------------------------------

def test_guichet_layout_each_bad_row_is_skipped_with_its_number(data_dir):
    """zones_guichet_bad_rows.geojson: one edge case per feature (see tests/data/README.md)."""
    report = import_zones(data_dir / "zones_guichet_bad_rows.geojson", stream="garbage",
                          name="cas limites", commit=True)
    assert report.created == 2
    assert skipped(report) == [
        (2, "Z-B"),   # FREQ=SOMETIMES
        (3, "Z-C"),   # no FREQ
        (4, "Z-A"),   # duplicate code
        (5, "Z-D"),   # 06/01/2026
        (6, "Z-E"),   # 7h
        (7, None),    # a point
        (8, None),    # in Montréal
        (9, None),    # no code
        (10, "Z-H"),  # UNTIL before dtstart: no date
    ]
    assert "FREQ=SOMETIMES" in report.skipped[0][1]
    zones = {z.code: z for z in imported_set("cas limites").zones.all()}
    assert set(zones) == {"Z-A", "Z-I"}
    assert zones["Z-A"].name == "valid"  # the first of the two Z-A
    assert zones["Z-I"].rrules == ("RRULE:FREQ=WEEKLY;BYDAY=MO;BYMONTH=4,5,6,7,8,9,10,11\n"
                                   "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;BYMONTH=1,2,3,12")
    assert (zones["Z-I"].starts_at, zones["Z-I"].ends_at) == (dt.time(7), dt.time(18))


@pytest.mark.parametrize(("fmt", "extension", "srid"), [
    ("geojson", "geojson", 4326), ("gpkg", "gpkg", SRID), ("shp", "zip", SRID)])
def test_export_then_import_round_trips(demo_dir, tmp_path, fmt, extension, srid):
    report = import_zones(demo_dir / "zones-recycling-generated.geojson", stream="recycling",
                          name="aller", commit=True)
    assert report.created == 2 and not report.skipped
    original = imported_set("aller")
    # Hours and a two-line seasonal rule set by hand, so that more than the defaults travel.
    Zone.objects.filter(zone_set=original, code="R-NORD").update(
        starts_at=dt.time(6, 30), ends_at=dt.time(16, 15))
    Zone.objects.filter(zone_set=original, code="R-SUD").update(
        rrules="RRULE:FREQ=WEEKLY;BYDAY=MO;BYMONTH=4,5,6,7,8,9,10,11\n"
               "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;BYMONTH=1,2,3,12")

    content, filename, content_type = export_zones(original, fmt)
    assert filename == f"zones-recycling-{original.pk}.{extension}" and content_type
    path = tmp_path / filename
    path.write_bytes(content)

    # The exported file itself, read with geopandas and measured with shapely.
    frame = gpd.read_file(path, engine="pyogrio")
    assert frame.crs.to_epsg() == srid
    areas = dict(zip(frame["code"], frame.to_crs(epsg=SRID).geometry.area, strict=True))
    before = {z.code: z for z in original.zones.all()}
    assert set(areas) == set(before)
    for code, zone in before.items():
        assert close(areas[code], shapely.from_wkb(bytes(zone.geom.wkb)).area), code

    report = import_zones(path, stream="recycling", name="retour", commit=True)
    assert (report.created, report.skipped) == (2, [])
    after = {z.code: z for z in imported_set("retour").zones.all()}
    assert set(after) == set(before)
    for code, zone in after.items():
        old = before[code]
        assert (zone.name, zone.rrules, zone.dtstart, zone.starts_at, zone.ends_at) == (
            old.name, old.rrules, old.dtstart, old.starts_at, old.ends_at)
        assert close(zone.geom.area, old.geom.area), code


def test_file_in_another_crs_is_reprojected(data_dir, demo_dir):
    """zones_guichet_epsg2950.gpkg holds the demo's garbage zones in NAD83(CSRS) / MTM 8."""
    report = import_zones(data_dir / "zones_guichet_epsg2950.gpkg", stream="garbage",
                          name="autre SCR", commit=True)
    assert (report.created, report.skipped) == (2, [])
    expected = source_areas(demo_dir / "zones-garbage-generated.geojson", "code")
    source = {f["properties"]["code"]: metric(shape(f["geometry"])) for f in json.loads(
        (demo_dir / "zones-garbage-generated.geojson").read_text())["features"]}
    for zone in imported_set("autre SCR").zones.all():
        geom = shapely.from_wkb(bytes(zone.geom.wkb))
        # NAD83(CSRS) and NAD83 differ by about a metre here: areas agree to 1e-5, and the
        # zones sit within 2 m of the demo's (not 300 km away, as an unreprojected file would).
        assert abs(geom.area - expected[zone.code]) < 1e-5 * expected[zone.code]
        assert geom.hausdorff_distance(source[zone.code]) < 2
        assert (zone.rrules, zone.starts_at) in {("RRULE:FREQ=WEEKLY;BYDAY=TU", dt.time(7)),
                                                 ("RRULE:FREQ=WEEKLY;BYDAY=WE", dt.time(7))}


# --- bad input: ImportFailed and nothing written -------------------------------------------

@pytest.mark.parametrize(("name", "options"), [
    ("zones_malformed.geojson", {}),
    ("zones_published_sample.geojson", {}),                       # no rrules field
    ("zones_published_sample.geojson", {"layout": "published", "code_field": "CODE"}),
    ("zones_published_sample.geojson", {"layout": "published", "text_field": "MESSAGE"}),
    ("zones_guichet_bad_rows.geojson", {"layout": "published"}),  # no SECTEUR, no MESSAGE_FR
    ("zones_guichet_bad_rows.geojson", {"layout": "calendar"}),
])
def test_bad_input_fails_and_writes_nothing(data_dir, name, options):
    before = counts()
    with pytest.raises(ImportFailed):
        import_zones(data_dir / name, stream="garbage", name="raté", commit=True, **options)
    assert counts() == before


def test_unknown_stream_lists_the_known_ones(data_dir):
    before = counts()
    with pytest.raises(ImportFailed) as err:
        import_zones(data_dir / "zones_published_sample.geojson", stream="volcano",
                     name="raté", layout="published", commit=True)
    assert "volcano" in str(err.value)
    assert all(slug in str(err.value) for slug in ("garbage", "recycling", "organics"))
    assert counts() == before


# --- the commands --------------------------------------------------------------------------

def test_commands_import_then_export(data_dir, tmp_path):
    out = io.StringIO()
    call_command("import_zones", str(data_dir / "zones_published_sample.geojson"),
                 "--stream", "organics", "--name", "par la commande", "--layout", "published",
                 "--start", "2026-01-05", "--commit", stdout=out)
    assert "PIN-SE" in out.getvalue()
    zone_set = imported_set("par la commande")
    assert zone_set.zones.count() == 3
    target = tmp_path / "zones.gpkg"
    call_command("export_zones", str(zone_set.pk), "--format", "gpkg", "-o", str(target),
                 stdout=io.StringIO())
    frame = gpd.read_file(target, engine="pyogrio")
    assert sorted(frame["code"]) == ["PIN-NE", "PIN-NO", "PIN-SO"]
    assert set(frame["dtstart"]) == {"2026-01-05", "2026-01-06", "2026-01-07"}


def test_commands_report_bad_input_without_traceback(data_dir, tmp_path):
    with pytest.raises(CommandError, match="volcano"):
        call_command("import_zones", str(data_dir / "zones_published_sample.geojson"),
                     "--stream", "volcano", "--name", "x")
    with pytest.raises(CommandError):
        call_command("import_zones", str(data_dir / "zones_published_sample.geojson"),
                     "--stream", "garbage", "--name", "x", "--start", "5 janvier")
    missing = ZoneSet.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with pytest.raises(CommandError, match=str(missing + 1)):
        call_command("export_zones", str(missing + 1), "-o", str(tmp_path / "z.geojson"))
