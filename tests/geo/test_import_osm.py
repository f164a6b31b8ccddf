"""import_osm on the real Pincourt extract (two overpass-turbo queries, read as one extract),
compared with an independent reading of the file; stale rows retired, duplicates reported."""
import io
import json

import pytest
from django.core.management import CommandError, call_command
from shapely.geometry import shape

from geo.importers.osm import import_osm
from geo.models import AddressPoint, Place, Street
from tests import independent

pytestmark = pytest.mark.django_db
OSM = independent.DEMO / "pincourt-osm-2022-10-29.geojson"
AMENITIES = independent.DEMO / "pincourt-amenities-osm-2022-10-24.geojson"


def _inside(feature):
    return independent.territory().intersects(independent.project(shape(feature["geometry"])))


def test_demo_load_holds_what_the_file_holds_inside_the_territory():
    features = json.loads(OSM.read_text())["features"]
    addresses = {f["properties"]["@id"] for f in features
                 if f["properties"].get("addr:housenumber") and f["properties"].get("addr:street")
                 and _inside(f)}
    assert addresses <= set(AddressPoint.objects.values_list("source_id", flat=True))
    places = {key for key in independent.osm_places()}
    stored = set(Place.objects.filter(source="osm").values_list("source_id", "category__slug"))
    assert stored == places
    named_streets = {f["properties"]["@id"] for f in features
                     if f["properties"].get("highway") in ("residential", "tertiary", "trunk")
                     and f["properties"].get("name") and _inside(f)}
    assert named_streets <= set(Street.objects.values_list("source_id", flat=True))


def test_reimport_changes_nothing():
    counts = (Place.objects.count(), AddressPoint.objects.count(), Street.objects.count())
    report = import_osm([OSM, AMENITIES], commit=True)
    assert (report.created, report.updated, report.retired) == (0, 0, 0)
    assert (Place.objects.count(), AddressPoint.objects.count(), Street.objects.count()) == counts
    outside = [ref for ref, reason in report.skipped if reason == "hors du territoire"]
    assert outside and all(ref.startswith(("way/", "node/", "relation/")) for ref in outside)


def _newer_extract(tmp_path, dropped):
    """The demo's main extract without some of its features, as a newer export would be."""
    doc = json.loads(OSM.read_text())
    doc["features"] = [f for f in doc["features"] if f["properties"]["@id"] not in dropped]
    path = tmp_path / "pincourt-newer.geojson"
    path.write_text(json.dumps(doc))
    return path


def test_what_a_newer_extract_no_longer_holds_is_reported_then_removed_on_commit(tmp_path):
    """The finding: places, streets and address points missing from a newer OSM file stayed
    for ever."""
    place = Place.objects.filter(source="osm", source_id__startswith="way/").first().source_id
    street = Street.objects.first().source_id
    address = AddressPoint.objects.filter(source_id__startswith="node/").first().source_id
    dropped = {place, street, address}
    path = _newer_extract(tmp_path, dropped)
    features = json.loads(OSM.read_text())["features"]
    assert len(json.loads(path.read_text())["features"]) == len(features) - 3
    out = io.StringIO()
    call_command("import_osm", str(path), str(AMENITIES), stdout=out)  # a dry run
    assert all(ref in out.getvalue() for ref in dropped), out.getvalue()
    assert Place.objects.filter(source_id=place).exists()
    call_command("import_osm", str(path), str(AMENITIES), "--commit", stdout=out)
    assert not Place.objects.filter(source_id=place).exists()
    assert not Street.objects.filter(source_id=street).exists()
    assert not AddressPoint.objects.filter(source_id=address).exists()


def test_one_query_of_the_two_alone_retires_what_only_the_other_holds():
    only_amenities = {f["properties"]["@id"] for f in json.loads(AMENITIES.read_text())[
        "features"]} - {f["properties"]["@id"] for f in json.loads(OSM.read_text())["features"]}
    loaded = only_amenities & set(Place.objects.values_list("source_id", flat=True))
    assert loaded
    report = import_osm(OSM, commit=True)
    assert report.retired >= len(loaded)
    assert not only_amenities & set(Place.objects.values_list("source_id", flat=True))


def test_an_extract_that_would_remove_most_rows_is_refused_unless_forced(tmp_path):
    streets = list(Street.objects.values_list("source_id", flat=True))
    path = _newer_extract(tmp_path, set(streets[: len(streets) // 2]))
    with pytest.raises(CommandError, match="--force"):
        call_command("import_osm", str(path), str(AMENITIES), "--commit")
    assert Street.objects.count() == len(streets)
    call_command("import_osm", str(path), str(AMENITIES), "--commit", "--max-change", "60")
    assert Street.objects.count() == len(streets) - len(streets) // 2


def test_an_element_twice_in_a_file_is_read_once_and_reported(tmp_path):
    doc = json.loads(OSM.read_text())
    first = next(f for f in doc["features"] if f["properties"].get("highway") == "residential"
                 and f["properties"].get("name") and _inside(f))
    twin = json.loads(json.dumps(first))
    twin["properties"]["name"] = "Rue copiée"
    doc["features"].append(twin)
    path = tmp_path / "twice.geojson"
    path.write_text(json.dumps(doc))
    report = import_osm([path, AMENITIES], commit=True)
    ref = first["properties"]["@id"]
    assert [r for r, _reason in report.skipped if r == ref] == [ref]
    assert Street.objects.get(source_id=ref).name == first["properties"]["name"]


def test_private_pools_are_not_public_places(tmp_path, no_leisure_groups):
    pool = {"type": "Feature", "properties": {"@id": "way/1", "leisure": "swimming_pool",
                                              "access": "private"},
            "geometry": {"type": "Point", "coordinates": [-73.9862, 45.3807]}}
    public = {**pool, "properties": {"@id": "way/2", "leisure": "swimming_pool",
                                     "name": "Piscine municipale"}}
    path = tmp_path / "pools.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [pool, public]}))
    import_osm(path, commit=True, force=True)  # the whole town's places are not in it: forced
    assert list(Place.objects.filter(source_id__in=["way/1", "way/2"])
                .values_list("source_id", flat=True)) == ["way/2"]
