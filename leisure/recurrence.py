"""When a group meets: each of its time slots is a weekly RFC 5545 rule (python-dateutil) from a
first session to a last date, at set hours, less the dates it skips (a holiday, spring break).

A slot's rule gives weekdays only: FREQ=WEEKLY with INTERVAL (every other week...), BYDAY and
WKST. The hours, the first and last dates and the skipped dates have fields of their own, so a
rule cannot say them a second time, differently (no BYHOUR, UNTIL, COUNT...). Everything is
bounded: a slot spans a year at most, so it expands to at most 7 x 53 sessions."""
import datetime as dt
import re
from dataclasses import dataclass
from itertools import islice

from dateutil import rrule as du
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]  # index + 1 = ISO weekday
MAX_INTERVAL = 4  # every 4 weeks at most: rarer than that is not a weekly activity
MAX_SPAN_DAYS = 366  # a slot's first session to its last date
MAX_EXCEPTIONS = 60
MAX_OCCURRENCES = 7 * 53  # a slot meeting every day of every week of a year
MAX_RULE_LENGTH = 200
_DU_DAYS = [du.MO, du.TU, du.WE, du.TH, du.FR, du.SA, du.SU]
_PART = re.compile(r"^([A-Za-z]+)=([^;=]*)$")


class BadRule(ValueError):
    """A rule or a slot that cannot be read; the message says what to write instead."""


@dataclass(frozen=True)
class WeeklyRule:
    interval: int = 1
    weekdays: tuple[int, ...] = ()  # ISO 1..7; empty: the first session's weekday
    wkst: int = 1  # the week starts on Monday (RFC 5545's default)

    def text(self) -> str:
        """The rule as it is stored: RFC 5545's RRULE value, parts in a fixed order."""
        parts = ["FREQ=WEEKLY"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.weekdays:
            parts.append("BYDAY=" + ",".join(CODES[d - 1] for d in self.weekdays))
        if self.wkst != 1:
            parts.append(f"WKST={CODES[self.wkst - 1]}")
        return ";".join(parts)

    def days(self, starts_on: dt.date) -> tuple[int, ...]:
        return self.weekdays or (starts_on.isoweekday(),)


def parse_rule(text: str) -> WeeklyRule:
    """A weekly RRULE value ("FREQ=WEEKLY;BYDAY=TU,TH", an "RRULE:" prefix allowed); BadRule
    with what to write instead."""
    raw = (text or "").strip()
    if len(raw) > MAX_RULE_LENGTH:
        raise BadRule(_("The rule is longer than %(n)d characters.") % {"n": MAX_RULE_LENGTH})
    if raw.upper().startswith("RRULE:"):
        raw = raw[6:]
    if not raw:
        raise BadRule(_("The rule is empty: write FREQ=WEEKLY;BYDAY= and the days, e.g. "
                        "FREQ=WEEKLY;BYDAY=TU,TH."))
    parts: dict[str, str] = {}
    for piece in raw.strip(";").split(";"):
        match = _PART.match(piece.strip())
        if not match:
            raise BadRule(_("“%(piece)s” is not a NAME=VALUE part of a rule: write e.g. "
                            "FREQ=WEEKLY;BYDAY=TU,TH.") % {"piece": piece.strip()[:40]})
        name, value = match.group(1).upper(), match.group(2).strip().upper()
        if name in parts:
            raise BadRule(_("%(name)s is given twice in the rule.") % {"name": name})
        parts[name] = value
    if "FREQ" not in parts:
        raise BadRule(_("The rule has no FREQ part: a group meets weekly, write FREQ=WEEKLY "
                        "(e.g. FREQ=WEEKLY;BYDAY=TU)."))
    if parts["FREQ"] != "WEEKLY":
        raise BadRule(_("FREQ=%(freq)s: a group meets weekly; write FREQ=WEEKLY, with "
                        "INTERVAL=2 for every other week.") % {"freq": parts["FREQ"][:20]})
    for name in parts:
        if name in ("UNTIL", "COUNT"):
            raise BadRule(_("%(name)s: the last date of a slot has its own field (its end "
                            "date); remove %(name)s from the rule.") % {"name": name})
        if name not in ("FREQ", "INTERVAL", "BYDAY", "WKST"):
            raise BadRule(_("%(name)s: a group's rule gives weekdays only (FREQ=WEEKLY, "
                            "INTERVAL, BYDAY, WKST); hours, dates and skipped dates have "
                            "their own fields.") % {"name": name[:20]})
    interval = 1
    if "INTERVAL" in parts:
        value = parts["INTERVAL"]
        if not (value.isdigit() and 1 <= int(value) <= MAX_INTERVAL):
            raise BadRule(_("INTERVAL=%(value)s: write a whole number of weeks from 1 to "
                            "%(max)d (2: every other week).")
                          % {"value": value[:20], "max": MAX_INTERVAL})
        interval = int(value)
    weekdays: tuple[int, ...] = ()
    if "BYDAY" in parts:
        days = [d.strip() for d in parts["BYDAY"].split(",")]
        unknown = [d for d in days if d not in CODES]
        if unknown:
            raise BadRule(_("BYDAY=%(value)s: write weekdays as MO, TU, WE, TH, FR, SA, SU, "
                            "separated by commas (e.g. BYDAY=TU,TH).")
                          % {"value": parts["BYDAY"][:40]})
        weekdays = tuple(sorted({CODES.index(d) + 1 for d in days}))
    wkst = 1
    if "WKST" in parts:
        if parts["WKST"] not in CODES:
            raise BadRule(_("WKST=%(value)s: write a weekday as MO, TU, WE, TH, FR, SA or SU.")
                          % {"value": parts["WKST"][:20]})
        wkst = CODES.index(parts["WKST"]) + 1
    return WeeklyRule(interval, weekdays, wkst)


def check_slot(rule: WeeklyRule, starts_on: dt.date, ends_on: dt.date,
               start_time: dt.time, end_time: dt.time, exceptions=()) -> list[dt.date]:
    """The slot's sessions (dates), or BadRule saying what is wrong with it and the fix."""
    if ends_on < starts_on:
        raise BadRule(_("The last date (%(end)s) is before the first session (%(start)s): swap "
                        "them.") % {"end": ends_on.isoformat(), "start": starts_on.isoformat()})
    if (ends_on - starts_on).days > MAX_SPAN_DAYS:
        raise BadRule(_("The slot runs from %(start)s to %(end)s: more than a year. Split it "
                        "by season.") % {"start": starts_on.isoformat(),
                                         "end": ends_on.isoformat()})
    if not start_time < end_time:
        raise BadRule(_("The slot ends (%(end)s) before it starts (%(start)s): a session "
                        "starts and ends on the same day; swap the hours.")
                      % {"start": start_time.strftime("%H:%M"), "end": end_time.strftime("%H:%M")})
    if starts_on.isoweekday() not in rule.days(starts_on):
        raise BadRule(_("The first session (%(date)s) is a %(day)s, a day the rule %(rule)s does "
                        "not give: give the date of the first session.")
                      % {"date": starts_on.isoformat(), "day": WEEKDAYS[starts_on.weekday()],
                         "rule": rule.text()})
    exceptions = sorted(set(exceptions))
    if len(exceptions) > MAX_EXCEPTIONS:
        raise BadRule(_("%(n)d skipped dates: at most %(max)d a slot.")
                      % {"n": len(exceptions), "max": MAX_EXCEPTIONS})
    regular = expand(rule, starts_on, ends_on)
    stray = [d for d in exceptions if d not in set(regular)]
    if stray:
        raise BadRule(_("Skipped date %(date)s is not a session of this slot (its rule %(rule)s "
                        "from %(start)s to %(end)s): remove it or correct it.")
                      % {"date": stray[0].isoformat(), "rule": rule.text(),
                         "start": starts_on.isoformat(), "end": ends_on.isoformat()})
    dates = [d for d in regular if d not in set(exceptions)]
    if not dates:
        raise BadRule(_("The slot has no session left once its skipped dates are removed."))
    return dates


def expand(rule: WeeklyRule, starts_on: dt.date, ends_on: dt.date,
           exceptions=()) -> list[dt.date]:
    """The slot's session dates from starts_on to ends_on (inclusive), less `exceptions`;
    never more than MAX_OCCURRENCES (a slot spans a year at most: 7 x 53)."""
    rule_set = du.rrule(du.WEEKLY, interval=rule.interval,
                        byweekday=[_DU_DAYS[d - 1] for d in rule.days(starts_on)],
                        wkst=_DU_DAYS[rule.wkst - 1],
                        dtstart=dt.datetime.combine(starts_on, dt.time()),
                        until=dt.datetime.combine(ends_on, dt.time()))
    skipped = set(exceptions)
    return [d.date() for d in islice(rule_set, MAX_OCCURRENCES) if d.date() not in skipped]


@dataclass(frozen=True)
class Session:
    date: dt.date
    start: dt.time
    end: dt.time
    slot_id: int | None = None


def sessions(slots, *, start: dt.date | None = None, limit: int | None = None) -> list[Session]:
    """The group's sessions (all its slots, skipped dates left out) in date and hour order, from
    `start` on; at most `limit`. `slots`: TimeSlot rows (or anything with rule, starts_on,
    ends_on, start_time, end_time, exceptions, pk)."""
    out = []
    for slot in slots:
        for day in expand(parse_rule(slot.rule), slot.starts_on, slot.ends_on, slot.exceptions):
            if start is None or day >= start:
                out.append(Session(day, slot.start_time, slot.end_time, slot.pk))
    out.sort(key=lambda s: (s.date, s.start))
    return out[:limit] if limit is not None else out


def overlap(a, b) -> dt.date | None:
    """The first date on which slots `a` and `b` meet at overlapping hours, or None."""
    if not (a.start_time < b.end_time and b.start_time < a.end_time):
        return None
    common = (set(expand(parse_rule(a.rule), a.starts_on, a.ends_on, a.exceptions))
              & set(expand(parse_rule(b.rule), b.starts_on, b.ends_on, b.exceptions)))
    return min(common) if common else None


def _join(words: list[str]) -> str:
    if len(words) == 1:
        return words[0]
    return _("%(first)s and %(last)s") % {"first": ", ".join(words[:-1]), "last": words[-1]}


def describe(rule: WeeklyRule, starts_on: dt.date) -> str:
    """"Every week: Tuesday and Thursday", "Every other week: Saturday", in the page's
    language."""
    days = _join([str(WEEKDAYS[d - 1]) for d in rule.days(starts_on)])
    if rule.interval == 1:
        return _("Every week: %(days)s") % {"days": days}
    if rule.interval == 2:
        return _("Every other week: %(days)s") % {"days": days}
    return _("Every %(n)d weeks: %(days)s") % {"n": rule.interval, "days": days}
