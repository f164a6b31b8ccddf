"""A group's sessions (leisure/recurrence.py) against an independent expansion: each slot
written as an iCalendar VEVENT (DTSTART, RRULE with UNTIL, EXDATE) with the `icalendar` package
and expanded by `recurring_ical_events`, and RFC 5545's own worked example."""
import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from django.utils import translation

from leisure.models import Group, TimeSlot
from leisure.recurrence import (
    MAX_OCCURRENCES,
    BadRule,
    WeeklyRule,
    check_slot,
    describe,
    expand,
    parse_rule,
    sessions,
)

TZ = ZoneInfo("America/Montreal")


def independent(rule_text, starts_on, ends_on, start_time, end_time, exceptions=()):
    """The sessions' (date, start) as a calendar application reads the slot."""
    event = icalendar.Event()
    event.add("uid", "slot@test")
    event.add("dtstart", dt.datetime.combine(starts_on, start_time, TZ))
    event.add("dtend", dt.datetime.combine(starts_on, end_time, TZ))
    until = dt.datetime.combine(ends_on, dt.time(23, 59, 59), TZ).astimezone(dt.UTC)
    event.add("rrule", icalendar.vRecur.from_ical(f"{rule_text};UNTIL="
                                                  f"{until:%Y%m%dT%H%M%SZ}"))
    for day in exceptions:
        event.add("exdate", dt.datetime.combine(day, start_time, TZ))
    calendar = icalendar.Calendar()
    calendar.add_component(event)
    found = recurring_ical_events.of(calendar).between(
        dt.datetime.combine(starts_on - dt.timedelta(days=1), dt.time(), TZ),
        dt.datetime.combine(ends_on + dt.timedelta(days=1), dt.time(), TZ))
    return sorted((e["DTSTART"].dt.date(), e["DTSTART"].dt.time()) for e in found)


CASES = [
    ("FREQ=WEEKLY;BYDAY=TU,TH", dt.date(2027, 1, 12), dt.date(2027, 3, 25), [dt.date(2027, 3, 2),
                                                                            dt.date(2027, 3, 4)]),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=SU", dt.date(2027, 1, 17), dt.date(2027, 3, 14), []),
    ("FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,FR;WKST=SU", dt.date(2026, 9, 7), dt.date(2026, 12, 18),
     [dt.date(2026, 10, 19)]),  # every third week from September 7: 28, October 19...
    ("FREQ=WEEKLY", dt.date(2026, 9, 12), dt.date(2026, 12, 12), []),  # the first day's weekday
    ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", dt.date(2027, 3, 1), dt.date(2027, 3, 5), []),
    # across the change to daylight saving time (2027-03-14) and a whole year
    ("FREQ=WEEKLY;BYDAY=SA,SU", dt.date(2027, 1, 2), dt.date(2027, 12, 26), [dt.date(2027, 3, 14)]),
]


@pytest.mark.parametrize(("rule", "starts_on", "ends_on", "exceptions"), CASES,
                         ids=[c[0] for c in CASES])
def test_a_slot_expands_as_a_calendar_application_reads_it(rule, starts_on, ends_on,
                                                           exceptions):
    parsed = parse_rule(rule)
    ours = check_slot(parsed, starts_on, ends_on, dt.time(18), dt.time(19), exceptions)
    assert ours == expand(parsed, starts_on, ends_on, exceptions)
    theirs = independent(rule, starts_on, ends_on, dt.time(18), dt.time(19), exceptions)
    assert [(day, dt.time(18)) for day in ours] == theirs
    assert ours and not set(exceptions) & set(ours)


@pytest.mark.django_db
def test_every_demo_slot_expands_as_a_calendar_application_reads_it():
    slots = list(TimeSlot.objects.filter(group__season__code="H2027"))
    assert len(slots) == 12
    for slot in slots:
        ours = expand(parse_rule(slot.rule), slot.starts_on, slot.ends_on, slot.exceptions)
        theirs = independent(slot.rule, slot.starts_on, slot.ends_on, slot.start_time,
                             slot.end_time, slot.exceptions)
        assert [(day, slot.start_time) for day in ours] == theirs, slot


@pytest.mark.django_db
def test_a_groups_sessions_merge_its_slots_in_order_from_a_date():
    hockey = Group.objects.get(season__code="H2027", code="HPN-A")  # Wed 17:30, Sat 12:00
    slots = list(hockey.slots.all())
    got = sessions(slots, start=dt.date(2027, 1, 14), limit=5)
    expected = sorted(item for slot in slots for item in independent(
        slot.rule, slot.starts_on, slot.ends_on, slot.start_time, slot.end_time,
        slot.exceptions) if item[0] >= dt.date(2027, 1, 14))[:5]
    assert [(s.date, s.start) for s in got] == expected == [
        (dt.date(2027, 1, 16), dt.time(12)), (dt.date(2027, 1, 20), dt.time(17, 30)),
        (dt.date(2027, 1, 23), dt.time(12)), (dt.date(2027, 1, 27), dt.time(17, 30)),
        (dt.date(2027, 1, 30), dt.time(12))]


def test_week_start_matters_as_in_rfc_5545():
    """RFC 5545, 3.3.10: DTSTART 1997-08-05, FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU gives
    Aug 5, 10, 19, 24 with WKST=MO, and Aug 5, 17, 19, 31 with WKST=SU (the RFC's own
    example; our slots end on a date: the 4 first are taken)."""
    start, end = dt.date(1997, 8, 5), dt.date(1997, 9, 30)
    monday = expand(parse_rule("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=MO"), start, end)[:4]
    sunday = expand(parse_rule("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU"), start, end)[:4]
    assert monday == [dt.date(1997, 8, d) for d in (5, 10, 19, 24)]
    assert sunday == [dt.date(1997, 8, d) for d in (5, 17, 19, 31)]


def test_the_expansion_is_bounded():
    every_day = parse_rule("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU")
    start = dt.date(2027, 1, 1)
    year = expand(every_day, start, start + dt.timedelta(days=366))
    assert len(year) == 367 <= MAX_OCCURRENCES
    assert len(expand(every_day, start, start + dt.timedelta(days=3000))) == MAX_OCCURRENCES
    with pytest.raises(BadRule):
        check_slot(every_day, start, start + dt.timedelta(days=367), dt.time(9), dt.time(10))
    with pytest.raises(BadRule):
        check_slot(every_day, start, start + dt.timedelta(days=100), dt.time(9), dt.time(10),
                   [start + dt.timedelta(days=n) for n in range(61)])


@pytest.mark.parametrize(("text", "words"), [
    ("", ["FREQ=WEEKLY"]),
    ("BYDAY=TU", ["FREQ"]),
    ("FREQ=DAILY", ["FREQ=DAILY", "FREQ=WEEKLY"]),
    ("FREQ=SECONDLY", ["FREQ=SECONDLY"]),
    ("FREQ=WEEKLY;BYDAY=LU", ["BYDAY=LU", "MO"]),
    ("FREQ=WEEKLY;BYDAY=1MO", ["BYDAY=1MO"]),
    ("FREQ=WEEKLY;INTERVAL=0", ["INTERVAL=0"]),
    ("FREQ=WEEKLY;INTERVAL=52", ["INTERVAL=52", "4"]),
    ("FREQ=WEEKLY;COUNT=10", ["COUNT"]),
    ("FREQ=WEEKLY;UNTIL=20270301", ["UNTIL"]),
    ("FREQ=WEEKLY;BYHOUR=18", ["BYHOUR"]),
    ("FREQ=WEEKLY;FREQ=WEEKLY", ["FREQ"]),
    ("FREQ=WEEKLY;BYDAY", ["BYDAY"]),
    ("FREQ=WEEKLY;WKST=XX", ["WKST=XX"]),
    ("FREQ=WEEKLY;" + "BYDAY=MO;" * 50, ["200"]),
])
def test_a_bad_rule_is_refused_with_what_to_write(text, words):
    with translation.override("en"), pytest.raises(BadRule) as err:
        parse_rule(text)
    assert all(word in str(err.value) for word in words), str(err.value)


def test_a_rule_is_stored_in_one_spelling():
    assert parse_rule("rrule:freq=weekly;byday=th,tu;interval=1").text() == \
        "FREQ=WEEKLY;BYDAY=TU,TH"
    assert parse_rule("FREQ=WEEKLY;WKST=SU;INTERVAL=2") == WeeklyRule(2, (), 7)


def test_a_slot_is_described_in_the_pages_language():
    start = dt.date(2027, 1, 12)
    with translation.override("en"):
        assert describe(parse_rule("FREQ=WEEKLY;BYDAY=TU,TH"), start) == \
            "Every week: Tuesday and Thursday"
        assert describe(parse_rule("FREQ=WEEKLY;INTERVAL=2"), start) == \
            "Every other week: Tuesday"
        assert describe(parse_rule("FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,WE,FR"), start) == \
            "Every 3 weeks: Monday, Wednesday and Friday"
    with translation.override("fr"):
        assert describe(parse_rule("FREQ=WEEKLY;BYDAY=TU,TH"), start) == \
            "Chaque semaine : mardi et jeudi"
        assert describe(parse_rule("FREQ=WEEKLY;INTERVAL=2;BYDAY=SU"), start) == \
            "Une semaine sur deux : dimanche"
