"""A report placed by a map click carries words for its place (issue 14): the nearest civic
address, else its street between the streets around it; stored with the report and shown in
the reader's language in "my requests", the public list and the clerk's queue; the same words
from the API while the citizen chooses the place."""
import pytest
from django.urls import reverse

from service_requests.models import ServiceRequest
from tests.citizens.conftest import make_citizen  # noqa: F401 (fixture)
from tests.service_requests.test_reporting import details_url, lonlat, post_report

pytestmark = pytest.mark.django_db


def building(prop):
    """The property's civic address without a unit, as a citizen reads it on the door."""
    first = prop.addresses.order_by("pk").first()
    return first.label.removeprefix(f"{first.unit}-") if first.unit else first.label


def test_a_map_click_beside_a_house_is_near_its_address_in_each_language(
        client, make_citizen, pothole, home):  # noqa: F811
    alice = make_citizen("alice@example.org")
    client.force_login(alice)
    lon, lat = lonlat(home)
    lon += 0.00005  # about 4 m east of the door
    details = client.get(details_url(pothole, lon, lat))
    assert f"près du {building(home)}" in details.content.decode()
    assert post_report(client, details_url(pothole, lon, lat)).status_code == 302
    report = ServiceRequest.objects.get(reporter=alice)
    assert report.place == {"kind": "near", "address": building(home)}
    assert report.address == f"près du {building(home)}"  # exports, search, Open311: French

    mine, public = reverse("service_requests:mine"), reverse("service_requests:public_list")
    mine_fr = client.get(mine).content.decode()
    assert f"près du {building(home)}" in mine_fr
    client.cookies.load({"django_language": "en"})
    mine_en = client.get("/en" + mine).content.decode()
    assert f"near {building(home)}" in mine_en and "près du" not in mine_en
    public_en = client.get("/en" + public).content.decode()
    assert f"near {building(home)}" in public_en


def test_a_typed_address_is_kept_as_typed(client, make_citizen, pothole, home):  # noqa: F811
    client.force_login(make_citizen("alice@example.org"))
    label = home.addresses.order_by("pk").first().label
    post_report(client, details_url(pothole, address=label))
    report = ServiceRequest.objects.get()
    assert (report.address, report.place) == (label, {})


def test_the_api_gives_the_words_of_a_point_in_both_languages(client, home):
    lon, lat = lonlat(home)
    url = reverse("property-place")
    answer = client.get(url, {"lon": lon, "lat": lat})
    assert answer.status_code == 200
    assert answer.json() == {"label_fr": f"près du {building(home)}",
                             "label_en": f"near {building(home)}",
                             "place": {"kind": "near", "address": building(home)}}
    assert client.get(url, {"lon": "x", "lat": lat}).status_code == 400
    assert client.get(url, {"lon": -75.5, "lat": 45.0}).status_code == 404  # outside the town
