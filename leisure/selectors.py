"""Named reads of the catalogue: the season shown, the groups matching the filters (with their
seats left), the places they meet at (for the map), a group's page.

Seats left: `registered_count` / `with_seats_left` count a group's seats taken by its
registrations (one subquery); the filter "seats left" and the pages read it from here only."""
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.gis.db.models.functions import AsGeoJSON, PointOnSurface, Transform
from django.core.cache import cache
from django.db import connection
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
from django.utils.translation import get_language

from core.bilingual import is_english

from . import rules
from .models import ActivityCategory, Group, Registration, Season, TimeSlot
from .recurrence import Session, sessions

# Times of day, by a session's start: morning before noon, afternoon until 17:00, evening after.
TIMES_OF_DAY = {
    "morning": (dt.time(0, 0), dt.time(12, 0)),
    "afternoon": (dt.time(12, 0), dt.time(17, 0)),
    "evening": (dt.time(17, 0), dt.time(23, 59, 59)),
}


def seasons():
    return Season.objects.order_by("starts_on", "code")


def current_season(today: dt.date, among: list[Season] | None = None) -> Season | None:
    """The season shown by default: the first one not over yet (on now, or the next), else the
    last one. `among`: every season as seasons() lists them (already read): no query."""
    if among is not None:
        return (next((s for s in among if s.ends_on >= today), None)
                or max(among, key=lambda s: (s.ends_on, s.code), default=None))
    return (Season.objects.filter(ends_on__gte=today).order_by("starts_on", "code").first()
            or Season.objects.order_by("-ends_on", "-code").first())


def registered_count():
    """The expression counting a group's seats taken: registered, offered to the waiting list,
    and held in a basket (until the hold ends): what leisure.services counts under its lock."""
    taken = (Registration.objects.filter(group=OuterRef("pk"))
             .filter(Registration.takes_a_seat(Now()))
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


def matching(season: Season | None, filters: dict, seats: bool = False):
    """The season's groups matching `filters`, by title and code; with their seats left when
    `seats` (or when the filter "seats left" needs them)."""
    if season is None:
        return Group.objects.none()
    groups = Group.objects.filter(season=season)
    if seats or filters.get("available"):
        groups = with_seats_left(groups)
    return filtered(groups, filters).order_by(_title_order(), "code")


def catalogue(season: Season | None, filters: dict):
    """The season's groups matching `filters`, by title and code, with what the list shows."""
    return matching(season, filters, seats=True).select_related(
        "activity__category", "place__category", "season", "prerequisite").prefetch_related(
        Prefetch("slots", TimeSlot.objects.order_by("starts_on", "start_time")))


def list_rows(ids) -> list[Group]:
    """The groups `ids` (those of a page whose cards are not in the cache) with what their
    cards show: joined to their activity, category and place, their slots read in one
    statement (as a list, `slot_list`; `slots.all()` is not prefetched); not the season, the
    prerequisite, the place's geometry or the descriptions, nor the seats left (page_seats: the
    cards keep everything but them)."""
    groups = list(Group.objects.filter(pk__in=ids)
                  .select_related("activity__category", "place__category")
                  .defer("place__geom", "activity__description_fr", "activity__description_en")
                  .order_by(_title_order(), "code"))
    slots = {}
    for slot in TimeSlot.objects.filter(group__in=[g.pk for g in groups]).order_by(
            "starts_on", "start_time"):
        slots.setdefault(slot.group_id, []).append(slot)
    for group in groups:
        group.slot_list = slots.get(group.pk, [])
    return groups


def page_seats(page) -> list[tuple[int, int, int]]:
    """(id, capacity, seats taken) of each group of one page of matching() (a slice of it), in
    its order: what a page's cards show that registrations change (the rest of a card is kept
    in the cache: leisure.views.public)."""
    return list(Group.objects.filter(pk__in=Subquery(page.values("pk")))
                .annotate(registered=registered_count())
                .order_by(_title_order(), "code").values_list("pk", "capacity", "registered"))


def card_key(version: int, pk: int) -> str:
    """The cache key of group `pk`'s card in the page's language, at this catalogue version."""
    return f"leisure:{CACHE_FORMAT}:{version}:card:{pk}:{get_language()}"


def season_places(season: Season | None) -> list[dict]:
    """The places the season's groups meet at (one row each, not one per group), by name: id,
    name (the place's, else its category's in the page's language) and a point in WGS 84 (a
    place drawn as a polygon by a point on its surface), for the filters' list and the map."""
    from geo.models import Place

    if season is None:
        return []
    point = Transform(PointOnSurface("geom"), 4326)
    rows = (Place.objects.filter(Exists(Group.objects.filter(season=season,
                                                             place=OuterRef("pk"))))
            .annotate(lon=Func(point, function="ST_X", output_field=FloatField()),
                      lat=Func(point, function="ST_Y", output_field=FloatField()))
            .values_list("id", "name", "category__name_fr", "category__name_en", "lon", "lat")
            .order_by("name", "id"))
    english = is_english()
    return [{"id": pk, "name": name or (english and name_en) or name_fr,
             "lon": round(lon, 6), "lat": round(lat, 6)}
            for pk, name, name_fr, name_en, lon, lat in rows]


def place_counts(groups) -> dict[int, int]:
    """How many of the groups meet at each place, by place id (one statement)."""
    return dict(groups.order_by().values_list("place_id").annotate(n=Count("pk")))


def map_places(counts: dict[int, int], places: list[dict]) -> list[dict]:
    """The places the groups meet at, with how many of them each: the catalogue's map.
    `counts`: place_counts() of the groups; `places`: season_places() of their season (names
    and points)."""
    return [{"id": p["id"], "count": counts[p["id"]], "name": p["name"], "lon": p["lon"],
             "lat": p["lat"]} for p in places if p["id"] in counts]


def filter_choices(season: Season | None, places: list[dict] | None = None) -> dict:
    """The categories ((code, name)) and places ((id, name)) that the season's groups have (the
    filters' options; `places`: season_places(season) when the caller has them)."""
    if season is None:
        return {"categories": [], "places": []}
    categories = ActivityCategory.objects.filter(Exists(Group.objects.filter(
        season=season, activity__category=OuterRef("pk"))))
    if places is None:
        places = season_places(season)
    return {"categories": [(c.code, c.name) for c in categories],  # the options
            "places": sorted(((p["id"], p["name"]) for p in places),
                             key=lambda item: (item[1].casefold(), item[1], item[0]))}


# The catalogue's data version (migration 0005_catalogue_version): a number PostgreSQL bumps on
# every write to the seasons, categories, activities, groups, time slots and places; not on a
# registration. What only they decide (the places a season meets at, its filters' lists, its
# groups per place) is kept in Django's cache under it: any edit makes new keys, nothing is
# invalidated, and registration night reads them from the cache.
VERSION_TABLE = "leisure_catalogue_version"
CACHE_TIMEOUT = 24 * 3600  # only lets the cache drop old versions' entries
CACHE_FORMAT = 2  # change it when a cached value's shape changes (a shared cache, deployments)


def catalogue_version() -> int | None:
    """One statement; None without the version table's row (never, once migrated)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {VERSION_TABLE} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else None


def season_facts(season: Season | None) -> dict:
    """What the catalogue shows of a season that registrations never change, from Django's
    cache when this version of the catalogue was read already in this language: `places`
    (season_places), the filters' `categories` ((code, name)) and `places_choices`
    (filter_choices' places), and `counts` (place_counts of all its groups: the page without
    filters)."""
    if season is None:
        return {"places": [], "categories": [], "place_choices": [], "counts": {},
                "version": None}
    version = catalogue_version()
    key = f"leisure:{CACHE_FORMAT}:{version}:season:{season.pk}:{get_language()}"
    facts = cache.get(key) if version is not None else None
    if facts is None:
        places = season_places(season)
        choices = filter_choices(season, places)
        facts = {"places": places, "place_choices": choices["places"],
                 "categories": choices["categories"],
                 "counts": place_counts(Group.objects.filter(season=season)),
                 "version": version}
        if version is not None:
            cache.set(key, facts, CACHE_TIMEOUT)
    return facts


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
        registration.deadline = rules.cancellation_deadline(registration.group)
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


# The household's registrations (issue 15, part 2): "our week", its printable summary, the
# calendar feed, the dashboard and the export. Everything is read for one account
# (Registration.user): another citizen's registrations are never in these reads.

S = Registration.Status
WEEK_STATUSES = (S.REGISTERED, S.OFFERED)  # "our week" (the offered ones marked)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def mine(user, statuses):
    """The account's registrations in `statuses`, in groups not cancelled, with what the pages
    show (the slots prefetched in order), by participant, activity and group."""
    return (Registration.objects.filter(user=user, status__in=list(statuses),
                                        group__cancelled_at__isnull=True)
            .select_related("group__activity", "group__place__category", "group__season",
                            "member")
            .prefetch_related(Prefetch("group__slots",
                                       TimeSlot.objects.order_by("starts_on", "start_time")))
            .order_by("member__first_name", "member__last_name", "group__activity__title_fr",
                      "group__code", "pk"))


@dataclass(frozen=True)
class WeekEntry:
    session: Session
    registration: Registration

    @property
    def group(self):
        return self.registration.group

    @property
    def offered(self) -> bool:
        return self.registration.status == S.OFFERED


@dataclass
class Week:
    monday: dt.date
    days: list  # [(date, [WeekEntry])], Monday to Sunday
    previous: dt.date | None  # the previous week's Monday, within the seasons' dates
    next: dt.date | None
    registrations: list

    @property
    def sunday(self) -> dt.date:
        return self.monday + dt.timedelta(days=6)

    @property
    def empty(self) -> bool:
        return not any(entries for _day, entries in self.days)


def _bounds(registrations) -> tuple[dt.date, dt.date] | None:
    """The first and last day of the registrations' seasons."""
    seasons = {r.group.season_id: r.group.season for r in registrations}
    if not seasons:
        return None
    return (min(s.starts_on for s in seasons.values()),
            max(s.ends_on for s in seasons.values()))


def _session_dates(registrations) -> list[dt.date]:
    return sorted({s.date for r in registrations for s in sessions(r.group.slots.all())})


def default_week(registrations, today: dt.date) -> dt.date:
    """The Monday shown without ?semaine=: this week while the sessions run (or when there are
    none), else the week of the first session to come, else the week of the last one."""
    dates = _session_dates(registrations)
    this_week = monday_of(today)
    if not dates or (dates[0] <= this_week + dt.timedelta(days=6) and dates[-1] >= this_week):
        return this_week
    if dates[0] > today:
        return monday_of(dates[0])
    return monday_of(dates[-1])


def week_range(registrations, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last Monday a citizen may ask for: the weeks of the registrations'
    seasons (this week alone without a registration)."""
    bounds = _bounds(registrations)
    if bounds is None:
        return monday_of(today), monday_of(today)
    return monday_of(bounds[0]), monday_of(bounds[1])


def our_week(user, asked: dt.date | None, today: dt.date) -> Week:
    """The week of `asked` (any day of it; None: default_week), kept within the seasons' weeks:
    each day's sessions of the household's registered (and offered) groups, skipped dates left
    out, by hour."""
    registrations = list(mine(user, WEEK_STATUSES))
    low, high = week_range(registrations, today)
    monday = monday_of(asked) if asked else default_week(registrations, today)
    monday = min(max(monday, low), high)
    sunday = monday + dt.timedelta(days=6)
    by_day: dict[dt.date, list[WeekEntry]] = {monday + dt.timedelta(days=i): [] for i in range(7)}
    for registration in registrations:
        for session in sessions(registration.group.slots.all(), start=monday):
            if session.date > sunday:
                break
            by_day[session.date].append(WeekEntry(session, registration))
    for entries in by_day.values():
        entries.sort(key=lambda e: (e.session.start, e.session.end,
                                    e.registration.participant, e.group.code))
    previous = monday - dt.timedelta(days=7)
    following = monday + dt.timedelta(days=7)
    return Week(monday=monday, days=list(by_day.items()),
                previous=previous if previous >= low else None,
                next=following if following <= high else None,
                registrations=registrations)


@dataclass(frozen=True)
class SlotLine:
    slot: TimeSlot
    first: dt.date | None
    last: dt.date | None


@dataclass
class SummaryLine:
    registration: Registration
    slots: list

    @property
    def group(self):
        return self.registration.group

    @property
    def offered(self) -> bool:
        return self.registration.status == S.OFFERED

    @property
    def fee_due(self) -> Decimal:
        """What a registered member owes (an offer owes nothing until accepted)."""
        if self.registration.status == S.REGISTERED and self.registration.fee is not None:
            return self.registration.fee
        return Decimal("0.00")

    @property
    def offered_fee(self):
        group = self.group
        return group.fee_resident if self.registration.resident else group.fee_non_resident


@dataclass
class Participant:
    name: str
    lines: list = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.fee_due for line in self.lines), Decimal("0.00"))


def week_summary(user) -> tuple[list[Participant], Decimal]:
    """The printable summary: per participant, each registered (or offered) group with its
    slots (weekdays, hours, first and last sessions), place and fee; and the total fees due."""
    participants: dict[str, Participant] = {}
    for registration in mine(user, WEEK_STATUSES):
        slots = []
        for slot in registration.group.slots.all():
            dates = [s.date for s in sessions([slot])]
            slots.append(SlotLine(slot, dates[0] if dates else None,
                                  dates[-1] if dates else None))
        key = str(registration.member_id)
        participants.setdefault(key, Participant(str(registration.participant))).lines.append(
            SummaryLine(registration, slots))
    people = list(participants.values())
    return people, sum((p.total for p in people), Decimal("0.00"))


def feed_registrations(user) -> list[Registration]:
    """What the calendar feed holds: the registered ones (a seat offered is not a seat yet)."""
    return list(mine(user, [S.REGISTERED]))


def calendar_owner(token: str):
    """The account whose calendar address this is (an active account), or None."""
    from .models import CalendarToken

    found = (CalendarToken.objects.filter(token=token, user__is_active=True)
             .select_related("user").first())
    return found.user if found else None


@dataclass(frozen=True)
class DashboardLine:
    registration: Registration
    position: int | None  # on the waiting list

    @property
    def group(self):
        return self.registration.group

    @property
    def status(self) -> str:
        return self.registration.status


def dashboard_lines(user, today: dt.date) -> list[DashboardLine]:
    """The household's registrations, waiting-list places and offers in seasons not over."""
    found = with_positions(mine(user, Registration.CONFIRMED)
                           .filter(group__season__ends_on__gte=today))
    return [DashboardLine(r, r.position if r.status == S.WAITING else None) for r in found]


def fees_due(lines) -> Decimal:
    return sum((line.registration.fee for line in lines
                if line.status == S.REGISTERED and line.registration.fee is not None),
               Decimal("0.00"))


def export_registrations(user) -> list[dict]:
    """Every registration of the account, whatever its status (Law 25 export)."""
    from core.personal_data import json_value

    rows = (Registration.objects.filter(user=user)
            .select_related("group__activity", "group__season", "group__place__category",
                            "member")
            .prefetch_related("group__slots").order_by("added_at", "pk"))
    return [{"id": str(r.pk), "season": r.group.season.code, "group": r.group.code,
             "activity": r.group.activity.title_fr, "place": r.group.place.display_name,
             "participant": str(r.member) if r.member_id else None,
             "status": r.status, "reason": r.reason or None,
             "fee": json_value(r.fee), "resident": r.resident, "channel": r.channel,
             "attested_prerequisite": r.attested_prerequisite,
             "added_at": json_value(r.added_at), "confirmed_at": json_value(r.confirmed_at),
             "offer_until": json_value(r.offer_until),
             "cancelled_at": json_value(r.cancelled_at),
             "first_session": json_value(r.group.first_session_on),
             "last_session": json_value(r.group.last_session_on)} for r in rows]
