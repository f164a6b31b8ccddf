"""Named reads of the catalogue: the season shown, the groups matching the filters (with their
seats left), the places they meet at (for the map), a group's page.

Seats left: `registered_count` / `with_seats_left` count a group's seats taken by its
registrations (one subquery); the filter "seats left" and the pages read it from here only."""
import datetime as dt
from decimal import Decimal

from django.contrib.gis.db.models.functions import AsGeoJSON, PointOnSurface, Transform
from django.db.models import (
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Now, NullIf
from django.utils import timezone

from core.bilingual import is_english

from . import rules
from .models import ActivityCategory, Group, Registration, Season, TimeSlot

# Times of day, by a session's start: morning before noon, afternoon until 17:00, evening after.
TIMES_OF_DAY = {
    "morning": (dt.time(0, 0), dt.time(12, 0)),
    "afternoon": (dt.time(12, 0), dt.time(17, 0)),
    "evening": (dt.time(17, 0), dt.time(23, 59, 59)),
}


def seasons():
    return Season.objects.order_by("starts_on", "code")


def current_season(today: dt.date) -> Season | None:
    """The season shown by default: the first one not over yet (on now, or the next), else the
    last one."""
    return (Season.objects.filter(ends_on__gte=today).order_by("starts_on", "code").first()
            or Season.objects.order_by("-ends_on", "-code").first())


def registered_count():
    """The expression counting a group's seats taken: registered, offered to the waiting list,
    and held in a basket (until the hold ends): what leisure.services counts under its lock."""
    S = Registration.Status
    taken = (Registration.objects.filter(group=OuterRef("pk"))
             .filter(Q(status__in=Registration.SEATED)
                     | Q(status=S.IN_BASKET, held_until__gt=Now()))
             .order_by().values("group").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(taken, output_field=IntegerField()), 0)


def with_seats_left(groups):
    """The groups with `registered` and `seats_left` (capacity less registrations)."""
    return groups.annotate(registered=registered_count()).annotate(
        seats_left=F("capacity") - F("registered"))


def seats_left(group: Group) -> int:
    """One group's seats left (its page)."""
    return with_seats_left(Group.objects.filter(pk=group.pk)).values_list(
        "seats_left", flat=True).get()


class AgeAt(Func):
    """Whole years between a birth date and the group's reference date, as PostgreSQL's age()
    counts them (a birthday on the reference date counts)."""

    template = "CAST(date_part('year', age(%(expressions)s)) AS integer)"
    output_field = IntegerField()


def filtered(groups, filters: dict):
    """The groups matching the catalogue's filters (leisure.filters.CatalogueFilterForm's
    cleaned data): category code, place id, an age in years or a birth date (the child's age at
    each group's reference date), days and times of day (of the same time slot), seats left."""
    if filters.get("category"):
        groups = groups.filter(activity__category__code=filters["category"])
    if filters.get("place"):
        groups = groups.filter(place_id=filters["place"])
    if filters.get("age") is not None:
        groups = groups.filter(age_min__lte=filters["age"], age_max__gte=filters["age"])
    if filters.get("born"):
        groups = groups.annotate(age_then=AgeAt(F("age_on"), Value(filters["born"]))).filter(
            age_min__lte=F("age_then"), age_max__gte=F("age_then"))
    days = [int(d) for d in filters.get("day") or []]
    times = filters.get("time") or []
    if days or times:
        slots = TimeSlot.objects.filter(group=OuterRef("pk"))
        if days:
            slots = slots.filter(weekdays__overlap=days)
        if times:
            during = Q()
            for name in times:
                start, end = TIMES_OF_DAY[name]
                during |= Q(start_time__gte=start, start_time__lt=end)
            slots = slots.filter(during)
        groups = groups.filter(Exists(slots))
    if filters.get("available"):
        groups = groups.filter(seats_left__gt=0)
    return groups


def _title_order():
    """By title in the page's language (an English title falls back to the French one)."""
    if is_english():
        return Coalesce(NullIf("activity__title_en", Value("")), "activity__title_fr")
    return F("activity__title_fr")


def catalogue(season: Season | None, filters: dict):
    """The season's groups matching `filters`, by title and code, with what the list shows."""
    if season is None:
        return Group.objects.none()
    groups = with_seats_left(Group.objects.filter(season=season)).select_related(
        "activity__category", "place__category", "season", "prerequisite").prefetch_related(
        Prefetch("slots", TimeSlot.objects.order_by("starts_on", "start_time")))
    return filtered(groups, filters).order_by(_title_order(), "code")


def map_places(groups) -> list[dict]:
    """The places the groups meet at, with how many of them each, and a point in WGS 84 (a
    place drawn as a polygon by a point on its surface): the catalogue's map."""
    point = Transform(PointOnSurface("place__geom"), 4326)
    rows = (groups.order_by().values("place_id", "place__name", "place__category__name_fr",
                                     "place__category__name_en")
            .annotate(n=Count("pk"),
                      lon=Func(point, function="ST_X", output_field=FloatField()),
                      lat=Func(point, function="ST_Y", output_field=FloatField()))
            .order_by("place__name", "place_id"))
    english = is_english()
    return [{"id": r["place_id"], "count": r["n"],
             "name": r["place__name"] or (english and r["place__category__name_en"])
             or r["place__category__name_fr"],
             "lon": round(r["lon"], 6), "lat": round(r["lat"], 6)} for r in rows]


def filter_choices(season: Season | None) -> dict:
    """The categories and places that the season's groups have (the filters' lists)."""
    if season is None:
        return {"categories": [], "places": []}
    groups = Group.objects.filter(season=season)
    categories = ActivityCategory.objects.filter(activities__groups__in=groups).distinct()
    places = {}
    for group in groups.select_related("place__category").order_by("place__name"):
        places.setdefault(group.place_id, group.place.display_name)
    return {"categories": list(categories),
            "places": sorted(places.items(), key=lambda item: item[1].casefold())}


def group_page(pk: int) -> Group:
    """A group with what its page shows; Group.DoesNotExist otherwise."""
    point = Transform(PointOnSurface("place__geom"), 4326)
    return (with_seats_left(Group.objects.filter(pk=pk))
            .select_related("activity__category", "place__category", "season", "prerequisite")
            .prefetch_related(Prefetch("slots", TimeSlot.objects.order_by("starts_on",
                                                                         "start_time")))
            .annotate(lon=Func(point, function="ST_X", output_field=FloatField()),
                      lat=Func(point, function="ST_Y", output_field=FloatField()),
                      place_point_wgs84=AsGeoJSON(point, precision=6))
            .get())


# Registration: what the citizen's pages show

def local_time(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def group_registration(user, group: Group) -> dict:
    """What the group page offers a signed-in citizen: each household member with why they
    cannot be put in the basket (age, date of birth missing, already there, a clash) or None;
    the window and the fee that apply to them."""
    from citizens.models import HouseholdMember

    now = timezone.now()
    resident = rules.is_resident(user)
    active = dict(Registration.objects.filter(group=group, user=user,
                                              status__in=Registration.ACTIVE)
                  .values_list("member_id", "status"))
    members = []
    for member in HouseholdMember.objects.filter(user=user):
        if member.pk in active:
            problem = dict(Registration.Status.choices)[active[member.pk]]
        else:
            problem = rules.member_refusal(group, member) or rules.clash_refusal(group, member)
        members.append({"member": member, "problem": problem,
                        "attest": not problem and not rules.prerequisite_met(group, member)})
    return {"members": members, "resident": resident,
            "attest": any(line["attest"] for line in members),
            "fee": group.fee_resident if resident else group.fee_non_resident,
            "window_problem": rules.window_refusal(group, resident, now),
            "group_problem": rules.group_refusal(group, online=True),
            "closed": group.season.window_at(now) == "closed"}


def basket_page(user, items) -> dict:
    """The basket's items with the fee each will cost and whether its seat is held."""
    now = timezone.now()
    resident = rules.is_resident(user)
    total = Decimal("0")
    for item in items:
        group = item.group
        item.fee_due = group.fee_resident if resident else group.fee_non_resident
        item.hold_active = bool(item.held_until and item.held_until > now)
        item.window_problem = rules.window_refusal(group, resident, now)
        total += item.fee_due
    return {"items": items, "resident": resident, "total": total,
            "can_confirm": bool(items) and not any(i.window_problem for i in items)}


def with_positions(registrations):
    """Registrations with `position`: their place on their group's waiting list (by `seq`)."""
    ahead = (Registration.objects.filter(group=OuterRef("group"), status="waiting",
                                         seq__lt=OuterRef("seq"))
             .order_by().values("group").annotate(n=Count("pk")).values("n"))
    return registrations.annotate(position=Coalesce(Subquery(ahead, output_field=IntegerField()),
                                                    0) + 1)


def registrations_page(user) -> dict:
    """The citizen's registrations: the active ones (registered, seat offered, waiting, with
    the cancellation deadline of each), the fees due, and the last ended ones."""
    from .services import cancellation_deadline

    S = Registration.Status
    rows = (with_positions(Registration.objects.filter(user=user)
                           .exclude(status=S.IN_BASKET))
            .select_related("member", "group__activity", "group__place__category",
                            "group__season")
            .prefetch_related("group__slots"))
    active = list(rows.filter(status__in=[S.OFFERED, S.REGISTERED, S.WAITING])
                  .order_by("group__season__starts_on", "member__first_name", "confirmed_at"))
    today = timezone.localdate()
    for registration in active:
        registration.deadline = cancellation_deadline(registration.group)
        registration.can_cancel = (registration.status != S.REGISTERED
                                   or registration.deadline is None
                                   or today <= registration.deadline)
    ended = list(rows.filter(status=S.CANCELLED).order_by("-cancelled_at")[:20])
    due = sum((r.fee for r in active if r.status == S.REGISTERED and r.fee), Decimal("0"))
    return {"active": active, "ended": ended, "due": due,
            "in_basket": Registration.objects.filter(user=user, status=S.IN_BASKET).count()}


# The leisure desk (views/staff.py)

MAX_DESK_TEXT = 100  # the desk's search text: an activity's code or a few words of a title


def desk_groups(season: Season | None, text: str = ""):
    """The season's groups for the leisure desk, by title and code, each with `registered`,
    `offered` and `waiting` (counts of registrations by status); `text`: an activity's or a
    group's code, or words of the activity's title (in either language)."""
    if season is None:
        return Group.objects.none()
    S = Registration.Status
    groups = (Group.objects.filter(season=season)
              .select_related("activity", "place__category", "season")
              .annotate(registered=Count("registrations",
                                         filter=Q(registrations__status=S.REGISTERED)),
                        offered=Count("registrations",
                                      filter=Q(registrations__status=S.OFFERED)),
                        waiting=Count("registrations",
                                      filter=Q(registrations__status=S.WAITING))))
    text = " ".join(text.split())[:MAX_DESK_TEXT]
    if text:
        groups = groups.filter(Q(activity__code__iexact=text) | Q(code__icontains=text)
                               | Q(activity__title_fr__icontains=text)
                               | Q(activity__title_en__icontains=text))
    return groups.order_by(_title_order(), "code")


def desk_group(pk: int) -> Group:
    """A group with its slots, for the desk's pages; Group.DoesNotExist otherwise."""
    return (Group.objects.select_related("activity", "place__category", "season")
            .prefetch_related(Prefetch("slots", TimeSlot.objects.order_by("starts_on",
                                                                         "start_time")))
            .get(pk=pk))


def desk_registrations(group: Group, statuses) -> list[Registration]:
    """The group's registrations of `statuses` in confirmation order, with their participant,
    account and the account's profile (telephone)."""
    return list(Registration.objects.filter(group=group, status__in=statuses)
                .select_related("member", "user__profile").order_by("seq", "added_at"))
