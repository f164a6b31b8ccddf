"""Watering allowed or forbidden for odd and even addresses on odd and even dates, at and
outside the by-law's hours and season, and during a ban."""
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from collections_schedule.importers.watering_bylaw import load_watering_bylaw
from collections_schedule.models import WateringBan, WateringRule
from collections_schedule.watering import watering_status
from properties.models import Property

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("America/Montreal")
BYLAW = Path(__file__).resolve().parents[2] / "data" / "pincourt" / "watering-bylaw-generated.json"


@pytest.fixture(autouse=True)
def bylaw():
    WateringBan.objects.all().delete()
    WateringRule.objects.all().delete()
    load_watering_bylaw(BYLAW)


def _property(parity):
    for prop in Property.objects.exclude(address_point=None).prefetch_related("addresses"):
        first = prop.addresses.order_by("pk").first()
        if first and first.civic_int is not None and first.civic_int % 2 == parity:
            return prop
    raise AssertionError("no demo property with that parity")


def answer(prop, when, method):
    return next(a for a in watering_status(prop, when) if a.method == method)


@pytest.mark.parametrize(("parity", "day", "allowed"), [
    (0, 14, True), (0, 15, False),  # even number: even dates only
    (1, 15, True), (1, 14, False),  # odd number: odd dates only
])
def test_sprinklers_by_civic_parity_and_date_parity(parity, day, allowed):
    prop = _property(parity)
    evening = dt.datetime(2027, 6, day, 21, 0, tzinfo=TZ)
    result = answer(prop, evening, "sprinkler")
    assert result.allowed_now is allowed
    assert result.slots, "the next allowed evening is always given"
    first = result.slots[0].start
    assert first.day % 2 == parity and first.hour == 20 and first.month == 6


def test_sprinklers_only_in_the_evening_window():
    prop = _property(0)
    assert not answer(prop, dt.datetime(2027, 6, 14, 19, 59, tzinfo=TZ), "sprinkler").allowed_now
    assert answer(prop, dt.datetime(2027, 6, 14, 20, 0, tzinfo=TZ), "sprinkler").allowed_now
    late = answer(prop, dt.datetime(2027, 6, 14, 23, 0, tzinfo=TZ), "sprinkler")
    assert not late.allowed_now
    assert late.slots[0].start == dt.datetime(2027, 6, 16, 20, 0, tzinfo=TZ)


def test_out_of_season_no_sprinkler_but_hand_held_any_time():
    prop = _property(1)
    october = dt.datetime(2027, 10, 15, 21, 0, tzinfo=TZ)
    assert not answer(prop, october, "sprinkler").allowed_now
    assert answer(prop, october, "handheld").allowed_now
    assert answer(prop, dt.datetime(2027, 6, 14, 3, 0, tzinfo=TZ), "handheld").allowed_now


def test_a_ban_overrides_the_rules_and_says_so():
    prop = _property(0)
    # The demo's example heat-wave ban: July 12-16 2027, sprinklers only.
    during = dt.datetime(2027, 7, 14, 21, 0, tzinfo=TZ)  # even date, in the hours
    sprinkler = answer(prop, during, "sprinkler")
    assert not sprinkler.allowed_now
    assert sprinkler.ban is not None and "Canicule" in sprinkler.reason
    assert sprinkler.slots[0].start >= dt.datetime(2027, 7, 16, 23, 59, tzinfo=TZ)
    assert answer(prop, during, "handheld").allowed_now  # the ban names sprinklers only
    before = answer(prop, dt.datetime(2027, 7, 10, 21, 0, tzinfo=TZ), "sprinkler")
    assert before.allowed_now


def test_a_rule_limited_to_an_area_does_not_apply_outside_it():
    prop = _property(0)
    noon = dt.datetime(2027, 6, 14, 12, 0, tzinfo=TZ)
    srid = prop.address_point.srid
    elsewhere = Polygon.from_bbox((0, 0, 10, 10))  # far from Pincourt, in the same CRS
    elsewhere.srid = srid
    WateringRule.objects.filter(method="drip").update(area=MultiPolygon(elsewhere))
    assert not answer(prop, noon, "drip").allowed_now
    WateringRule.objects.filter(method="drip").update(
        area=MultiPolygon(prop.address_point.buffer(50)))
    assert answer(prop, noon, "drip").allowed_now
