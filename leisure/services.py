"""Registration's writes (issue 15, part 2): the basket, its confirmation, the waiting list and
its offers, cancellation, and what clerks do for a citizen.

No overbooking, by the database: every write that may take or free a seat first locks the
group's row (SELECT ... FOR UPDATE, groups in id order so that two baskets never deadlock), then
counts the seats taken under that lock. Two confirmations of the last seat are serialised by
the lock: the second counts the first's registration.

Fair order: a confirmation draws its `seq` from a database sequence once it holds its groups'
locks; seats and the waiting list's positions go by `seq`. A seat that frees goes first to the
waiting list (an offer to its first, with a delay to accept), never to a newcomer while someone
waits.

Every check a citizen may fail (window, age, clash, counter only) is made before anything is
written: a refused confirmation changes nothing, and says what to do."""
import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from citizens.models import HouseholdMember

from .models import Group, Registration
from .rules import (
    cancellation_deadline,
    clash_refusal,
    group_refusal,
    is_resident,
    member_refusal,
    prerequisite_met,
    prerequisite_refusal,
    resident_links,
    window_refusal,
)

S = Registration.Status
R = Registration.Reason
MAX_BASKET = 10  # items in a basket: a household's evening, not a bulk import
SEQUENCE = "leisure_confirmation_seq"  # created by migration 0003


def hold_delay() -> dt.timedelta:
    return dt.timedelta(minutes=settings.GUICHET_LEISURE_HOLD_MINUTES)


def offer_delay() -> dt.timedelta:
    return dt.timedelta(hours=settings.GUICHET_LEISURE_OFFER_HOURS)


class Refused(Exception):
    """What a citizen or clerk asked cannot be done; the message says why and what to do."""

    def __init__(self, message: str, code: str = "refused"):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass
class Outcome:
    registration: Registration
    status: str  # registered, waiting, or cancelled (full)
    position: int | None = None  # on the waiting list


def _lock(group_ids) -> dict[int, Group]:
    """The groups' rows locked for this transaction, in id order (no deadlock), with what the
    rules read (season, activity)."""
    if not isinstance(group_ids, QuerySet):  # a queryset of ids stays a subquery
        group_ids = sorted(set(group_ids))
    rows = (Group.objects.select_for_update(of=("self",)).filter(pk__in=group_ids)
            .select_related("season", "activity").order_by("pk"))
    return {group.pk: group for group in rows}


@dataclass
class Seats:
    """A group's seats, counted under its lock: `taken` (registered, offered with time left,
    held in a basket with time left), `waiting`, and `expired` offers (past their delay)."""

    taken: int
    waiting: int
    expired: int = 0


# Seats, as Registration.takes_a_seat defines them, written as the statement that counts them
# under the lock on every confirmation: its ORM aggregate cost ~0.8 ms of Python to compile, a
# tenth of a confirmation, for a statement that runs in 0.1 ms (bench/RESULTS.md, 2026-12-06).
# tests/leisure/test_seats_count.py holds it equal to takes_a_seat on every status and hour.
SEATS_SQL = (
    f"SELECT count(*) FILTER (WHERE status = '{S.REGISTERED}'"
    f" OR (status = '{S.OFFERED}' AND offer_until > %(now)s)"
    f" OR (status = '{S.IN_BASKET}' AND held_until > %(now)s)),"
    f" count(*) FILTER (WHERE status = '{S.WAITING}'),"
    f" count(*) FILTER (WHERE status = '{S.OFFERED}' AND offer_until <= %(now)s)"
    f" FROM {Registration._meta.db_table} WHERE group_id = %(group)s")


def _seats(group: Group, now: dt.datetime) -> Seats:
    """One statement (under the group's lock)."""
    with connection.cursor() as cursor:
        cursor.execute(SEATS_SQL, {"now": now, "group": group.pk})
        return Seats(*cursor.fetchone())


def _next_seq() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [SEQUENCE])
        return cursor.fetchone()[0]


def waiting_position(registration: Registration) -> int | None:
    if registration.status != S.WAITING:
        return None
    return Registration.objects.filter(group_id=registration.group_id, status=S.WAITING,
                                       seq__lt=registration.seq).count() + 1


def _settle(group: Group, now: dt.datetime) -> Seats:
    """Under the group's lock: offers past their delay expire, and every free seat is offered
    to the waiting list's first, in order (they are told after the commit). Returns the seats
    as they are then. Two statements when nothing is to settle (the count, and none else)."""
    seats = _seats(group, now)
    if seats.expired:
        Registration.objects.filter(group=group, status=S.OFFERED, offer_until__lte=now).update(
            status=S.CANCELLED, reason=R.EXPIRED, cancelled_at=now)
        seats.expired = 0
    free = group.capacity - seats.taken
    if free <= 0 or not seats.waiting or group.cancelled_at:
        return seats
    offers = list(Registration.objects.filter(group=group, status=S.WAITING)
                  .order_by("seq").values_list("pk", flat=True)[:free])
    Registration.objects.filter(pk__in=offers).update(status=S.OFFERED,
                                                      offer_until=now + offer_delay())
    seats.taken += len(offers)
    seats.waiting -= len(offers)
    from .notifications import tell_offers

    transaction.on_commit(lambda: tell_offers(offers))
    return seats


# The basket

def basket(user):
    return (Registration.objects.filter(user=user, status=S.IN_BASKET)
            .select_related("group__activity", "group__season", "group__place", "member")
            .order_by("added_at"))


@transaction.atomic
def add_to_basket(user, group_id: int, members: list[HouseholdMember],
                  now: dt.datetime | None = None, *, attested: bool = False
                  ) -> list[Registration]:
    """Puts `members` (of `user`'s household) in the basket for group `group_id`. When the
    window is open to the citizen and seats are free, each holds one for a few minutes (the
    hold only speeds the confirmation up: without it, the seat is decided at confirmation).
    Refused, and nothing added, if any of them cannot be registered."""
    if not members:
        raise Refused(_("Choose who to register."), "no_member")
    in_basket = Registration.objects.filter(user=user, status=S.IN_BASKET).count()
    if in_basket + len(members) > MAX_BASKET:
        raise Refused(_("A basket holds %(n)d registrations at most: confirm this one first.")
                      % {"n": MAX_BASKET}, "basket_full")
    group = _lock([group_id]).get(group_id)
    if group is None:
        raise Refused(_("This group does not exist."), "no_group")
    now = now or timezone.now()
    for member in members:
        if member.user_id != user.pk:
            raise Refused(_("Only the members of your household can be registered."),
                          "not_household")
        problem = (group_refusal(group, online=True) or member_refusal(group, member)
                   or (group.season.window_at(now) == "closed"
                       and window_refusal(group, True, now))
                   or clash_refusal(group, member)
                   or prerequisite_refusal(group, member, attested))
        if problem:
            raise Refused(problem)
        if Registration.objects.filter(group=group, member=member,
                                       status__in=Registration.ACTIVE).exists():
            raise Refused(_("%(name)s is already in this group, on its waiting list or in your "
                            "basket.") % {"name": member}, "already")
    resident = is_resident(user)
    free = 0  # seats to hold: none before the citizen's window
    if window_refusal(group, resident, now) is None:
        seats = _seats(group, now)
        free = group.capacity - seats.taken - seats.waiting
    added = []
    for member in members:
        held_until = now + hold_delay() if free > 0 else None
        free -= 1
        added.append(Registration.objects.create(
            group=group, user=user, member=member, status=S.IN_BASKET, held_until=held_until,
            resident=resident,
            attested_prerequisite=not prerequisite_met(group, member)))
    return added


@transaction.atomic
def remove_from_basket(user, registration_id) -> None:
    Registration.objects.filter(user=user, pk=registration_id, status=S.IN_BASKET).update(
        status=S.CANCELLED, reason=R.REMOVED, cancelled_at=timezone.now(), held_until=None)


@transaction.atomic
def confirm_basket(user) -> list[Outcome]:
    """Confirms the basket: each item registered (its hold, or a free seat), else on the
    waiting list (a position), else, waiting list full too, not registered (said so). A rule
    a citizen fails (window, age, clash) refuses the whole confirmation: nothing changes."""
    # The basket's groups locked, in id order, in one statement (a second click waits here
    # for the first, then finds its basket confirmed).
    groups = _lock(Registration.objects.filter(user=user, status=S.IN_BASKET)
                   .values("group_id"))
    if not groups:
        raise Refused(_("Your basket is empty."), "empty")
    # Read with them: residency, and whether each member is in another group already (only
    # then can a clash have appeared since the basket: that group's hours changed).
    items = list(Registration.objects.select_for_update(of=("self",))
                 .filter(user=user, status=S.IN_BASKET, group_id__in=list(groups))
                 .annotate(resident_now=Exists(resident_links(user)),
                           elsewhere=Exists(Registration.objects.filter(
                               member=OuterRef("member_id"),
                               status__in=Registration.CONFIRMED)))
                 .select_related("member").order_by("group_id", "added_at"))
    if not items:
        raise Refused(_("Your basket is empty."), "empty")
    now = timezone.now()  # the moment the seats are decided: after the locks
    resident = items[0].resident_now
    ids = [item.pk for item in items]
    for item in items:
        item.group = group = groups[item.group_id]
        if item.member is None:
            raise Refused(_("A registration in your basket has no participant any more: "
                            "remove it."), "no_member")
        problem = (group_refusal(group, online=True) or window_refusal(group, resident, now)
                   or member_refusal(group, item.member)
                   or (item.elsewhere and clash_refusal(group, item.member, exclude=ids)))
        if problem:
            raise Refused(problem)
    seq = _next_seq()
    seats: dict[int, Seats] = {}
    outcomes = []
    for item in items:
        group = item.group
        if group.pk not in seats:
            seats[group.pk] = _settle(group, now)
        counted = seats[group.pk]
        held = item.held_until is not None and item.held_until > now  # counted in `taken`
        item.seq, item.confirmed_at, item.resident = seq, now, resident
        item.held_until = None
        if held or (not counted.waiting and counted.taken < group.capacity):
            item.status = S.REGISTERED
            item.fee = group.fee_resident if resident else group.fee_non_resident
            counted.taken += 0 if held else 1
        elif counted.waiting < group.waiting_list_size:
            item.status = S.WAITING
            counted.waiting += 1
        else:
            item.status, item.reason, item.cancelled_at = S.CANCELLED, R.FULL, now
        item.save(update_fields=["seq", "confirmed_at", "resident", "held_until", "status",
                                 "fee", "reason", "cancelled_at"])
        position = counted.waiting if item.status == S.WAITING else None
        outcomes.append(Outcome(item, item.status, position))
    return outcomes


# After confirmation

@transaction.atomic
def cancel(registration_id, *, user=None, clerk=None, reason=None) -> Registration:
    """Cancels a registration (registered, waiting or offered): by its citizen (`user`, until
    the deadline) or by a clerk. A freed seat is offered to the waiting list."""
    found = Registration.objects.filter(pk=registration_id,
                                        status__in=Registration.CONFIRMED)
    if user is not None:
        found = found.filter(user=user)
    group_id = found.values_list("group_id", flat=True).first()
    if group_id is None:
        raise Refused(_("This registration is not active."), "not_active")
    group = _lock([group_id])[group_id]
    registration = found.select_for_update(of=("self",)).select_related("member").first()
    if registration is None:
        raise Refused(_("This registration is not active."), "not_active")
    now = timezone.now()
    if clerk is None:
        deadline = cancellation_deadline(group)
        if (registration.status == S.REGISTERED and deadline
                and timezone.localdate(now) > deadline):
            raise Refused(_("Online cancellation ended on %(date)s; call the leisure desk.")
                          % {"date": deadline.isoformat()}, "deadline")
    registration.status, registration.cancelled_at = S.CANCELLED, now
    registration.reason = reason or (R.CLERK if clerk else R.CITIZEN)
    registration.save(update_fields=["status", "cancelled_at", "reason"])
    _settle(group, now)
    return registration


@transaction.atomic
def accept_offer(user, registration_id) -> Registration:
    found = Registration.objects.filter(pk=registration_id, user=user, status=S.OFFERED)
    group_id = found.values_list("group_id", flat=True).first()
    if group_id is None:
        raise Refused(_("This seat is no longer offered to you."), "not_offered")
    group = _lock([group_id])[group_id]
    now = timezone.now()
    _settle(group, now)  # an offer past its delay expires here, and goes to the next
    registration = found.select_for_update(of=("self",)).first()
    if registration is None:
        raise Refused(_("The offer's delay has passed: the seat went to the next person on "
                        "the waiting list."), "expired")
    registration.status = S.REGISTERED
    registration.fee = group.fee_resident if registration.resident else group.fee_non_resident
    registration.save(update_fields=["status", "fee"])
    return registration


def decline_offer(user, registration_id) -> Registration:
    return cancel(registration_id, user=user, reason=R.DECLINED)


@transaction.atomic
def settle(group_id: int) -> None:
    """Offers a group's free seats to its waiting list (its capacity was raised)."""
    group = _lock([group_id]).get(group_id)
    if group is not None:
        _settle(group, timezone.now())


@transaction.atomic
def expire_offers(now: dt.datetime | None = None) -> int:
    """The periodic job (manage.py leisure_offers): offers past their delay expire and their
    seats go to the next ones. Returns the number of groups settled."""
    now = now or timezone.now()
    group_ids = set(Registration.objects.filter(status=S.OFFERED, offer_until__lte=now)
                    .values_list("group_id", flat=True))
    for group in _lock(group_ids).values():
        _settle(group, now)
    return len(group_ids)


# Clerks

@transaction.atomic
def register_for(clerk, member: HouseholdMember, group_id: int, *,
                 channel=Registration.Channel.COUNTER, exclude=()) -> Outcome:
    """A clerk registers a household member at the counter or by phone: any window up to the
    season's end, counter-only groups too; ages, clashes and seats are checked as online."""
    group = _lock([group_id]).get(group_id)
    if group is None:
        raise Refused(_("This group does not exist."), "no_group")
    over = group.season.ends_on < timezone.localdate() and _(
        "%(season)s is over.") % {"season": group.season.name}
    problem = (over or group_refusal(group, online=False) or member_refusal(group, member)
               or clash_refusal(group, member, exclude=exclude))
    if problem:
        raise Refused(problem)
    if Registration.objects.filter(group=group, member=member,
                                   status__in=Registration.ACTIVE).exists():
        raise Refused(_("%(name)s is already in this group, on its waiting list or in a "
                        "basket.") % {"name": member}, "already")
    now = timezone.now()
    seats = _settle(group, now)
    resident = is_resident(member.user)
    registration = Registration(group=group, user=member.user, member=member, channel=channel,
                                clerk=clerk, resident=resident, seq=_next_seq(),
                                confirmed_at=now)
    if not seats.waiting and seats.taken < group.capacity:
        registration.status = S.REGISTERED
        registration.fee = group.fee_resident if resident else group.fee_non_resident
    elif seats.waiting < group.waiting_list_size:
        registration.status = S.WAITING
    else:
        raise Refused(_("%(activity)s (%(code)s) is full, and so is its waiting list.")
                      % {"activity": group.activity.title, "code": group.code}, "full")
    registration.save()
    return Outcome(registration, registration.status, waiting_position(registration))


@transaction.atomic
def move(clerk, registration_id, to_group_id: int) -> Outcome:
    """Moves a registered or waiting member to another group (a seat there, else its waiting
    list); their seat here goes to this group's waiting list."""
    registration = (Registration.objects.filter(pk=registration_id,
                                                status__in=Registration.CONFIRMED)
                    .select_related("member").first())
    if registration is None or registration.member is None:
        raise Refused(_("This registration is not active."), "not_active")
    if registration.group_id == to_group_id:
        raise Refused(_("Choose another group."), "same_group")
    _lock([registration.group_id, to_group_id])
    outcome = register_for(clerk, registration.member, to_group_id,
                           channel=registration.channel, exclude=[registration.pk])
    cancel(registration.pk, clerk=clerk, reason=R.MOVED)
    return outcome


@transaction.atomic
def cancel_group(clerk, group_id: int) -> list[Registration]:
    """The city cancels a group: every registration, waiting and offer in it is cancelled and
    its person told; the group stays, marked cancelled, closed to registration."""
    group = _lock([group_id]).get(group_id)
    if group is None:
        raise Refused(_("This group does not exist."), "no_group")
    if group.cancelled_at:
        raise Refused(_("This group is already cancelled."), "cancelled")
    now = timezone.now()
    group.cancelled_at = now
    group.save(update_fields=["cancelled_at"])
    told = list(Registration.objects.filter(
        group=group, status__in=Registration.CONFIRMED).exclude(user=None))
    Registration.objects.filter(group=group, status__in=Registration.ACTIVE).update(
        status=S.CANCELLED, reason=R.GROUP, cancelled_at=now, held_until=None)
    from .notifications import tell_group_cancelled

    ids = [r.pk for r in told]
    transaction.on_commit(lambda: tell_group_cancelled(ids))
    return told


# Personal data (Law 25)

@transaction.atomic
def erase(user) -> None:
    """With the account: active registrations are cancelled (their seats go to the waiting
    lists), and every registration loses its account and participant; the rows stay,
    anonymous, in the groups' records."""
    for registration_id in Registration.objects.filter(
            user=user, status__in=Registration.CONFIRMED).order_by(
            "group_id").values_list("pk", flat=True):  # groups locked in id order
        cancel(registration_id, clerk=user, reason=R.ERASED)
    Registration.objects.filter(user=user, status=S.IN_BASKET).update(
        status=S.CANCELLED, reason=R.ERASED, cancelled_at=timezone.now(), held_until=None)
    Registration.objects.filter(user=user).update(user=None, member=None)


# The household's calendar address (the feed of "our week")

def calendar_token(user) -> str:
    """The account's calendar token, created on first use."""
    from .models import CalendarToken

    return CalendarToken.objects.get_or_create(user=user)[0].token


@transaction.atomic
def reset_calendar_token(user) -> str:
    """A new calendar address: the old one answers 404 from now on."""
    from .models import CalendarToken
    from .models.calendar import new_token

    token = new_token()
    CalendarToken.objects.update_or_create(user=user, defaults={"token": token})
    return token
