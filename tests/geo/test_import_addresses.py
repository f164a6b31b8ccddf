"""import_addresses and import_streets on a town's own files: the real Pincourt OSM extract
written as a municipal GeoPackage (NAD83 MTM 8, its own field names: tests/data/README.md), and
one named broken file per failure. Counts and coordinates are checked against the raw file read
with pyogrio, shapely and pyproj (not the importer's code)."""
import numpy as np
import pyogrio
import pytest
import shapely
from django.conf import settings
from django.core.management import CommandError, call_command
from pyproj import Transformer

from core.importers.report import ImportFailed
from geo.importers.addresses import import_addresses
from geo.importers.streets import import_streets
from geo.models import AddressPoint, Street
from tests.independent import territory

pytestmark = pytest.mark.django_db
GPKG = "pincourt_municipal_epsg32188.gpkg"
FIELDS = {"number_field": "NO_CIVIQUE", "street_field": "NOM_VOIE", "id_field": "ID_ADRESSE",
          "city_field": "MUNICIPALITE"}


def raw(path, layer):
    """The layer as read by pyogrio: (attributes, shapely geometries in the storage CRS)."""
    meta, _fids, wkb, values = pyogrio.raw.read(path, layer=layer)
    geoms = shapely.from_wkb(wkb)
    to_storage = Transformer.from_crs(meta["crs"], settings.GUICHET_SRID, always_xy=True)
    geoms = shapely.transform(geoms, lambda c: np.column_stack(to_storage.transform(c[:, 0],
                                                                                     c[:, 1])))
    return dict(zip(meta["fields"], values, strict=True)), geoms


def test_a_municipal_address_layer_with_its_own_field_names(data_dir):
    path = data_dir / GPKG
    osm_before = AddressPoint.objects.filter(source="osm").count()
    report = import_addresses(path, layer="adresses", commit=True, **FIELDS)
    fields, geoms = raw(path, "adresses")
    inside = shapely.intersects(territory(), geoms)
    assert report.created == int(inside.sum()) > 500
    assert {r for _ref, r in report.skipped} == {"hors du territoire"}
    assert len(report.skipped) == int((~inside).sum())
    points = {p.source_id: p for p in AddressPoint.objects.filter(source=f"file:{GPKG}")}
    assert len(points) == report.created
    for i in np.flatnonzero(inside):
        point = points[str(fields["ID_ADRESSE"][i])]
        assert point.civic_number == str(fields["NO_CIVIQUE"][i])
        assert point.street == fields["NOM_VOIE"][i]
        assert point.city == fields["MUNICIPALITE"][i]
        assert abs(point.geom.x - geoms[i].x) < 0.01 and abs(point.geom.y - geoms[i].y) < 0.01
    # OpenStreetMap's points are another source: untouched, told apart.
    assert AddressPoint.objects.filter(source="osm").count() == osm_before
    again = import_addresses(path, layer="adresses", commit=True, **FIELDS)
    assert (again.created, again.updated, again.retired) == (0, 0, 0)


def test_dry_run_saves_nothing(data_dir):
    before = AddressPoint.objects.count()
    report = import_addresses(data_dir / GPKG, layer="adresses", **FIELDS)
    assert report.created > 500 and not report.committed
    assert AddressPoint.objects.count() == before


def test_points_no_longer_in_the_file_are_retired_and_a_big_change_refused(data_dir, tmp_path):
    path = data_dir / GPKG
    import_addresses(path, layer="adresses", commit=True, **FIELDS)
    frame = pyogrio.read_dataframe(path, layer="adresses")
    inside = frame[shapely.intersects(territory(), frame.to_crs(settings.GUICHET_SRID)
                                      .geometry.values)]
    gone = inside.head(5)
    newer = tmp_path / "adresses-2027.gpkg"
    pyogrio.write_dataframe(frame.drop(gone.index), newer, layer="adresses")
    dry = import_addresses(newer, layer="adresses", source=f"file:{GPKG}", **FIELDS)
    assert dry.retired == 5 and AddressPoint.objects.filter(source=f"file:{GPKG}").count() \
        == len(inside)
    report = import_addresses(newer, layer="adresses", source=f"file:{GPKG}", commit=True,
                              **FIELDS)
    assert report.retired == 5 and report.created == 0
    left = set(AddressPoint.objects.filter(source=f"file:{GPKG}").values_list("source_id",
                                                                                 flat=True))
    assert not left & {str(i) for i in gone["ID_ADRESSE"]}
    # Half the town's addresses gone (a truncated export): refused, unless --force.
    half = tmp_path / "adresses-half.gpkg"
    pyogrio.write_dataframe(frame.iloc[: len(frame) // 2], half, layer="adresses")
    with pytest.raises(ImportFailed, match="--force"):
        import_addresses(half, layer="adresses", source=f"file:{GPKG}", commit=True, **FIELDS)
    forced = import_addresses(half, layer="adresses", source=f"file:{GPKG}", commit=True,
                              force=True, **FIELDS)
    assert forced.retired > 0.3 * len(left)


def test_a_wrong_field_name_lists_the_layer_s_fields(data_dir):
    with pytest.raises(CommandError) as error:
        call_command("import_addresses", str(data_dir / GPKG), "--layer", "adresses",
                     "--number-field", "NUMERO", "--street-field", "NOM_VOIE")
    message = str(error.value)
    assert "NUMERO" in message and "--number-field" in message
    for column in ("ID_ADRESSE", "NO_CIVIQUE", "NOM_VOIE", "MUNICIPALITE"):
        assert column in message


def test_a_file_without_crs_is_refused_unless_srid(data_dir):
    path = data_dir / "addresses_without_crs.gpkg"
    before = AddressPoint.objects.count()
    with pytest.raises(ImportFailed, match="--srid"):
        import_addresses(path, commit=True, **FIELDS)
    assert AddressPoint.objects.count() == before
    report = import_addresses(path, commit=True, source_srid=32188, **FIELDS)
    _fields, geoms = raw(data_dir / GPKG, "adresses")  # the same first 10 points, with a CRS
    assert report.created == int(shapely.intersects(territory(), geoms[:10]).sum())


def test_3d_points_are_flattened_and_counted(data_dir):
    report = import_addresses(data_dir / "addresses_3d.geojson", commit=True, **FIELDS)
    assert report.flattened == 10 and "2D : 10" in report.render()  # gisfile's count
    _meta, _fids, wkb, _values = pyogrio.raw.read(data_dir / "addresses_3d.geojson")
    assert shapely.has_z(shapely.from_wkb(wkb)).all()
    for point in AddressPoint.objects.filter(source="file:addresses_3d.geojson"):
        assert not point.geom.hasz


def test_bad_rows_are_each_reported(data_dir):
    report = import_addresses(data_dir / "addresses_bad_rows.geojson", commit=True,
                              number_field="NO_CIVIQUE", street_field="NOM_VOIE",
                              id_field="ID_ADRESSE")
    assert report.created == 1
    reasons = dict((ref.split(" ")[1], reason) for ref, reason in report.skipped
                   if ref.startswith("entité"))
    assert reasons == {"2": "pas de numéro civique ou pas de rue",
                       "3": "pas de numéro civique ou pas de rue",
                       "5": "hors du territoire", "6": "pas de géométrie ponctuelle"}
    duplicates = [ref for ref, reason in report.skipped if "plus d'une fois" in reason]
    assert len(duplicates) == 1


def test_without_an_id_field_the_address_is_the_key(data_dir):
    fields = {k: v for k, v in FIELDS.items() if k != "id_field"}
    report = import_addresses(data_dir / GPKG, layer="adresses", commit=True, **fields)
    values, geoms = raw(data_dir / GPKG, "adresses")
    inside = np.flatnonzero(shapely.intersects(territory(), geoms))
    distinct = {(values["NO_CIVIQUE"][i], values["NOM_VOIE"][i].lower(),
                 values["MUNICIPALITE"][i].lower()) for i in inside}
    assert report.created == len(distinct) > 450
    # The same address twice in the file: the second is reported, never written over the first.
    duplicates = [r for _ref, r in report.skipped if "plus d'une fois" in r]
    assert len(duplicates) == len(inside) - len(distinct) > 0
    assert AddressPoint.objects.filter(source=f"file:{GPKG}",
                                       source_id__regex=r"^[0-9]+ ").count() == report.created


def test_streets_from_the_municipal_road_layer(data_dir):
    path = data_dir / GPKG
    report = import_streets(path, layer="troncons", id_field="ID_TRONCON", kind_field="CLASSE",
                            commit=True)  # NOM_VOIE found as the name field
    fields, geoms = raw(path, "troncons")
    inside = shapely.intersects(territory(), geoms)
    assert report.created == int(inside.sum())
    streets = {s.source_id: s for s in Street.objects.filter(source=f"file:{GPKG}")}
    for i in np.flatnonzero(inside):
        street = streets[str(fields["ID_TRONCON"][i])]
        assert street.name == fields["NOM_VOIE"][i] and street.kind == fields["CLASSE"][i]
        assert abs(street.geom.length - geoms[i].length) < 0.01
    # The same roads came from OSM in the demo: the two sources live side by side.
    assert Street.objects.filter(source="osm").count() == report.created
    again = import_streets(path, layer="troncons", id_field="ID_TRONCON", kind_field="CLASSE",
                           commit=True)
    assert (again.created, again.updated, again.retired) == (0, 0, 0)


def test_streets_wrong_layer_or_field(data_dir):
    points = import_streets(data_dir / GPKG, layer="adresses", id_field="ID_ADRESSE")
    assert points.created == 0
    assert {reason for _ref, reason in points.skipped} == {"pas une ligne (Point)"}
    with pytest.raises(CommandError, match="ID_TRONCON, NOM_VOIE, CLASSE"):
        call_command("import_streets", str(data_dir / GPKG), "--layer", "troncons",
                     "--name-field", "NOM_RUE")
