"""Names on the maps are data (place names come from OpenStreetMap, which anyone can edit;
categories and streams from the admin): a name holding markup is shown as text in the popup, the
legend and the layers control, and its script never runs."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.people import in_thread as _in_thread

pytestmark = [pytest.mark.django_db, pytest.mark.e2e]

PLACE = '<img src=x onerror="window.__xss=\'place\'">'
CATEGORY = '<img src=x onerror="window.__xss=\'category\'"><b>Cat</b>'
STREAM = '<img src=x onerror="window.__xss=\'stream\'"><i>Stream</i>'
SLUG = "e2e-markup"


def _plant():
    """A place named with markup, in a category named with markup, inside a demo property's
    parcel; every collection stream renamed with markup. Returns (property id, old names)."""
    from collections_schedule.models import Stream
    from geo.models import Place, PlaceCategory
    from properties.models import CivicAddress

    address = (CivicAddress.objects.select_related("property").exclude(property__parcel=None)
               .filter(unit="").order_by("pk").first())
    category = PlaceCategory.objects.create(slug=SLUG, name_fr=CATEGORY, name_en=CATEGORY,
                                            color="#7c3aed")
    Place.objects.create(category=category, name=PLACE, source="e2e",
                         geom=address.property.parcel.point_on_surface)
    old = {}
    for stream in Stream.objects.all():
        old[stream.pk] = stream.name_fr
        stream.name_fr = STREAM
        stream.save(update_fields=["name_fr"])
    return address.property_id, old


def _remove(old):
    from collections_schedule.models import Stream
    from geo.models import Place, PlaceCategory

    Place.objects.filter(category__slug=SLUG).delete()
    PlaceCategory.objects.filter(slug=SLUG).delete()
    for pk, name in old.items():
        Stream.objects.filter(pk=pk).update(name_fr=name)


@pytest.fixture
def planted(django_db_blocker, clear_shared_cache):
    with django_db_blocker.unblock():
        pk, old = _in_thread(_plant)
    clear_shared_cache()
    yield pk
    with django_db_blocker.unblock():
        _in_thread(_remove, old)
    clear_shared_cache()


def test_names_with_markup_are_text_on_the_property_map(page, site_url, planted):
    page.goto(f"{site_url}/propriete/{planted}/")
    expect(page.locator("#property-map")).to_have_attribute("data-places-drawn", re.compile(r"\d+"))
    expect(page.locator("#property-map")).to_have_attribute("data-zones-drawn", re.compile(r"\d+"))

    # The legend: the category's name as text, after its swatch.
    item = page.locator("#map-legend .legend-item").filter(has_text="<b>Cat</b>")
    expect(item).to_have_text(CATEGORY)
    expect(item.locator("span.swatch")).to_have_count(1)
    assert item.locator("img, b").count() == 0

    # The marker's popup: the place's name and distance as text.
    page.locator(f'.place-icon span[data-category="{SLUG}"]').click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_have_text(f"{PLACE} — 0 m")
    assert popup.locator("img").count() == 0

    # The layers control: the streams' names as text.
    page.locator(".leaflet-control-layers").hover()
    names = page.locator(".leaflet-control-layers-overlays label span span")
    expect(names.first).to_have_text(f" {STREAM}")
    assert page.locator(".leaflet-control-layers img, .leaflet-control-layers i").count() == 0

    page.wait_for_timeout(300)  # an <img src=x> would have failed to load by now
    assert page.evaluate("window.__xss") is None
    assert page.locator("#property-map img[src=x], #map-legend img").count() == 0
    assert not page.js_errors


REPORT_CATEGORY = '<img src=x onerror="window.__xss=\'report\'"><u>Nid</u>'


def _plant_report():
    from properties.models import CivicAddress
    from service_requests.models import Category, Department, ServiceRequest

    address = (CivicAddress.objects.select_related("property").exclude(property__parcel=None)
               .filter(unit="").order_by("pk").first())
    department = Department.objects.order_by("pk").first()
    category = Category.objects.create(code=SLUG, name_fr=REPORT_CATEGORY,
                                       name_en=REPORT_CATEGORY, department=department)
    ServiceRequest.objects.create(category=category, department=department,
                                  location=address.property.parcel.point_on_surface,
                                  description="e2e", address=address.label)


def _remove_report():
    from service_requests.models import Category, ServiceRequest

    ServiceRequest.objects.filter(category__code=SLUG).delete()
    Category.objects.filter(code=SLUG).delete()


@pytest.fixture
def planted_report(django_db_blocker, clear_shared_cache):
    with django_db_blocker.unblock():
        _in_thread(_plant_report)
    clear_shared_cache()
    yield
    with django_db_blocker.unblock():
        _in_thread(_remove_report)
    clear_shared_cache()


def test_category_with_markup_is_text_on_the_reports_map(page, site_url, planted_report):
    page.goto(f"{site_url}/signalements/?category={SLUG}")
    expect(page.locator("#reports-map")).to_have_attribute("data-loaded", "1")
    page.locator("#reports-map .report-marker").click()  # a marker per status group (point 7)
    link = page.locator(".leaflet-popup-content a")
    expect(link).to_contain_text(REPORT_CATEGORY)
    assert page.locator(".leaflet-popup-content img, .leaflet-popup-content u").count() == 0
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None
    assert not page.js_errors
