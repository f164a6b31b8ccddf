"""A parent looks for a Saturday activity in the leisure catalogue, in a real browser: the
filter, the map's markers (one per place, leading to its groups in the list, by mouse or by
keyboard), a group's page and its map. axe-core finds no serious or critical violation."""
import re

import pytest
from playwright.sync_api import expect

from leisure.models import Group

from .test_property_map import _serious

pytestmark = [pytest.mark.django_db, pytest.mark.e2e]


def _saturday_groups():
    return set(Group.objects.filter(season__code="H2027", slots__weekdays__contains=[6])
               .values_list("code", flat=True))


def _listed(page):
    return {li.get_attribute("data-group") for li in page.locator("ul.groups > li").all()}


def test_filter_by_day_then_follow_a_marker_to_its_groups(page, site_url):
    page.goto(site_url + "/loisirs/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Activités de loisir — Hiver 2027")
    expect(page.locator("#leisure-map")).to_have_attribute("data-markers", "5")
    expect(page.locator(".leisure-marker")).to_have_count(5)
    assert len(_listed(page)) == 11
    assert _serious(page) == []

    # The filter: Saturdays.
    page.get_by_role("group", name="Jours").get_by_label("samedi").check()
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r"day=6"))
    saturday = _saturday_groups()
    assert saturday == {"PAT1-A", "PAT1-B", "PAT2-A", "HPN-A", "MINIBASKET-A"}
    assert _listed(page) == saturday
    expect(page.get_by_role("heading", name="5 groupes")).to_be_visible()
    # Their places only: the rink (4 groups) and a school (1).
    expect(page.locator(".leisure-marker")).to_have_count(2)
    assert sorted(page.locator(".leisure-marker").all_inner_texts()) == ["1", "4"]
    assert _serious(page) == []

    # The rink's marker, by keyboard: its popup leads to its groups in the list.
    rink = page.locator(".leaflet-marker-icon", has=page.locator(".leisure-marker",
                                                                  has_text="4"))
    rink.focus()
    rink.press("Enter")
    link = page.locator(".leaflet-popup-content a")
    expect(link).to_have_text("4 groupes : les voir dans la liste")
    link.click()
    page.wait_for_url(re.compile(r"place=\d+.*#groups|#groups"))
    assert "day=6" in page.url
    assert _listed(page) == {"PAT1-A", "PAT1-B", "PAT2-A", "HPN-A"}
    expect(page.locator(".leisure-marker")).to_have_count(1)
    assert not page.js_errors

    # 200 % zoom on a 1280 px screen: no horizontal scrolling.
    page.set_viewport_size({"width": 640, "height": 900})
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_a_groups_page_and_its_map(page, site_url, prefix):
    group = Group.objects.get(season__code="H2027", code="HPN-A")
    page.goto(f"{site_url}{prefix}/loisirs/groupes/{group.pk}/")
    expect(page.locator("#group-map")).to_have_attribute("data-loaded", "1")
    expect(page.locator("#group-map .leaflet-marker-icon")).to_have_count(1)
    expect(page.get_by_test_id("sessions").locator("li")).to_have_count(10)
    assert _serious(page) == []
    assert not page.js_errors
    page.set_viewport_size({"width": 390, "height": 800})
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
