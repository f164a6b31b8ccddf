"""A property's collections as an iCalendar feed (RFC 5545) that calendar apps subscribe to.

Each line of a zone's recurrence becomes one recurring event, from its first collection in the
feed's window to its last, with the exceptions written the standard way: EXDATE for a cancelled
date, an override event with RECURRENCE-ID for a moved one (holiday shifts included), a separate
event for an extra date. UIDs are stable (zone set, zone, stream, rule line), so a refresh updates
events instead of duplicating them. Times are local to America/Montreal (TIME_ZONE), with the
VTIMEZONE included."""
import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from icalendar import Calendar, Event, vRecur

from .recurrence import regular_dates, rrule_lines
from .schedule import collection_dates

PRODID = "-//Guichet//Collectes//FR"


def property_calendar(prop, start: dt.date, end: dt.date, title: str) -> Calendar:
    tz = ZoneInfo(settings.TIME_ZONE)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", title)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for schedule in collection_dates(prop, start, end):
        for zone, lo, hi in schedule.segments:
            occs = [o for o in schedule.dates if o.zone_id == zone.pk and lo <= o.date <= hi]
            for event in _zone_events(schedule.stream, zone, lo, hi, occs, tz, stamp):
                cal.add_component(event)
    cal.add_missing_timezones()
    return cal


def _zone_events(stream, zone, lo, hi, occs, tz, stamp):
    def at(day):
        return dt.datetime.combine(day, zone.starts_at, tzinfo=tz)

    def event(uid, day, note=""):
        e = Event()
        e.add("uid", f"guichet-{zone.zone_set_id}-{zone.pk}-{stream.slug}-{uid}@"
                     f"{settings.GUICHET_ICAL_DOMAIN}")
        e.add("summary", stream.name)
        e.add("dtstart", at(day))
        e.add("dtend", dt.datetime.combine(day, zone.ends_at, tzinfo=tz))
        e.add("dtstamp", stamp)
        e.add("transp", "TRANSPARENT")
        if note:
            e.add("description", note)
        return e

    kept = {o.date for o in occs if o.original is None and not o.extra}
    moved = {o.original: o for o in occs if o.original is not None}
    claimed = set()
    for n, line in enumerate(rrule_lines(zone.rrules)):
        dates = regular_dates(zone, lo, hi, rrules=line)
        if not dates:
            continue
        rule = vRecur.from_ical(line)
        rule.pop("COUNT", None)
        rule["UNTIL"] = at(dates[-1]).astimezone(dt.UTC)
        master = event(f"r{n}", dates[0])
        master.add("rrule", rule)
        removed = [at(d) for d in dates if d not in kept and d not in moved]
        if removed:
            master.add("exdate", removed)
        yield master
        for d in dates:
            if d in moved:
                override = event(f"r{n}", moved[d].date, moved[d].note)
                override.add("recurrence-id", at(d))
                claimed.add(d)
                yield override
    for original, occ in moved.items():  # moved in from a date outside the window
        if original not in claimed:
            yield event(f"moved-{original:%Y%m%d}", occ.date, occ.note)
    for occ in occs:
        if occ.extra:
            yield event(f"extra-{occ.date:%Y%m%d}", occ.date, occ.note)
