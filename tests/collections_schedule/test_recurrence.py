"""Collection dates: recurrences, every-other-week parity, seasons, DST and year ends, holiday
shifts and explicit exceptions. Expected dates are computed beside each test by stepping days
with datetime (independent of dateutil), or are calendar facts noted in a comment."""
import datetime as dt

import pytest

from collections_schedule.holidays import load_holidays, quebec_statutory_holidays
from collections_schedule.models import CollectionException, Holiday, ZoneSet
from collections_schedule.recurrence import occurrences
from collections_schedule.schedule import collection_dates
from properties.models import Property

from .factories import active_zone

pytestmark = pytest.mark.django_db
D = dt.date


def every(start, end, step_days, first):
    """Dates from `first` every `step_days` days, kept between start and end (inclusive)."""
    out, day = [], first
    while day <= end:
        if day >= start:
            out.append(day)
        day += dt.timedelta(days=step_days)
    return out


def dates(zone, start, end):
    holidays = {h.date: h for h in Holiday.objects.all()}
    exceptions = list(CollectionException.objects.all())
    return [o.date for o in occurrences(zone, start, end, holidays=holidays,
                                        exceptions=exceptions)]


@pytest.fixture(autouse=True)
def blank_slate():
    """Each test sets its own zones and holidays (the demo's are removed, in the test's
    transaction only)."""
    Holiday.objects.all().delete()
    ZoneSet.objects.all().delete()


def test_quebec_statutory_holidays_2026():
    # The 2026 calendar (Commission des normes, de l'équité, de la santé et de la sécurité du
    # travail): Good Friday April 3, Patriots' Day May 18, Labour Day September 7,
    # Thanksgiving October 12.
    days = {d for d, _, _ in quebec_statutory_holidays(2026)}
    assert days == {D(2026, 1, 1), D(2026, 4, 3), D(2026, 5, 18), D(2026, 6, 24), D(2026, 7, 1),
                    D(2026, 9, 7), D(2026, 10, 12), D(2026, 12, 25)}
    # Patriots' Day is the Monday before May 25, even when May 25 is itself a Monday (2026: no;
    # 2020: May 25 was a Monday, the holiday was May 18).
    assert D(2020, 5, 18) in {d for d, _, _ in quebec_statutory_holidays(2020)}


def test_weekly_on_tuesday_across_a_year_end():
    zone = active_zone("garbage", "RRULE:FREQ=WEEKLY;BYDAY=TU", D(2026, 1, 6))
    start, end = D(2026, 12, 1), D(2027, 1, 31)
    assert dates(zone, start, end) == every(start, end, 7, D(2026, 1, 6))  # Jan 6 2026: Tuesday


def test_every_other_week_keeps_its_parity_from_the_start_date():
    first = D(2026, 1, 15)  # a Thursday
    zone = active_zone("recycling", "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", first)
    start, end = D(2027, 3, 1), D(2027, 6, 30)
    got = dates(zone, start, end)
    assert got == every(start, end, 14, first)
    assert all((d - first).days % 14 == 0 for d in got)


def test_weekly_in_season_then_every_other_week():
    zone = active_zone("organics",
                       "RRULE:FREQ=WEEKLY;BYDAY=MO;BYMONTH=4,5,6,7,8,9,10,11\n"
                       "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;BYMONTH=1,2,3,12", D(2026, 1, 5))
    got = dates(zone, D(2026, 11, 1), D(2027, 1, 31))
    november = [d for d in got if d.month == 11]
    winter = [d for d in got if d.month in (12, 1)]
    assert november == every(D(2026, 11, 1), D(2026, 11, 30), 7, D(2026, 1, 5))
    assert winter == every(D(2026, 12, 1), D(2027, 1, 31), 14, D(2026, 1, 5))


def test_dst_changes_do_not_move_the_weekday():
    # 2027: DST starts March 14, ends November 7 (second Sunday of March, first of November).
    zone = active_zone("garbage", "RRULE:FREQ=WEEKLY;BYDAY=MO", D(2027, 1, 4))
    for start, end in ((D(2027, 3, 1), D(2027, 3, 31)), (D(2027, 11, 1), D(2027, 11, 30))):
        got = dates(zone, start, end)
        assert got == every(start, end, 7, D(2027, 1, 4))
        assert {d.isoweekday() for d in got} == {1}


def test_a_collection_on_a_statutory_holiday_moves_to_the_next_day():
    load_holidays(Holiday, [2026, 2027])
    # Christmas 2026 and New Year's Day 2027 are Fridays.
    zone = active_zone("garbage", "RRULE:FREQ=WEEKLY;BYDAY=FR", D(2026, 1, 2), policy="next_day")
    got = dates(zone, D(2026, 12, 14), D(2027, 1, 10))
    assert got == [D(2026, 12, 18), D(2026, 12, 26), D(2027, 1, 2), D(2027, 1, 8)]
    occ = {o.date: o for o in occurrences(zone, D(2026, 12, 20), D(2027, 1, 5),
                                          holidays={h.date: h for h in Holiday.objects.all()},
                                          exceptions=[])}
    assert occ[D(2026, 12, 26)].original == D(2026, 12, 25)
    assert occ[D(2026, 12, 26)].note == "Noël"


def test_holiday_policies_cancel_and_keep():
    load_holidays(Holiday, [2026])
    canada_day = D(2026, 7, 1)  # a Wednesday
    cancelled = active_zone("construction", "RRULE:FREQ=WEEKLY;BYDAY=WE", D(2026, 1, 7),
                            policy="cancel")
    assert canada_day not in dates(cancelled, D(2026, 6, 29), D(2026, 7, 5))
    kept = active_zone("bulky", "RRULE:FREQ=WEEKLY;BYDAY=WE", D(2026, 1, 7), code="K",
                       policy="keep")
    assert canada_day in dates(kept, D(2026, 6, 29), D(2026, 7, 5))


def test_explicit_exceptions_moved_cancelled_extra_and_priority_over_holidays():
    load_holidays(Holiday, [2026])
    zone = active_zone("garbage", "RRULE:FREQ=WEEKLY;BYDAY=WE", D(2026, 1, 7), policy="next_day")
    CollectionException.objects.create(kind="moved", zone=zone, date=D(2026, 7, 1),
                                       new_date=D(2026, 6, 30), note_fr="Devancée")
    CollectionException.objects.create(kind="cancelled", stream=zone.zone_set.stream,
                                       date=D(2026, 7, 8))
    CollectionException.objects.create(kind="extra", date=D(2026, 7, 11))  # every stream
    got = dates(zone, D(2026, 6, 28), D(2026, 7, 19))
    # Canada Day moved by hand to the day before (not the holiday rule's next day); July 8
    # cancelled; an extra Saturday.
    assert got == [D(2026, 6, 30), D(2026, 7, 11), D(2026, 7, 15)]


def test_a_future_zone_set_takes_over_on_its_date():
    active_zone("garbage", "RRULE:FREQ=WEEKLY;BYDAY=TU", D(2026, 1, 6), code="OLD",
                effective_from=D(2020, 1, 1))
    active_zone("garbage", "RRULE:FREQ=WEEKLY;BYDAY=TH", D(2027, 2, 4), code="NEW",
                effective_from=D(2027, 2, 1))
    prop = Property.objects.exclude(address_point=None).first()
    [garbage] = [s for s in collection_dates(prop, D(2027, 1, 15), D(2027, 2, 20))
                 if s.stream.slug == "garbage"]
    assert garbage.zone.code == "OLD"
    assert [d.date for d in garbage.dates] == [D(2027, 1, 19), D(2027, 1, 26), D(2027, 2, 4),
                                               D(2027, 2, 11), D(2027, 2, 18)]
