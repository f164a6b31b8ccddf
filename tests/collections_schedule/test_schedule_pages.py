"""The schedule in the API and on the property page; the zones layer; the printable year."""
import datetime as dt
from itertools import pairwise

import pytest
import shapely
from django.utils import timezone

from collections_schedule.models import CollectionException, Holiday, ZoneSet
from geo.geometry import to_geos
from properties.models import Property

from .factories import active_zone

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    ZoneSet.objects.all().delete()
    Holiday.objects.all().delete()
    garbage = active_zone("garbage", "RRULE:FREQ=WEEKLY;BYDAY=TU", dt.date(2026, 1, 6),
                          code="G1")
    active_zone("recycling", "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", dt.date(2026, 1, 8),
                code="R1")
    return garbage, Property.objects.exclude(address_point=None).order_by("pk").first()


def test_api_gives_eight_dates_per_stream_and_the_watering_answer(client, setup):
    _, prop = setup
    data = client.get(f"/api/properties/{prop.pk}/schedule/").json()
    streams = {s["stream"]: s for s in data["streams"]}
    assert set(streams) == {"garbage", "recycling"}
    today = timezone.localdate()
    garbage = [dt.date.fromisoformat(d["date"]) for d in streams["garbage"]["dates"]]
    assert len(garbage) == 8 and garbage[0] >= today
    assert all(d.isoweekday() == 2 for d in garbage)
    assert all((b - a).days == 7 for a, b in pairwise(garbage))  # no holiday loaded
    assert streams["garbage"]["zone"]["code"] == "G1"
    assert streams["garbage"]["next_date"] == garbage[0].isoformat()
    assert {w["method"] for w in data["watering"]} == {"sprinkler", "handheld", "drip"}
    assert data["ical_url"].endswith(f"/collectes/propriete/{prop.pk}.ics")


def test_tomorrow_is_flagged(client, setup):
    garbage, prop = setup
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    CollectionException.objects.create(kind="extra", zone=garbage, date=tomorrow)
    data = client.get(f"/api/properties/{prop.pk}/schedule/").json()
    [streams] = [s for s in data["streams"] if s["stream"] == "garbage"]
    assert streams["next_date"] == tomorrow.isoformat() and streams["is_tomorrow"]
    html = client.get(f"/propriete/{prop.pk}/").content.decode()
    assert "Demain" in html


def test_property_page_shows_collections_and_watering(client, setup):
    _, prop = setup
    html = client.get(f"/propriete/{prop.pk}/").content.decode()
    assert 'data-testid="next-garbage"' in html and 'data-testid="next-recycling"' in html
    assert 'data-method="sprinkler"' in html
    assert f"/collectes/propriete/{prop.pk}.ics" in html


def test_zone_of_a_property_is_the_polygon_covering_its_address_point(client, setup):
    garbage, prop = setup
    # Split the zone: west half G1, east half G2; check with shapely which half holds the point.
    x0, y0, x1, y1 = garbage.geom.extent
    mid = (x0 + x1) / 2
    whole = shapely.from_wkt(garbage.geom.wkt)
    west = whole.intersection(shapely.box(x0, y0, mid, y1))
    east = whole.intersection(shapely.box(mid, y0, x1, y1))
    garbage.geom = to_geos(shapely.MultiPolygon([west]))
    garbage.save()
    garbage.zone_set.zones.create(code="G2", geom=to_geos(shapely.MultiPolygon([east])),
                                  rrules="FREQ=WEEKLY;BYDAY=WE", dtstart=dt.date(2026, 1, 7))
    for p in Property.objects.exclude(address_point=None)[:40]:
        point = shapely.from_wkt(p.address_point.wkt)
        expected = "G1" if west.covers(point) else "G2"
        data = client.get(f"/api/properties/{p.pk}/schedule/").json()
        [g] = [s for s in data["streams"] if s["stream"] == "garbage"]
        assert g["zone"]["code"] == expected


def test_zones_layer_and_bad_stream(client, setup):
    data = client.get("/api/collection-zones/", {"stream": "garbage"}).json()
    assert data["type"] == "FeatureCollection"
    assert [f["properties"]["code"] for f in data["features"]] == ["G1"]
    assert data["features"][0]["properties"]["days"] == [2]
    # A stream is any slug (as documented): an unknown one has no zone.
    unknown = client.get("/api/collection-zones/", {"stream": "volcano"})
    assert unknown.status_code == 200 and unknown.json()["features"] == []
    assert client.get("/api/properties/999999/schedule/").status_code == 404


def test_printable_year_has_every_collection(client, setup):
    _, prop = setup
    html = client.get(f"/collectes/propriete/{prop.pk}/2027/").content.decode()
    assert html.count('class="cal-month"') == 12
    days_2027 = [dt.date(2027, 1, 1) + dt.timedelta(days=d) for d in range(365)]
    tuesdays_2027 = sum(1 for d in days_2027 if d.isoweekday() == 2)
    thursdays_every_other = sum(1 for d in days_2027 if (d - dt.date(2026, 1, 8)).days % 14 == 0)
    assert html.count("Ordures ménagères</span>") == tuesdays_2027
    assert html.count("Matières recyclables</span>") == thursdays_every_other
    assert client.get(f"/collectes/propriete/{prop.pk}/1500/").status_code == 404


def test_property_page_sees_a_change_at_once_through_the_cache(client, setup):
    """The page's stream list is kept in Django's cache under the schedule data's version: a
    collection added after a first view (a write anywhere bumps the version) shows on the next
    view, for this property and for another one the same zones cover."""
    garbage, prop = setup
    other = (Property.objects.exclude(address_point=None).exclude(pk=prop.pk)
             .order_by("pk").first())
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    if tomorrow.isoweekday() == 2:  # tomorrow is a garbage Tuesday already: take the day after
        tomorrow += dt.timedelta(days=1)
    for pk in (prop.pk, other.pk):
        html = client.get(f"/propriete/{pk}/").content.decode()
        assert f'data-date="{tomorrow.isoformat()}"' not in html
    CollectionException.objects.create(kind="extra", zone=garbage, date=tomorrow)
    for pk in (prop.pk, other.pk):
        html = client.get(f"/propriete/{pk}/").content.decode()
        assert f'data-date="{tomorrow.isoformat()}"' in html, pk
