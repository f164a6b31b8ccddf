"""The property API: detail, map click, bbox listing, and bad input that never gives a 500."""
import random

import pytest
import shapely
from django.conf import settings
from pyproj import Transformer

from properties.models import Property
from tests import independent

pytestmark = pytest.mark.django_db
to_ll = Transformer.from_crs(settings.GUICHET_SRID, 4326, always_xy=True)


def test_detail_has_current_roll_and_history(client):
    prop = Property.objects.filter(roll_entries__roll_year=2023).exclude(parcel=None).first()
    data = client.get(f"/api/properties/{prop.pk}/").json()
    assert data["type"] == "Feature" and data["geometry"]["type"] == "MultiPolygon"
    props = data["properties"]
    assert props["matricule"] == prop.matricule
    assert props["roll"]["roll_year"] == 2026
    assert [e["roll_year"] for e in props["roll_history"]] == [2026, 2023]
    assert props["roll"]["total_value"] == (props["roll"]["land_value"]
                                            + props["roll"]["building_value"])
    # WGS 84 out: the parcel's first vertex is within Pincourt's longitudes and latitudes.
    lon, lat = data["geometry"]["coordinates"][0][0][0]
    assert -74.03 < lon < -73.93 and 45.31 < lat < 45.42


def test_map_click_selects_the_parcel_under_the_point(client):
    rng = random.Random(7)
    lots = rng.sample(sorted(independent.parcels()), 15)
    for lot in lots:
        inner = independent.parcels()[lot].representative_point()  # computed by shapely
        lon, lat = to_ll.transform(inner.x, inner.y)
        response = client.get("/api/properties/at/", {"lon": lon, "lat": lat})
        assert response.status_code == 200
        assert lot in response.json()["properties"]["lots"]


def test_map_click_outside_the_territory_or_on_nothing(client):
    outside = client.get("/api/properties/at/", {"lon": -73.5537, "lat": 45.5088})
    assert outside.status_code == 404 and "territoire" in outside.json()["detail"]
    area = independent.territory()
    taken = shapely.union_all(list(independent.parcels().values())).buffer(20)
    empty = area.difference(taken).representative_point()
    lon, lat = to_ll.transform(empty.x, empty.y)
    nothing = client.get("/api/properties/at/", {"lon": lon, "lat": lat})
    assert nothing.status_code == 404


@pytest.mark.parametrize(("url", "status"), [
    ("/api/properties/999999/", 404),
    ("/api/properties/999999/nearby/", 404),
    ("/api/properties/abc/nearby/", 404),
    ("/api/properties/at/?lon=abc&lat=45", 400),
    ("/api/properties/at/?lat=45", 400),
    ("/api/properties/at/?lon=500&lat=45", 400),
    ("/api/places/?in_bbox=1,2,3", 400),
    ("/api/places/?in_bbox=-73,45,-74,46", 400),
    ("/api/places/?in_bbox=-80,40,-70,50", 400),
    ("/api/places/?page=999", 404),
    ("/api/places/?page_size=abc", 400),  # as documented: whole numbers, 1 to 1,000
    ("/api/places/?page_size=0", 400),
    ("/api/places/?page_size=1001", 400),
    ("/api/places/?page=", 400),
    ("/api/places/?page=0", 400),
    ("/api/places/?page_size=1000", 200),
    ("/api/places/?in_bbox=1e1,45,-73,46", 400),
    ("/api/places/?category=a%00b", 400),  # PostgreSQL cannot compare a NUL byte
    ("/api/collection-zones/?stream=volcano", 200),  # an unknown stream: no zone
    ("/api/reports/?category=volcano", 200),
    ("/api/properties/?in_bbox=x,y,z,w", 400),
    ("/propriete/999999/", 404),
])
def test_bad_input_is_a_clear_4xx_never_a_500(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    if status == 400:
        assert response.json()["detail"]


def test_nearby_radius_is_validated(client):
    prop = Property.objects.first()
    for radius in ("-5", "0", "abc", "100000"):
        response = client.get(f"/api/properties/{prop.pk}/nearby/", {"radius": radius})
        assert response.status_code == 400, radius
        assert "radius" in response.json()["detail"]


def test_places_in_bbox_by_category_match_shapely(client):
    west, south, east, north = -73.995, 45.375, -73.980, 45.390
    to_m = Transformer.from_crs(4326, settings.GUICHET_SRID, always_xy=True)
    box = shapely.box(*to_m.transform(west, south), *to_m.transform(east, north))
    expected = {osm_id for (osm_id, cat), g in independent.osm_places().items()
                if cat in ("park", "playground") and g.intersects(box.envelope)}
    data = client.get("/api/places/", {"in_bbox": f"{west},{south},{east},{north}",
                                       "category": "park,playground", "page_size": 1000}).json()
    assert data["type"] == "FeatureCollection"
    got_categories = {f["properties"]["category"] for f in data["features"]}
    assert got_categories <= {"park", "playground"}
    # The projected box is slightly larger than the lon/lat box: equal within its border.
    assert len(data["features"]) >= len(expected) - 1 and data["count"] == len(data["features"])


def test_places_are_paginated(client):
    first = client.get("/api/places/", {"page_size": 5}).json()
    assert len(first["features"]) == 5 and first["next"]
    second = client.get(first["next"]).json()
    assert not {f["id"] for f in first["features"]} & {f["id"] for f in second["features"]}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_nearby_is_what_its_serializer_documents(client, language):
    """The nearby API writes plain rows; NearbyPlaceSerializer documents the same GeoJSON, in
    the language asked for (a category without an English name in French)."""
    import json

    from django.utils import translation

    from geo.models import PlaceCategory
    from geo.serializers import NearbyPlaceSerializer
    from properties.selectors import nearby_places

    PlaceCategory.objects.filter(slug="transit").update(name_en="")
    props = Property.objects.exclude(parcel=None).order_by("pk")[:200:20]
    checked, names = 0, set()
    for prop in props:
        with translation.override(language):
            documented = NearbyPlaceSerializer(nearby_places(prop, wgs84=True), many=True).data
        response = client.get(f"/api/properties/{prop.pk}/nearby/",
                              HTTP_ACCEPT_LANGUAGE=language)
        assert response.json() == json.loads(json.dumps(documented))
        checked += len(documented["features"])
        names |= {f["properties"]["category_name"] for f in documented["features"]}
    assert checked > 20
    assert "Arrêt d'autobus" in names  # the fallback was met
    english = set(PlaceCategory.objects.exclude(slug="transit").values_list("name_en", flat=True))
    assert bool(names & english) == (language == "en")


def test_nearby_of_a_property_with_no_place_on_the_map_is_empty_and_of_none_a_404(client):
    """A roll unit with neither parcel nor address point (the demo has some) has no nearby
    place: an empty collection, not a 500; a property that does not exist is a 404."""
    unplaced = Property.objects.create(matricule="9999-99-9999-9-000-0000")
    response = client.get(f"/api/properties/{unplaced.pk}/nearby/")
    assert response.status_code == 200
    assert response.json() == {"type": "FeatureCollection", "features": []}
    missing = Property.objects.order_by("-pk").first().pk + 1000
    response = client.get(f"/api/properties/{missing}/nearby/")
    assert response.status_code == 404


def test_the_page_of_a_property_with_no_place_on_the_map_says_why_it_has_no_nearby_list(client):
    """Issue 12: such a page said "0 places within 300 m", as if the area were empty."""
    unplaced = Property.objects.create(matricule="9999-99-9999-9-000-0000")
    response = client.get(f"/propriete/{unplaced.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="not-located"' in page and "pas encore sur la carte" in page
    assert "0 lieu" not in page and "Aucun lieu" not in page
