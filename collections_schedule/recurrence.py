"""Collection dates of a zone: its RFC 5545 recurrence (python-dateutil), then the exceptions
(moved, cancelled, extra dates) and the stream's holiday policy."""
import datetime as dt
import logging
import re
from dataclasses import dataclass

from dateutil.rrule import rrulestr
from django.utils.translation import gettext as _

from core.bilingual import localized

from .models import CollectionException, HolidayPolicy

log = logging.getLogger(__name__)

# A holiday shift can push a date a few days; read the rule that much beyond the window.
MARGIN = dt.timedelta(days=7)

# A collection is a day: a rule may come back daily at most often, with no hour, minute or
# second parts (FREQ=SECONDLY gives 31 million dates a year, and a page expanding it hangs).
ALLOWED_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_PART = re.compile(r"(?:^|;)\s*(FREQ|BYHOUR|BYMINUTE|BYSECOND)\s*=\s*([^;]*)", re.IGNORECASE)


class RuleTooFrequent(ValueError):
    """A rule that comes back more often than daily (or gives times of day)."""


@dataclass(frozen=True)
class Occurrence:
    date: dt.date
    original: dt.date | None = None  # the date it replaces, when moved
    extra: bool = False
    note: str = ""
    zone_id: int | None = None


def rrule_lines(text: str) -> list[str]:
    """The RRULE values of a zone's recurrence text, one per line ("FREQ=WEEKLY;BYDAY=TU")."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return [line.split(":", 1)[1] if line.upper().startswith("RRULE:") else line
            for line in lines]


def check_frequency(line: str) -> None:
    """Raises RuleTooFrequent when the RRULE value `line` comes back more often than daily."""
    for name, value in _PART.findall(line):
        name, value = name.upper(), value.strip().upper()
        if name == "FREQ" and value not in ALLOWED_FREQUENCIES:
            raise RuleTooFrequent(
                _("FREQ=%(freq)s: a collection rule may come back daily at most often (FREQ "
                  "must be DAILY, WEEKLY, MONTHLY or YEARLY).") % {"freq": value[:20]})
        if name != "FREQ":
            raise RuleTooFrequent(
                _("%(part)s: a collection rule gives days, not hours, minutes or seconds.")
                % {"part": name})


def parse_rrules(text: str, dtstart: dt.date):
    """The zone's recurrence as a dateutil rruleset. Raises ValueError on a malformed rule, or
    on one more frequent than daily (RuleTooFrequent)."""
    raw = rrule_lines(text)
    if not raw:
        raise ValueError("no RRULE")
    for line in raw:
        check_frequency(line)
    lines = [f"RRULE:{line}" for line in raw]
    start = dt.datetime.combine(dtstart, dt.time())
    return rrulestr("\n".join(lines), dtstart=start, forceset=True)


def zone_weekdays(zone) -> list[int]:
    """ISO weekdays (1 = Monday) on which the zone's rule falls over the next year: the
    "collection day" of the planning tables."""
    days = {d.isoweekday() for d in regular_dates(zone, dt.date.today(),
                                                   dt.date.today() + dt.timedelta(days=366))}
    return sorted(days)


def regular_dates(zone, start: dt.date, end: dt.date, rrules: str | None = None) -> list[dt.date]:
    """The dates the zone's rule gives (or one of its lines, `rrules`), before exceptions.
    A rule more frequent than daily, saved before that was refused, gives none (logged)."""
    try:
        rules = parse_rrules(rrules or zone.rrules, zone.dtstart)
    except RuleTooFrequent as exc:
        log.warning("zone %s: recurrence ignored: %s", zone.pk, exc)
        return []
    first = dt.datetime.combine(start, dt.time())
    last = dt.datetime.combine(end, dt.time())
    return [d.date() for d in rules.between(first, last, inc=True)]


def occurrences(zone, start: dt.date, end: dt.date, *, holidays: dict, exceptions) -> list:
    """Collection dates of `zone` between start and end (inclusive), exceptions applied.

    `holidays`: {date: Holiday}; `exceptions`: the CollectionExceptions that may apply (for this
    zone, its stream, or every stream). Explicit exceptions win over the holiday policy."""
    stream = zone.zone_set.stream
    mine = [e for e in exceptions if (e.zone_id in (None, zone.pk))
            and (e.stream_id in (None, stream.pk))]
    moved = {e.date: e for e in mine if e.kind == CollectionException.Kind.MOVED}
    cancelled = {e.date: e for e in mine if e.kind == CollectionException.Kind.CANCELLED}
    out = []
    for day in regular_dates(zone, start - MARGIN, end + MARGIN):
        if day in cancelled:
            continue
        if day in moved:
            e = moved[day]
            out.append(Occurrence(e.new_date, original=day, note=_note(e), zone_id=zone.pk))
            continue
        holiday = holidays.get(day)
        if holiday and stream.holiday_policy != HolidayPolicy.KEEP:
            if stream.holiday_policy == HolidayPolicy.CANCEL:
                continue
            step = 1 if stream.holiday_policy == HolidayPolicy.NEXT_DAY else -1
            new = day + dt.timedelta(days=step)
            while new in holidays:
                new += dt.timedelta(days=step)
            out.append(Occurrence(new, original=day, note=holiday.name, zone_id=zone.pk))
            continue
        out.append(Occurrence(day, zone_id=zone.pk))
    out.extend(Occurrence(e.date, extra=True, note=_note(e), zone_id=zone.pk)
               for e in mine if e.kind == CollectionException.Kind.EXTRA)
    return sorted((o for o in out if start <= o.date <= end), key=lambda o: o.date)


def _note(exception):
    return localized(exception, "note")
