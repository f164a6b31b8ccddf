"""A citizen finds their property by typing its address and sees the roll and the nearby places,
in a real browser. axe-core checks accessibility."""
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from properties.models import CivicAddress
from tests import independent

pytestmark = [pytest.mark.django_db, pytest.mark.e2e]


def _serious(page):
    results = Axe().run(page)
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


@pytest.fixture
def target():
    """A real Pincourt address with places around it."""
    best = None
    for address in CivicAddress.objects.select_related("property").exclude(
            property__parcel=None).filter(unit="").order_by("pk")[:80]:
        shapes = [independent.parcels()[lot] for lot in address.property.lots]
        expected = independent.places_within(independent.shapely.union_all(shapes), 300)
        if best is None or len(expected) > len(best[1]):
            best = (address, expected)
    return best


@pytest.mark.parametrize("language", ["fr", "en"])
def test_type_address_pick_suggestion_see_roll_and_nearby(page, site_url, target, language):
    """In either language, with a browser that asks for French (fr-CA): the suggestion opens
    the property's page in the page's language, its map's words in that language too."""
    address, expected = target
    prop = address.property
    prefix = "/en" if language == "en" else ""
    page.goto(f"{site_url}{prefix}/")
    box = page.get_by_role("combobox")
    box.click()
    # Typed the way people type: lower case, no accents, abbreviated.
    typed = f"{address.civic_number} {address.street_name.lower().replace('é', 'e')}"
    box.press_sequentially(typed, delay=20)
    option = page.get_by_role("option", name=re.compile(re.escape(address.label)))
    expect(option.first).to_be_visible()
    box.press("ArrowDown")
    while page.get_attribute("#address-search", "aria-activedescendant") and \
            address.label not in page.locator("[aria-selected=true]").inner_text():
        box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url(f"{site_url}{prefix}/propriete/{prop.pk}/")

    expect(page.get_by_role("heading", level=1)).to_have_text(address.label)
    roll = prop.roll_entries.get(roll_year=2026)
    total = page.get_by_test_id("total-value").inner_text()
    assert re.sub(r"\D", "", total) == str(roll.total_value)
    assert re.sub(r"\D", "", page.get_by_test_id("land-value").inner_text()) == str(roll.land_value)

    # The text list holds exactly the places the independent computation finds, with distances.
    items = page.locator("ul.nearby li")
    expect(items).to_have_count(len(expected))
    shown = sorted(float(d) for d in items.locator(".distance").evaluate_all(
        "els => els.map(e => e.dataset.distance)"))
    assert all(abs(a - b[2]) <= 0.5 for a, b in zip(shown, expected, strict=True))

    # The map draws the parcel and one marker or shape per place.
    expect(page.locator("#property-map")).to_have_attribute("data-places-drawn", str(len(expected)))
    assert page.locator("#property-map path.leaflet-interactive").count() >= 1
    assert page.locator("#map-legend .legend-item").count() == len({c for _, c, _ in expected})
    assert _legend(page) == _category_names(expected, language)  # the page's language
    assert not page.js_errors


def _legend(page):
    return set(page.locator("#map-legend .legend-item").all_inner_texts())


def _category_names(expected, language):
    from geo.models import PlaceCategory

    return set(PlaceCategory.objects.filter(slug__in={c for _, c, _ in expected})
               .values_list(f"name_{language}", flat=True))


def test_map_click_opens_the_property(page, site_url, target):
    address, _ = target
    point = address.property.parcel.point_on_surface
    point.transform(4326)
    page.goto(f"{site_url}/#map=18/{point.y:.7f}/{point.x:.7f}")  # the parcel at the centre
    # The parcels are the basemap's (vector tiles): wait until it has drawn them.
    expect(page.locator("#town-map")).to_have_attribute("data-basemap-ready", "1")
    box = page.locator("#town-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(f"**/propriete/{address.property_id}/")


def test_english_switch(page, site_url, target):
    """One language on a page, the map's words too: the legend's categories come from the API,
    which the browser (fr-CA here) would otherwise ask in French."""
    address, expected = target
    page.goto(f"{site_url}/propriete/{address.property_id}/")
    expect(page.get_by_role("heading", name="Rôle d'évaluation")).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Evaluation roll")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.locator("#property-map")).to_have_attribute("data-places-drawn", str(len(expected)))
    english = _category_names(expected, "en")
    assert english != _category_names(expected, "fr")
    assert _legend(page) == english


@pytest.mark.parametrize("path", ["/", "/propriete/{pk}/"])
def test_no_serious_accessibility_violation_and_usable_at_200_percent(page, site_url, target,
                                                                      path):
    address, _ = target
    page.goto(site_url + path.format(pk=address.property_id))
    page.wait_for_load_state("networkidle")
    assert _serious(page) == []
    # 200 % zoom on a 1280 px screen is a 640 px viewport: no horizontal scrolling.
    page.set_viewport_size({"width": 640, "height": 900})
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    assert not overflow


def test_suggestions_stay_above_the_map_escape_keeps_the_text(page, site_url):
    """The home page's suggestions are not covered by the map's zoom control (the 4th and 5th
    used to be), and Escape closes the list without erasing what was typed."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(site_url + "/")
    box = page.get_by_role("combobox")
    box.click()
    box.press_sequentially("rue", delay=20)
    options = page.get_by_role("option")
    expect(options.nth(4)).to_be_visible()
    for i in range(options.count()):
        centre = options.nth(i).bounding_box()
        on_top = page.evaluate("([x, y]) => document.elementFromPoint(x, y)?.getAttribute('role')",
                               [centre["x"] + 20, centre["y"] + centre["height"] / 2])
        assert on_top == "option", (i, on_top)
    box.press("Escape")
    expect(page.locator("#address-suggestions")).to_be_hidden()
    expect(box).to_have_value("rue")
    assert not page.js_errors


@pytest.mark.parametrize("prefix, width, label, go_on", [
    ("", 1280, "Adresse", "Continuer"), ("/en", 390, "Address", "Continue")])
def test_the_report_form_suggests_addresses_and_places_the_choice(page, site_url, prefix, width,
                                                                  label, go_on):
    """Without the map: type an address, choose a suggestion with the keyboard, go on; the
    details page names that address. In French on a desktop, in English on a phone."""
    page.set_viewport_size({"width": width, "height": 900})
    unit = CivicAddress.objects.exclude(unit="").exclude(property__address_point=None).first()
    building = unit.label.removeprefix(f"{unit.unit}-")
    page.goto(site_url + prefix + "/signaler/")
    field = page.get_by_role("combobox", name=re.compile(label))
    field.press_sequentially(building.split(" ", 1)[0] + " " + building.split()[-1], delay=20)
    expect(page.get_by_role("option").first).to_be_visible()
    field.press("ArrowDown")
    field.press("Enter")
    expect(field).to_have_value(re.compile(re.escape(building.split(" ", 1)[1])))
    assert page.locator("input[name=lon]").input_value() != ""
    expect(page.locator("p[role=status][data-chosen]")).not_to_be_empty()
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    page.locator("#id_category").select_option(index=1)
    page.get_by_role("button", name=go_on).click()
    page.wait_for_url("**/signaler/details/**")
    expect(page.locator("main")).to_contain_text(building.split(" ", 1)[1])
    assert not page.js_errors
