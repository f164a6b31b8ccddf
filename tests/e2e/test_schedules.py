"""On a property page, a citizen sees the next collection dates and the watering answer; the
yearly calendar prints on one page."""
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from collections_schedule.schedule import next_collections
from collections_schedule.watering import watering_status
from properties.models import Property

pytestmark = [pytest.mark.django_db, pytest.mark.e2e]


@pytest.fixture
def prop():
    return Property.objects.exclude(address_point=None).exclude(parcel=None).order_by("pk")[10]


def test_property_page_shows_next_collections_and_watering(page, site_url, prop):
    schedules = next_collections(prop)
    assert schedules, "the demo loads collection zones"
    page.goto(f"{site_url}/propriete/{prop.pk}/")
    section = page.get_by_test_id("collections")
    for s in schedules:
        nxt = section.get_by_test_id(f"next-{s.stream.slug}")
        expect(nxt).to_have_attribute("data-date", s.next.date.isoformat())
    answers = {a.method: a for a in watering_status(prop, timezone.localtime())}
    for method, answer in answers.items():
        item = page.locator(f'[data-testid="watering"] li[data-method="{method}"]')
        expect(item).to_have_attribute("data-allowed", "yes" if answer.allowed_now else "no")
    # The zones are drawn, the property's zone among them.
    expect(page.locator("#property-map")).to_have_attribute("data-zones-drawn",
                                                            re.compile(r"[1-9]"))


def test_yearly_calendar_prints_on_one_page(page, site_url, prop):
    year = timezone.localdate().year
    page.goto(f"{site_url}/collectes/propriete/{prop.pk}/{year}/")
    expect(page.locator("table.cal-month")).to_have_count(12)
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 1
