"""The rules a registration must meet, as pure reads: who is a resident, a member's age at a
group's reference date, the window open to a citizen at a moment, a group closed to online
registration, two groups of a member at the same hour. The services check them before writing,
the pages to say in advance what a citizen can do; each answers None or the reason, in the
page's language, with what to do."""
import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from citizens.models import HouseholdMember, PropertyLink

from .models import Group, Registration, TimeSlot
from .recurrence import overlap


def _when(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def resident_links(user):
    """What makes a resident: a verified link to a property of the territory (the roll is the
    territory's); a pending link is not enough."""
    return PropertyLink.objects.filter(user=user, status=PropertyLink.Status.VERIFIED)


def is_resident(user) -> bool:
    return resident_links(user).exists()


def age_on(born: dt.date, day: dt.date) -> int:
    """Whole years on `day` (a birthday on `day` counts)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def cancellation_deadline(group: Group) -> dt.date | None:
    """The last day a citizen cancels online: `cancellation_days` before the first session."""
    first = group.first_session_on
    return first - dt.timedelta(days=group.season.cancellation_days) if first else None


def window_refusal(group: Group, resident: bool, now: dt.datetime) -> str | None:
    """Why a citizen cannot register online for `group` at `now`, or None."""
    season = group.season
    window = season.window_at(now)
    if window == "before":
        opens = season.residents_from if resident else season.everyone_from
        return _("Registration for %(season)s opens on %(when)s.") % {
            "season": season.name, "when": _when(opens)}
    if window == "residents" and not resident:
        return _("Registration for %(season)s is open to residents only until %(when)s; it "
                 "opens to everyone then. A resident has a verified link to their property "
                 "(My properties).") % {"season": season.name, "when": _when(season.everyone_from)}
    if window == "closed":
        return _("Registration for %(season)s closed on %(when)s; the leisure desk may still "
                 "help.") % {"season": season.name, "when": _when(season.closes_at)}
    return None


def member_refusal(group: Group, member: HouseholdMember) -> str | None:
    """Why `member` cannot be in `group` (age at the reference date), or None."""
    if member.birth_date is None:
        return _("%(name)s's date of birth is needed to count their age on %(date)s: add it "
                 "in My household.") % {"name": member, "date": group.age_on.isoformat()}
    age = age_on(member.birth_date, group.age_on)
    if not group.age_min <= age <= group.age_max:
        return _("%(name)s will be %(age)d on %(date)s; %(activity)s is for %(ages)s.") % {
            "name": member, "age": age, "date": group.age_on.isoformat(),
            "activity": group.activity.title, "ages": group.ages_label}
    return None


def group_refusal(group: Group, *, online: bool) -> str | None:
    if group.cancelled_at:
        return _("%(activity)s (%(code)s) was cancelled.") % {
            "activity": group.activity.title, "code": group.code}
    if online and group.counter_only:
        return _("%(activity)s (%(code)s) is by phone or at the counter only: call the "
                 "leisure desk.") % {"activity": group.activity.title, "code": group.code}
    return None


def clash(group: Group, member: HouseholdMember, *, exclude=()) -> Group | None:
    """Another group of `member`'s (in a basket, registered, waiting or offered; registrations
    `exclude` left out) meeting at the same hour on a same day as `group`, or None. One query:
    the database keeps the other groups' slots sharing a weekday and overlapping hours; their
    dates are compared here (recurrence.overlap), for those few."""
    mine = list(group.slots.all())
    if not mine:
        return None
    days = sorted({day for slot in mine for day in slot.weekdays})
    hours = Q()
    for slot in mine:
        hours |= Q(start_time__lt=slot.end_time, end_time__gt=slot.start_time)
    others = (Registration.objects.filter(member=member, status__in=Registration.ACTIVE)
              .exclude(group_id=group.pk).exclude(pk__in=list(exclude)).values("group_id"))
    candidates = (TimeSlot.objects.filter(group_id__in=others, weekdays__overlap=days)
                  .filter(hours).select_related("group__activity").order_by("group_id", "pk"))
    for other in candidates:
        if any(overlap(a, other) for a in mine):
            return other.group
    return None


def clash_refusal(group, member, *, exclude=()) -> str | None:
    other = clash(group, member, exclude=exclude)
    if other is None:
        return None
    return _("%(name)s already has %(other)s (%(code)s) at the same hour.") % {
        "name": member, "other": other.activity.title, "code": other.code}


def prerequisite_met(group: Group, member: HouseholdMember) -> bool:
    """The group has no prerequisite activity, or the member was registered in a group of it
    (any season: a level completed here)."""
    if not group.prerequisite_id:
        return True
    return Registration.objects.filter(member=member, status=Registration.Status.REGISTERED,
                                       group__activity_id=group.prerequisite_id).exists()


def prerequisite_refusal(group: Group, member: HouseholdMember, attested: bool) -> str | None:
    if attested or prerequisite_met(group, member):
        return None
    return _("%(activity)s asks for %(prerequisite)s first, and %(name)s has no registration "
             "in it here: tick the box to confirm they completed it.") % {
        "activity": group.activity.title, "prerequisite": group.prerequisite.title,
        "name": member}
