"""Proximity on the real Pincourt data, checked against shapely + pyproj on the source files."""
import pytest

from geo.models import Place
from properties.models import Property
from tests import independent

pytestmark = pytest.mark.django_db


def _origin(prop):
    """The property's parcel, rebuilt from the generated parcels file (not from the database)."""
    shapes = [independent.parcels()[lot] for lot in prop.lots if lot in independent.parcels()]
    return independent.shapely.union_all(shapes) if shapes else None


def test_nearby_api_matches_independent_computation_for_every_property(client):
    refs = {p.pk: (p.source_id, p.category.slug) for p in Place.objects.select_related("category")}
    checked = 0
    for prop in Property.objects.exclude(parcel=None).order_by("pk"):
        origin = _origin(prop)
        if origin is None:
            continue
        expected = {(osm_id, cat): d for osm_id, cat, d in independent.places_within(origin, 300)}
        response = client.get(f"/api/properties/{prop.pk}/nearby/")
        assert response.status_code == 200
        features = response.json()["features"]
        got = {refs[f["id"]]: f["properties"]["distance_m"] for f in features}
        assert set(got) == set(expected), prop.matricule
        for key, distance in got.items():
            # The API rounds to 0.1 m; the independent distance is exact: 0.5 m is the promise.
            assert abs(distance - expected[key]) <= 0.5, (prop.matricule, key)
        assert [f["properties"]["distance_m"] for f in features] == sorted(got.values())
        assert all(f["properties"]["category"] == refs[f["id"]][1] for f in features)
        checked += 1
    assert checked > 500  # every demo property with a parcel (527 parcels, 3-unit condo)


def test_radius_is_a_parameter_and_a_setting(client, settings):
    prop = Property.objects.exclude(parcel=None).order_by("pk").first()
    origin = _origin(prop)
    wide = client.get(f"/api/properties/{prop.pk}/nearby/?radius=800").json()["features"]
    assert len(wide) == len(independent.places_within(origin, 800))
    settings.GUICHET_PROXIMITY_M = 100
    narrow = client.get(f"/api/properties/{prop.pk}/nearby/").json()["features"]
    assert len(narrow) == len(independent.places_within(origin, 100))
    assert len(narrow) < len(wide)


def test_property_without_parcel_measures_from_its_address_point(client):
    prop = Property.objects.exclude(parcel=None).exclude(address_point=None).first()
    point = prop.address_point.clone()
    Property.objects.filter(pk=prop.pk).update(parcel=None)
    point.transform(4326)
    origin = independent.project(independent.shapely.Point(point.x, point.y))
    expected = independent.places_within(origin, 300)
    features = client.get(f"/api/properties/{prop.pk}/nearby/").json()["features"]
    assert len(features) == len(expected)
    for feature, (_, _, distance) in zip(features, expected, strict=True):
        assert abs(feature["properties"]["distance_m"] - distance) <= 0.5


def test_property_page_lists_places_grouped_by_category_nearest_first(client):
    # The property with the most places around it, so that several categories show.
    prop = max(Property.objects.exclude(parcel=None)[:200],
               key=lambda p: len(independent.places_within(_origin(p), 300)))
    expected = independent.places_within(_origin(prop), 300)
    html = client.get(f"/propriete/{prop.pk}/").content.decode()
    assert html.count("data-place-id=") == len(expected)
    categories = {cat for _, cat, _ in expected}
    for cat in categories:
        assert f'data-category="{cat}"' in html
    assert len(categories) >= 2


def test_the_pages_places_by_id_are_nearby_places(settings):
    """The property page reads its places by the property's id in one raw statement
    (selectors.nearby_places_of): the same places, distances and categories as nearby_places,
    for every demo property, one without parcel, one with an empty parcel, one with neither."""
    from django.contrib.gis.geos import GEOSGeometry

    from properties.selectors import nearby_places, nearby_places_of

    props = list(Property.objects.order_by("pk"))
    no_parcel, empty, neither = props[1], props[2], props[3]
    Property.objects.filter(pk=no_parcel.pk).update(parcel=None)
    Property.objects.filter(pk=empty.pk).update(
        parcel=GEOSGeometry("MULTIPOLYGON EMPTY", srid=settings.GUICHET_SRID))
    Property.objects.filter(pk=neither.pk).update(parcel=None, address_point=None)

    def seen(places):
        return [(p.pk, p.name, p.address, p.distance.m, p.category.pk, p.category.slug,
                 p.category.name_fr, p.category.name_en, p.category.color,
                 p.category.sort_order, p.display_name) for p in places]

    found = 0
    for prop in Property.objects.order_by("pk"):
        expected = seen(nearby_places(prop))
        assert seen(nearby_places_of(prop.pk)) == expected, prop.pk
        found += bool(expected)
    assert found > 450  # most demo properties have places within 300 m
    assert seen(nearby_places_of(neither.pk)) == []
    empty.refresh_from_db()
    assert not empty.parcel  # measured from its address point
    assert seen(nearby_places_of(empty.pk)) == seen(nearby_places(empty)) != []


def test_the_api_measures_an_empty_parcel_from_the_address_point_as_the_page_does(client, settings):
    """A property whose parcel is stored empty (not NULL) has its nearby places measured from its
    address point, by the API as by the page (Property.location); the API's list was empty."""
    from django.contrib.gis.geos import GEOSGeometry

    prop = Property.objects.exclude(parcel=None).exclude(address_point=None).order_by("pk")[5]
    Property.objects.filter(pk=prop.pk).update(
        parcel=GEOSGeometry("MULTIPOLYGON EMPTY", srid=settings.GUICHET_SRID))
    point = prop.address_point.clone()
    point.transform(4326)
    expected = independent.places_within(
        independent.project(independent.shapely.Point(point.x, point.y)), 300)
    assert expected
    features = client.get(f"/api/properties/{prop.pk}/nearby/").json()["features"]
    assert len(features) == len(expected)
    for feature, (_, _, distance) in zip(features, expected, strict=True):
        assert abs(feature["properties"]["distance_m"] - distance) <= 0.5
    page = client.get(f"/propriete/{prop.pk}/").content.decode()
    assert page.count("data-place-id=") == len(expected)
