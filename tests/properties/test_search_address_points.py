"""Address search over the address points as well as the roll (issue 12, item 2): a property is
found by its civic address even when the roll has not linked it; an address point with no
property still answers "the address exists, no property record", on the API, on the home page
and in the report form. Real Pincourt addresses (OpenStreetMap, ODbL); the coordinates are
checked against the raw OSM file read with json (not the application's code)."""
import json
from html import unescape

import pytest
from django.urls import reverse

from geo.importers.addresses import import_addresses
from geo.models import AddressPoint
from properties.models import CivicAddress, Property
from service_requests.models import ServiceRequest
from tests.citizens.conftest import make_citizen  # noqa: F401 (fixture)
from tests.independent import DEMO
from tests.service_requests.test_reporting import details_url, post_report, pothole  # noqa: F401

pytestmark = pytest.mark.django_db
NO_RECORD = "Cette adresse existe, mais la ville n'a pas encore de fiche de propriété pour elle."


def _search(client, q):
    response = client.get("/api/properties/search/", {"q": q})
    assert response.status_code == 200
    return response.json()


def _osm_lonlat(osm_id):
    """The OSM feature's coordinates, read from the raw extract."""
    for feature in json.loads((DEMO / "pincourt-osm-2022-10-29.geojson").read_text())["features"]:
        if feature["properties"].get("@id") == osm_id:
            return tuple(feature["geometry"]["coordinates"])
    raise AssertionError(osm_id)


def _single_home():
    """A real address of the demo: one OSM point, one property (one civic address, the only
    unit at that point) whose parcel holds the point."""
    for point in AddressPoint.objects.filter(source="osm").order_by("pk"):
        if AddressPoint.objects.filter(search_text=point.search_text).count() != 1:
            continue
        owners = list(Property.objects.filter(address_point__equals=point.geom))
        if len(owners) != 1 or owners[0].addresses.count() != 1 or owners[0].parcel is None:
            continue
        if owners[0].addresses.get().search_text == point.search_text \
                and owners[0].parcel.covers(point.geom):
            return point, owners[0]
    raise AssertionError("no such address in the demo")


@pytest.fixture
def orphan_point():
    """A real address point whose property the roll does not have (deleted here): a town with
    address points and no roll, for this address."""
    point, prop = _single_home()
    prop.delete()
    return point


def test_an_address_only_a_point_has_answers_no_property_record(client, orphan_point):
    results = _search(client, f"{orphan_point.civic_number} {orphan_point.street}")
    assert results, "the address exists: the search must say so"
    first = results[0]
    assert first["kind"] == "address"
    assert first["property_id"] is None and first["url"] is None and first["matricule"] is None
    assert first["label"] == f"{orphan_point.civic_number} {orphan_point.street}"
    lon, lat = _osm_lonlat(orphan_point.source_id)
    assert abs(first["lon"] - lon) < 1e-6 and abs(first["lat"] - lat) < 1e-6
    # The same address from two sources (OSM, the town's file) answers once.
    import_addresses(DATA_GPKG, layer="adresses", number_field="NO_CIVIQUE",
                     street_field="NOM_VOIE", id_field="ID_ADRESSE", commit=True)
    again = _search(client, f"{orphan_point.civic_number} {orphan_point.street}")
    assert [r["label"] for r in again if r["kind"] == "address"] == [first["label"]]


def test_a_property_the_roll_has_not_linked_is_found_by_its_address_point(client):
    point, prop = _single_home()
    # The roll has not linked it yet: no civic address, no address point, only its parcel.
    CivicAddress.objects.filter(property=prop).delete()
    Property.objects.filter(pk=prop.pk).update(address_point=None)
    results = _search(client, f"{point.civic_number} {point.street}")
    assert results[0]["kind"] == "property"
    assert results[0]["property_id"] == prop.pk
    assert results[0]["url"] == reverse("portal:property", args=[prop.pk])
    assert results[0]["matricule"] == prop.matricule


def test_the_home_page_says_there_is_no_property_record(client, orphan_point):
    html = client.get("/", {"q": f"{orphan_point.civic_number} {orphan_point.street}"})
    html = unescape(html.content.decode())
    assert NO_RECORD in html
    results = html.split('id="results-title"')[1].split("</section>")[0]
    label = f"{orphan_point.civic_number} {orphan_point.street}"
    # Listed first, as text: no link to a property page (there is none).
    first = results.split("<li")[1]
    assert first.startswith(f' class="address-only">{label}.') and "href" not in first


def test_a_report_is_placed_by_an_address_with_no_property(client, make_citizen,  # noqa: F811
                                                           pothole, orphan_point):  # noqa: F811
    client.force_login(make_citizen("alice@example.org"))
    label = f"{orphan_point.civic_number} {orphan_point.street}"
    response = post_report(client, details_url(pothole, address=label))
    assert response.status_code == 302
    report = ServiceRequest.objects.get()
    assert report.address == label and report.property_id is None
    assert report.location.distance(orphan_point.geom) < 0.5  # metres, same CRS


def test_the_points_of_the_roll_s_properties_add_no_duplicate(client):
    """Every demo address is in the roll too: the points add no answer of their own."""
    point, prop = _single_home()
    results = _search(client, f"{point.civic_number} {point.street}")
    assert [r["kind"] for r in results].count("address") == 0
    assert [r["property_id"] for r in results].count(prop.pk) == 1


DATA_GPKG = DEMO.parent.parent / "tests" / "data" / "pincourt_municipal_epsg32188.gpkg"
