"""Is lawn watering allowed at an address, now and when next? The by-law's rules (hours,
weekdays, civic-number parity against the date's, season, area) minus the bans in force."""
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import WateringBan, WateringMethod, WateringRule
from .schedule import property_point


@dataclass
class Slot:
    start: dt.datetime
    end: dt.datetime
    rule: WateringRule


@dataclass
class MethodAnswer:
    method: str
    label: str
    allowed_now: bool
    reason: str
    slots: list[Slot] = field(default_factory=list)  # the next allowed windows
    ban: WateringBan | None = None


def _in_season(rule, day):
    md = day.strftime("%m-%d")
    if rule.season_start <= rule.season_end:
        return rule.season_start <= md <= rule.season_end
    return md >= rule.season_start or md <= rule.season_end  # a season across New Year


def rule_applies(rule, day: dt.date, civic_number: int | None) -> bool:
    if not _in_season(rule, day):
        return False
    if rule.weekdays and day.isoweekday() not in rule.weekdays:
        return False
    if rule.parity_matches_civic:
        return civic_number is not None and civic_number % 2 == day.day % 2
    return True


def _windows(rule, day, tz):
    start = dt.datetime.combine(day, rule.starts_at, tzinfo=tz)
    end = dt.datetime.combine(day, rule.ends_at, tzinfo=tz)
    if end <= start:  # 22:00-02:00 ends the next day; 00:00-00:00 is the whole day
        end += dt.timedelta(days=1)
    return start, end


def _minus(start, end, bans):
    """The parts of [start, end) that no ban covers."""
    parts = [(start, end)]
    for ban in bans:
        remaining = []
        for a, b in parts:
            if ban.ends_at <= a or ban.starts_at >= b:
                remaining.append((a, b))
                continue
            if ban.starts_at > a:
                remaining.append((a, ban.starts_at))
            if ban.ends_at < b:
                remaining.append((ban.ends_at, b))
        parts = remaining
    return parts


# Rules by pk; bans latest first (the ban named when two are in force): fixed orders, so that the
# answer is the same function of the data on every path.
BAN_ORDER = ("-starts_at", "pk")


_UNREAD = object()


def watering_status(prop, now: dt.datetime | None = None, days: int = 8,
                    slot_count: int = 5, *, address=_UNREAD) -> list[MethodAnswer]:
    """`address`: the property's first civic address (by pk, or None) when the caller has read
    its addresses already; else read here."""
    now = timezone.localtime(now)
    point = property_point(prop)
    if address is _UNREAD:
        address = prop.addresses.order_by("pk").first()
    civic = address.civic_int if address else None
    area = Q(area__isnull=True) | (Q(area__covers=point) if point else Q(pk__in=[]))
    rules = list(WateringRule.objects.filter(area).order_by("pk"))  # GiST on area if any
    bans = list(WateringBan.objects.filter(area, ends_at__gt=now,
                                           starts_at__lt=now + dt.timedelta(days=days))
                .order_by(*BAN_ORDER))
    plans = method_plans(rules, bans, civic, now.date(), now.tzinfo, days=days)
    return [answer(plan, now, slot_count=slot_count) for plan in plans]


def bans_in_view(bans, now: dt.datetime, days: int = 8):
    """The bans that matter at `now`: not ended, starting within `days` (the query's filter)."""
    horizon = now + dt.timedelta(days=days)
    return [b for b in bans if b.ends_at > now and b.starts_at < horizon]


@dataclass
class MethodPlan:
    """A method's windows over the days around `day`, bans removed, before `now` is known: the
    same for every address with the same civic-number parity, rules and bans, all day."""
    method: str
    label: str
    has_rules: bool
    slots: list[Slot]  # every window part from yesterday to day + days - 1, by start
    bans: list[WateringBan]


def method_plans(rules, bans, civic: int | None, day: dt.date, tz, days: int = 8) -> list:
    """One MethodPlan per method. `rules`: the rules whose area covers the address (by pk);
    `bans`: the bans covering it that are in view (bans_in_view). No query."""
    plans = []
    for method, label in WateringMethod.choices:
        mine = [r for r in rules if r.method == method]
        my_bans = [b for b in bans if not b.methods or method in b.methods]
        slots = []
        for offset in range(-1, days):  # yesterday's window may run past midnight
            when = day + dt.timedelta(days=offset)
            for rule in mine:
                if rule_applies(rule, when, civic):
                    start, end = _windows(rule, when, tz)
                    slots += [Slot(a, b, rule) for a, b in _minus(start, end, my_bans)]
        slots.sort(key=lambda s: s.start)
        plans.append(MethodPlan(method, str(label), bool(mine), slots, my_bans))
    return plans


def answer(plan: MethodPlan, now: dt.datetime, slot_count: int = 5) -> MethodAnswer:
    """The answer at `now` (local time, on the plan's day): the windows not yet over, the one
    open now, the ban in force."""
    slots = [s for s in plan.slots if s.end > now]
    current = next((s for s in slots if s.start <= now < s.end), None)
    ban_now = next((b for b in plan.bans if b.starts_at <= now < b.ends_at), None)
    if current:
        reason = _("Allowed until %(end)s (%(rule)s).") % {
            "end": timezone.localtime(current.end).strftime("%H:%M"),
            "rule": current.rule.name}
    elif ban_now:
        reason = _("Forbidden: %(ban)s, until %(end)s.") % {
            "ban": ban_now.title, "end": _format(ban_now.ends_at)}
    elif not plan.has_rules:
        reason = _("No rule allows this method here.")
    elif slots:
        reason = _("Not now: next allowed %(when)s (%(rule)s).") % {
            "when": _format(slots[0].start), "rule": slots[0].rule.name}
    else:
        reason = _("Not allowed in the coming days.")
    return MethodAnswer(method=plan.method, label=plan.label, allowed_now=bool(current),
                        reason=reason, slots=slots[:slot_count], ban=ban_now)


def _format(moment):
    from django.utils.formats import date_format

    local = timezone.localtime(moment)
    return f"{date_format(local.date(), 'l j F')} {local.strftime('%H:%M')}"
