"""The iCalendar feed, parsed back with `icalendar` and expanded with `recurring_ical_events`
(independent of our dateutil expansion), gives the same collections as the engine."""
import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from django.utils import timezone

from collections_schedule.holidays import load_holidays
from collections_schedule.models import CollectionException, Holiday, ZoneSet
from collections_schedule.schedule import collection_dates
from properties.models import Property

from .factories import active_zone

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("America/Montreal")


@pytest.fixture
def prop():
    ZoneSet.objects.all().delete()
    Holiday.objects.all().delete()
    this = timezone.localdate().year
    load_holidays(Holiday, [this, this + 1, this + 2])
    garbage = active_zone("garbage", "RRULE:FREQ=WEEKLY;BYDAY=FR", dt.date(2026, 1, 2),
                          policy="next_day")
    active_zone("organics", "RRULE:FREQ=WEEKLY;BYDAY=MO;BYMONTH=4,5,6,7,8,9,10,11\n"
                "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;BYMONTH=1,2,3,12", dt.date(2026, 1, 5))
    active_zone("bulky", "RRULE:FREQ=MONTHLY;BYDAY=1FR", dt.date(2026, 1, 2))
    today = timezone.localdate()
    CollectionException.objects.create(kind="cancelled", zone=garbage,
                                       date=_next_weekday(today + dt.timedelta(days=60), 4))
    CollectionException.objects.create(kind="extra", zone=garbage,
                                       date=today + dt.timedelta(days=40), note_fr="Grand ménage")
    return Property.objects.exclude(address_point=None).first()


def _next_weekday(day, iso):
    while day.isoweekday() != iso:
        day += dt.timedelta(days=1)
    return day


def _feed(client, prop):
    response = client.get(f"/collectes/propriete/{prop.pk}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def test_feed_expands_to_the_engines_dates(client, prop):
    cal = _feed(client, prop)
    today = timezone.localdate()
    start, end = today, today + dt.timedelta(days=300)
    events = recurring_ical_events.of(cal).between(start, end)
    got = {}
    for event in events:
        begin = event["DTSTART"].dt
        assert begin.tzinfo is not None and begin.astimezone(TZ).hour == 7  # DST or not
        got.setdefault(str(event["SUMMARY"]), set()).add(begin.astimezone(TZ).date())
    expected = {s.stream.name: {o.date for o in s.dates}
                for s in collection_dates(prop, start, end - dt.timedelta(days=1))}
    assert got == expected
    assert len(expected) == 3 and all(expected.values())


def test_holiday_shift_is_an_override_of_the_original_occurrence(client, prop):
    cal = _feed(client, prop)
    overrides = [e for e in cal.walk("VEVENT") if "RECURRENCE-ID" in e]
    shifted = {(e["RECURRENCE-ID"].dt.date(), e["DTSTART"].dt.date()) for e in overrides}
    holidays = set(Holiday.objects.values_list("date", flat=True))
    assert shifted, "a Friday garbage collection meets at least one holiday in a year"
    for original, new in shifted:
        assert original in holidays and new == original + dt.timedelta(days=1)


def test_uids_are_stable_and_the_timezone_is_montreal(client, prop):
    first, second = _feed(client, prop), _feed(client, prop)
    uids = sorted(str(e["UID"]) for e in first.walk("VEVENT"))
    assert uids == sorted(str(e["UID"]) for e in second.walk("VEVENT"))
    masters = [e for e in first.walk("VEVENT") if "RRULE" in e]
    assert len({str(e["UID"]) for e in masters}) == len(masters)
    assert [tz["TZID"] for tz in first.walk("VTIMEZONE")] == ["America/Montreal"]
    assert all(e["DTSTART"].params.get("TZID") == "America/Montreal" for e in masters)


def test_feed_of_an_unknown_property_is_404(client):
    assert client.get("/collectes/propriete/999999.ics").status_code == 404
