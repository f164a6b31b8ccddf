"""import_osm on the real Pincourt extract, compared with an independent reading of the file."""
import json

import pytest
from shapely.geometry import shape

from geo.importers.osm import import_osm
from geo.models import AddressPoint, Place, Street
from tests import independent

pytestmark = pytest.mark.django_db
OSM = independent.DEMO / "pincourt-osm-2022-10-29.geojson"


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


def test_reimport_updates_and_creates_nothing():
    counts = (Place.objects.count(), AddressPoint.objects.count(), Street.objects.count())
    report = import_osm(OSM, commit=True)
    assert report.created == 0 and report.updated > 0
    assert (Place.objects.count(), AddressPoint.objects.count(), Street.objects.count()) == counts
    outside = [ref for ref, reason in report.skipped if reason == "hors du territoire"]
    assert outside and all(ref.startswith(("way/", "node/", "relation/")) for ref in outside)


def test_private_pools_are_not_public_places(tmp_path):
    pool = {"type": "Feature", "properties": {"@id": "way/1", "leisure": "swimming_pool",
                                              "access": "private"},
            "geometry": {"type": "Point", "coordinates": [-73.9862, 45.3807]}}
    public = {**pool, "properties": {"@id": "way/2", "leisure": "swimming_pool",
                                     "name": "Piscine municipale"}}
    path = tmp_path / "pools.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [pool, public]}))
    import_osm(path, commit=True)
    assert list(Place.objects.filter(source_id__in=["way/1", "way/2"])
                .values_list("source_id", flat=True)) == ["way/2"]
