"""The household's registered activities as an iCalendar feed (RFC 5545), for a calendar app
to subscribe to at the account's secret address (models.CalendarToken).

As the collections' feed (collections_schedule/ical.py): one recurring event per registration
and time slot, RRULE from the slot's weekly rule (its weekdays, INTERVAL and WKST) until its
last session, the skipped dates as EXDATE; stable UIDs (registration and slot), so a refresh
updates the events instead of duplicating them; local times in America/Montreal (TIME_ZONE)
with the VTIMEZONE included. Written in `language` (the account's preferred one)."""
import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vRecur

from .recurrence import expand, parse_rule

PRODID = "-//Guichet//Loisirs//FR"


def uid(registration, slot) -> str:
    return f"guichet-leisure-{registration.pk}-{slot.pk}@{settings.GUICHET_ICAL_DOMAIN}"


def household_calendar(registrations, language: str) -> Calendar:
    tz = ZoneInfo(settings.TIME_ZONE)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with translation.override(language):
        cal.add("x-wr-calname", _("Our leisure activities"))
        for registration in registrations:
            for slot in registration.group.slots.all():
                event = _event(registration, slot, tz, stamp)
                if event is not None:
                    cal.add_component(event)
    cal.add_missing_timezones()
    return cal


def _event(registration, slot, tz, stamp) -> Event | None:
    rule = parse_rule(slot.rule)
    dates = expand(rule, slot.starts_on, slot.ends_on)  # the rule's dates, skipped ones too
    skipped = set(slot.exceptions or [])
    if not [d for d in dates if d not in skipped]:
        return None
    group = registration.group

    def at(day, time):
        return dt.datetime.combine(day, time, tzinfo=tz)

    event = Event()
    event.add("uid", uid(registration, slot))
    event.add("summary", _("%(activity)s — %(participant)s") % {
        "activity": group.activity.title, "participant": registration.participant})
    event.add("dtstart", at(dates[0], slot.start_time))
    event.add("dtend", at(dates[0], slot.end_time))
    event.add("dtstamp", stamp)
    location = group.place.display_name + (f", {group.room}" if group.room else "")
    event.add("location", location)
    details = [_("Group %(code)s") % {"code": group.code}]
    if group.instructor:
        details.append(_("Instructor: %(name)s") % {"name": group.instructor})
    event.add("description", "\n".join(details))
    recur = vRecur.from_ical(rule.text())
    recur["UNTIL"] = at(dates[-1], slot.start_time).astimezone(dt.UTC)
    event.add("rrule", recur)
    removed = [at(d, slot.start_time) for d in dates if d in skipped]
    if removed:
        event.add("exdate", removed)
    return event
