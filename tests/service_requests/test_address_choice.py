"""The report form never guesses an address (issue 14, point 6): an address that names one
building goes on with that building's address (not one of its units); one that may mean
several places offers them to choose from, each told apart; one that matches nothing says so
on the same step, in the citizen's language."""
import re
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from properties.models import CivicAddress

pytestmark = pytest.mark.django_db


def step1(client, pothole, address, prefix=""):
    return client.get(prefix + reverse("service_requests:report"),
                      {"category": pothole.code, "address": address})


def test_a_building_with_units_is_one_place_named_without_a_unit(client, pothole):
    unit = CivicAddress.objects.exclude(unit="").exclude(property__address_point=None).first()
    building = unit.label.removeprefix(f"{unit.unit}-")
    number, street = building.split(" ", 1)
    # "92 Cardinal-Léger": the street's last word only, as people type it.
    response = step1(client, pothole, f"{number} {street.split()[-1]}")
    assert response.status_code == 302
    query = parse_qs(urlparse(response.url).query)
    assert query["address"] == [building]
    assert query["lon"] and query["lat"]


def test_an_address_that_may_mean_two_places_offers_both(client, pothole):
    # The demo has 140 on both the 5e Avenue and the Boulevard 5e.
    labels = set(CivicAddress.objects.filter(civic_number="140", street_name__icontains="5e")
                 .values_list("label", flat=True))
    assert len(labels) >= 2, labels
    page = step1(client, pothole, "140 5e")
    assert page.status_code == 200
    html = page.content.decode()
    block = html[html.index('data-testid="address-choices"'):]
    block = block[:block.index("</div>")]
    links = [unescape(href) for href in re.findall(r'href="([^"]+)"', block)]
    offered = {parse_qs(urlparse(link).query)["address"][0] for link in links}
    assert offered == labels
    assert "Plusieurs adresses correspondent" in block
    # Each choice goes on to the details with its own place.
    places = {tuple(parse_qs(urlparse(link).query)[k][0] for k in ("lon", "lat"))
              for link in links}
    assert len(places) == len(links)
    assert client.get(links[0]).status_code == 200


def test_an_unknown_address_is_said_on_the_first_step_in_each_language(client, pothole):
    french = step1(client, pothole, "999 Rue Imaginaire")
    assert french.status_code == 400
    assert "Aucune adresse ne correspond" in french.content.decode()
    english = step1(client, pothole, "999 Rue Imaginaire", prefix="/en")
    assert english.status_code == 400
    assert "No address matches" in english.content.decode()
