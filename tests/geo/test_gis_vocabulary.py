"""The GIS importers' shared vocabulary (issue 12, items 1 and 5): --layer, --id-field,
--lot-field, --category-field with --category-map, `inspect`, 3-D and measured geometries, stale
rows and the change threshold. On the real extracts of tests/data (derived from data/pincourt/
by tests/data/derive_gis_files.py); expected counts come from an independent reading of the raw
files (pyogrio's raw reader, sqlite3 on a GeoPackage, shapely + pyproj in tests/independent.py),
never from the importers' code."""
import csv
import io
import json
import sqlite3
import warnings

import pyogrio.raw
import pytest
import shapely
from django.core.management import CommandError, call_command

from collections_schedule.importers.zones import import_zones
from collections_schedule.models import Zone, ZoneSet
from core.importers.report import ImportFailed
from geo.importers.places import import_places
from geo.importers.territory import import_territory
from geo.models import Place, Territory
from properties.importers.parcels import import_parcels
from properties.models import Parcel
from tests import independent
from tests.test_importer_corpus import snapshot

pytestmark = pytest.mark.django_db

TYPED = "places_amenities_typed.geojson"
TYPED_SOURCE = f"file:{TYPED}"


def raw_rows(path, layer=None):
    """[(properties dict, shapely geometry)] from pyogrio's raw reader (no geopandas, no
    importer code)."""
    meta, _fids, geometries, values = pyogrio.raw.read(path, layer=layer)
    return [({f: v[i] for f, v in zip(meta["fields"], values, strict=True)},
             shapely.from_wkb(geometries[i])) for i in range(len(geometries))]


def typed_inside():
    """The typed places inside the territory: [(id, type)], from the raw file."""
    area = independent.territory()
    return [(props["id"], props["type"]) for props, geom in
            raw_rows(independent.ROOT / "tests/data" / TYPED)
            if area.intersects(independent.project(shapely.force_2d(geom)))]


def mapping(path):
    with open(path, encoding="utf-8") as fh:
        return {r["value"]: r["category"] for r in
                csv.DictReader(line for line in fh if not line.startswith("#"))}


# --- --layer -------------------------------------------------------------------------------

MULTI = ["ecoles", "lots", "territoire"]


@pytest.mark.parametrize(("command", "options"), [
    ("import_parcels", []),
    ("import_places", ["--category", "school"]),
    ("import_territory", ["--name", "Pincourt"]),
    ("import_zones", ["--stream", "garbage", "--name", "couches"]),
])
def test_a_multi_layer_file_without_layer_is_refused_with_its_layers(data_dir, command, options):
    """The first layer (the schools) used to be read as parcels, and the error spoke of a
    missing lot field."""
    path = data_dir / "gis_multilayer.gpkg"
    with sqlite3.connect(path) as db:  # the GeoPackage's own table of contents
        layers = [name for (name,) in db.execute(
            "SELECT table_name FROM gpkg_contents ORDER BY table_name")]
    assert layers == MULTI
    before = snapshot()
    with pytest.raises(CommandError) as err:
        call_command(command, str(path), *options, "--commit")
    message = str(err.value)
    assert "--layer" in message and all(name in message for name in layers), message
    assert snapshot() == before


def test_an_unknown_layer_is_refused_with_the_list(data_dir):
    with pytest.raises(ImportFailed, match="lots") as err:
        import_parcels(data_dir / "gis_multilayer.gpkg", layer="parcelles")
    assert "parcelles" in str(err.value)


def test_the_named_layer_is_read_and_a_partial_cadastre_is_refused(data_dir, demo_dir):
    """The 40-lot layer against the demo's whole cadastre: it would delete most lots."""
    path = data_dir / "gis_multilayer.gpkg"
    lots = {p["lot_number"] for p, _g in raw_rows(path, layer="lots")}
    demo = {p["lot_number"] for p, _g in raw_rows(demo_dir / "parcels-generated.geojson")}
    assert len(lots) == 40 and lots <= demo
    assert Parcel.objects.count() == len(demo)
    before = snapshot()
    with pytest.raises(CommandError, match="--force") as err:
        call_command("import_parcels", str(path), "--layer", "lots", "--commit")
    assert f"{len(demo) - len(lots)}" in str(err.value)
    assert snapshot() == before
    report = import_parcels(path, layer="lots", force=True)  # dry run: what it would do
    assert (report.created, report.updated, report.retired) == (0, 40, len(demo) - 40)
    assert Parcel.objects.count() == len(demo)


# --- --lot-field / --id-field checked against the columns -----------------------------------

def test_a_wrong_lot_field_names_the_field_and_lists_the_columns(demo_dir):
    with pytest.raises(CommandError) as err:
        call_command("import_parcels", str(demo_dir / "parcels-generated.geojson"),
                     "--lot-field", "NUM_LOT")
    message = str(err.value)
    assert "NUM_LOT" in message and "--lot-field" in message and "champs : lot_number" in message


def test_a_wrong_id_field_lists_the_columns(data_dir):
    with pytest.raises(ImportFailed) as err:
        import_places(data_dir / TYPED, category="school", id_field="osm_id")
    assert "osm_id" in str(err.value) and "type" in str(err.value)


# --- --category-field and --category-map ------------------------------------------------------

@pytest.mark.parametrize("map_name", ["places_amenity_categories.csv",
                                      "places_amenity_categories.json"])
def test_places_are_filed_by_their_type_and_unmapped_values_reported(data_dir, map_name):
    table = mapping(data_dir / "places_amenity_categories.csv")
    rows = typed_inside()
    report = import_places(data_dir / TYPED, category_field="type",
                           category_map=data_dir / map_name, id_field="id", commit=True)
    expected = {}
    for osm_id, kind in rows:
        if table.get(kind):
            expected[osm_id] = table[kind]
    stored = dict(Place.objects.filter(source=TYPED_SOURCE)
                  .values_list("source_id", "category__slug"))
    assert stored == expected
    assert report.created == len(expected)
    # every value not in the mapping, with its count; the ones left out on purpose too
    counts = {}
    for _osm_id, kind in rows:
        counts[kind] = counts.get(kind, 0) + 1
    text = report.render()
    for kind, n in counts.items():
        if kind not in table:
            assert f"« {kind} » de type n'est pas dans la correspondance ({n})" in text, kind
        elif not table[kind]:
            assert f"« {kind} » de type : écartée par la correspondance ({n})" in text, kind
    assert counts["parking"] > 100  # the car parks of the finding: reported, not schools
    outside = len(raw_rows(data_dir / TYPED)) - len(rows)
    assert len(report.skipped) == outside + len(rows) - len(expected)
    assert text.count("hors du territoire") == 1 and f"hors du territoire ({outside})" in text


def test_a_mapping_to_an_unknown_category_is_refused(data_dir):
    before = snapshot()
    with pytest.raises(CommandError) as err:
        call_command("import_places", str(data_dir / TYPED), "--category-field", "type",
                     "--category-map",
                     str(data_dir / "places_amenity_categories_unknown_slug.csv"), "--commit")
    assert "car-park" in str(err.value) and "school" in str(err.value)
    assert snapshot() == before


def test_one_category_for_a_file_with_a_type_column_is_warned(data_dir):
    report = import_places(data_dir / TYPED, category="school", id_field="id")
    text = report.render()
    assert "--category-field type" in text and "parking" in text


@pytest.mark.parametrize("options", [{}, {"category": "school", "category_field": "type"},
                                     {"category_field": "type"}])
def test_category_options_are_one_or_the_other(data_dir, options):
    with pytest.raises(ImportFailed, match="--category"):
        import_places(data_dir / TYPED, **options)


# --- 3-D and measured geometries ----------------------------------------------------------

@pytest.mark.parametrize("name", ["places_points_z.geojson", "places_points_m.gpkg"])
def test_3d_and_measured_points_are_flattened_and_counted(data_dir, name):
    path = data_dir / name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyogrio's "Measured (M) ... not supported"
        n_features = pyogrio.read_info(path)["features"]
    if name.endswith(".geojson"):
        coords = [f["geometry"]["coordinates"] for f in json.loads(path.read_text())["features"]]
        assert all(len(c) == 3 for c in coords)  # Point Z, read without GDAL
    else:
        with sqlite3.connect(path) as db:  # the GeoPackage says M, whatever pyogrio makes of it
            assert db.execute("SELECT geometry_type_name, z, m FROM gpkg_geometry_columns"
                              ).fetchone() == ("POINT", 0, 1)
    out = io.StringIO()
    call_command("import_places", str(path), "--category-field", "type", "--category-map",
                 str(data_dir / "places_amenity_categories.csv"), "--id-field", "id",
                 "--commit", stdout=out)
    assert f"Géométries 3D ou mesurées ramenées en 2D : {n_features}" in out.getvalue()
    stored = Place.objects.filter(source=f"file:{name}")
    assert stored.exists() and not any(p.geom.hasz for p in stored)


def test_3d_points_under_one_category_no_longer_crash(data_dir):
    report = import_places(data_dir / "places_points_z.geojson", category="pharmacy",
                           id_field="id", commit=True)
    assert report.flattened == 31 and report.created > 0


# --- stale rows and the change threshold ----------------------------------------------------

def _subset(src, target, keep):
    """A newer version of the GeoJSON `src`: only its features at the positions `keep`, each
    as it was (the raw JSON, no GIS library in between)."""
    collection = json.loads(src.read_text(encoding="utf-8"))
    collection["features"] = [collection["features"][i] for i in keep]
    target.write_text(json.dumps(collection), encoding="utf-8")
    return target


def test_places_no_longer_in_the_file_are_reported_then_removed_on_commit(data_dir, tmp_path):
    cmap = data_dir / "places_amenity_categories.csv"
    import_places(data_dir / TYPED, category_field="type", category_map=cmap, id_field="id",
                  commit=True)
    loaded = list(Place.objects.filter(source=TYPED_SOURCE)
                  .values_list("source_id", flat=True))
    rows = raw_rows(data_dir / TYPED)
    dropped = [i for i, (props, _g) in enumerate(rows) if props["id"] in loaded][:3]
    gone = {rows[i][0]["id"] for i in dropped}
    newer = _subset(data_dir / TYPED, tmp_path / TYPED,
                    [i for i in range(len(rows)) if i not in dropped])
    for commit in (False, True):
        report = import_places(newer, category_field="type", category_map=cmap,
                               id_field="id", commit=commit)
        assert report.retired == 3 and all(g in report.render() for g in gone)
        left = set(Place.objects.filter(source=TYPED_SOURCE).values_list("source_id",
                                                                          flat=True))
        assert (gone <= left) is not commit
    # a file holding a tenth of them: refused, unless --force
    (tmp_path / "tenth").mkdir()
    tenth = _subset(data_dir / TYPED, tmp_path / "tenth" / TYPED, range(len(rows) // 10))
    before = snapshot()
    with pytest.raises(ImportFailed, match="--force"):
        import_places(tenth, category_field="type", category_map=cmap, id_field="id",
                      commit=True)
    assert snapshot() == before
    forced = import_places(tenth, category_field="type", category_map=cmap, id_field="id",
                           commit=True, force=True)
    assert forced.retired > 0


def test_parcels_no_longer_in_the_cadastre_are_retired(demo_dir, tmp_path):
    src = demo_dir / "parcels-generated.geojson"
    rows = raw_rows(src)
    gone = {rows[i][0]["lot_number"] for i in range(5)}
    newer = _subset(src, tmp_path / src.name, range(5, len(rows)))
    report = import_parcels(newer, commit=True)
    assert report.retired == 5 and not Parcel.objects.filter(lot_number__in=gone).exists()
    assert Parcel.objects.count() == len(rows) - 5


def test_a_zone_file_missing_zones_of_its_previous_import_is_refused_unless_forced(
        demo_dir, tmp_path):
    src = demo_dir / "zones-garbage-generated.geojson"
    rows = raw_rows(src)
    previous = ZoneSet.objects.filter(stream__slug="garbage", source=src.name).latest("pk")
    assert sorted(previous.zones.values_list("code", flat=True)) == sorted(
        p["code"] for p, _g in rows)
    newer = _subset(src, tmp_path / src.name, [0])
    before = snapshot()
    with pytest.raises(ImportFailed, match="--force"):
        import_zones(newer, stream="garbage", name="moins", commit=True)
    assert snapshot() == before
    report = import_zones(newer, stream="garbage", name="moins", commit=True, force=True)
    assert report.retired == 1 and rows[1][0]["code"] in report.render()
    assert Zone.objects.filter(zone_set=previous).count() == len(rows)  # left as it was


def test_a_territory_that_moves_most_of_its_area_is_refused_unless_forced(data_dir):
    parks = data_dir / "places_parks_osm_extract.geojson"
    before = snapshot()
    with pytest.raises(CommandError, match="--force"):
        call_command("import_territory", str(parks), "--name", "Pincourt", "--commit")
    assert snapshot() == before
    # the same outline from another file and layer: accepted
    report = import_territory(data_dir / "gis_multilayer.gpkg", layer="territoire",
                              name="Pincourt", commit=True)
    assert report.updated == 1 and Territory.objects.filter(name="Pincourt").count() == 1


# --- inspect ---------------------------------------------------------------------------------

def test_inspect_lists_layers_fields_types_crs_counts_and_samples(data_dir):
    path = data_dir / "gis_multilayer.gpkg"
    out = io.StringIO()
    call_command("inspect", str(path), stdout=out)
    text = out.getvalue()
    with sqlite3.connect(path) as db:
        for name, geometry, srs in db.execute(
                "SELECT c.table_name, g.geometry_type_name, g.srs_id FROM gpkg_contents c "
                "JOIN gpkg_geometry_columns g USING (table_name)"):
            (count,) = db.execute(f'SELECT count(*) FROM "{name}"').fetchone()
            assert (f"Couche {name} : {geometry.title()}, EPSG:{srs}, entités : {count}"
                    in text), text
            columns = [c[1] for c in db.execute(f'PRAGMA table_info("{name}")')
                       if c[1] not in ("fid", "geom", "geometry")]
            first = db.execute(f'SELECT "{columns[0]}" FROM "{name}" ORDER BY fid LIMIT 1'
                               ).fetchone()[0]
            assert f"{columns[0]} (object): {first}" in text


def test_inspect_samples_only_the_first_features(data_dir):
    out = io.StringIO()
    call_command("inspect", str(data_dir / TYPED), "--features", "3", "--values", "10",
                 stdout=out)
    first = [p["type"] for p, _g in raw_rows(data_dir / TYPED)][:3]
    line = next(x for x in out.getvalue().splitlines() if x.strip().startswith("type "))
    assert line.split(": ", 1)[1] == ", ".join(dict.fromkeys(first))
    assert "3 premières entités" in out.getvalue()


def test_a_folder_of_shapefiles_is_a_multi_layer_source(data_dir, tmp_path):
    """Two real layers written as Shapefiles in one folder (made here with pyogrio): the
    folder without --layer is refused with both names; with it, that layer is read."""
    folder = tmp_path / "export"
    folder.mkdir()
    for name in ("places_parks_osm_extract.geojson", "places_schools_epsg2950.gpkg"):
        meta, _fids, geometries, values = pyogrio.raw.read(data_dir / name)
        pyogrio.raw.write(folder / (name.split(".")[0] + ".shp"), geometries, values,
                          meta["fields"], geometry_type=meta["geometry_type"],
                          crs=meta["crs"], driver="ESRI Shapefile")
    with pytest.raises(ImportFailed) as err:
        import_places(folder, category="park")
    assert "places_parks_osm_extract" in str(err.value)
    assert "places_schools_epsg2950" in str(err.value)
    report = import_places(folder, category="park", layer="places_parks_osm_extract",
                           id_field="osm_id")
    assert report.created == len(raw_rows(data_dir / "places_parks_osm_extract.geojson"))
