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
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from citizens.models import HouseholdMember

from .models import Group, Registration
from .rules import (
    clash_refusal,
    group_refusal,
    is_resident,
    member_refusal,
    prerequisite_met,
    prerequisite_refusal,
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
    """The groups' rows locked for this transaction, in id order (no deadlock)."""
    rows = (Group.objects.select_for_update(of=("self",)).filter(pk__in=sorted(set(group_ids)))
            .select_related("season", "activity").order_by("pk"))
    return {group.pk: group for group in rows}


def _taken(group: Group, now: dt.datetime, exclude=None) -> int:
    seated = Registration.objects.filter(group=group).filter(
        Q(status__in=Registration.SEATED) | Q(status=S.IN_BASKET, held_until__gt=now))
    if exclude is not None:
        seated = seated.exclude(pk=exclude.pk)
    return seated.count()


def _waiting(group: Group) -> int:
    return Registration.objects.filter(group=group, status=S.WAITING).count()


def _next_seq() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [SEQUENCE])
        return cursor.fetchone()[0]


def waiting_position(registration: Registration) -> int | None:
    if registration.status != S.WAITING:
        return None
    return Registration.objects.filter(group_id=registration.group_id, status=S.WAITING,
                                       seq__lt=registration.seq).count() + 1


def _settle(group: Group, now: dt.datetime) -> list[Registration]:
    """Under the group's lock: offers past their delay expire, and every free seat is offered
    to the waiting list's first, in order. Returns the new offers (to be told)."""
    expired = Registration.objects.filter(group=group, status=S.OFFERED, offer_until__lte=now)
    expired.update(status=S.CANCELLED, reason=R.EXPIRED, cancelled_at=now)
    free = group.capacity - _taken(group, now)
    if free <= 0 or group.cancelled_at:
        return []
    offers = list(Registration.objects.filter(group=group, status=S.WAITING)
                  .order_by("seq")[:free])
    for registration in offers:
        registration.status = S.OFFERED
        registration.offer_until = now + offer_delay()
        registration.save(update_fields=["status", "offer_until"])
    if offers:
        from .notifications import tell_offers

        ids = [r.pk for r in offers]
        transaction.on_commit(lambda: tell_offers(ids))
    return offers


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
    hold = window_refusal(group, resident, now) is None
    free = group.capacity - _taken(group, now) - _waiting(group) if hold else 0
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
    group_ids = list(Registration.objects.filter(user=user, status=S.IN_BASKET)
                     .values_list("group_id", flat=True))
    if not group_ids:
        raise Refused(_("Your basket is empty."), "empty")
    groups = _lock(group_ids)
    # Read again under the locks: a second click waited for the first and finds it done.
    items = list(Registration.objects.select_for_update(of=("self",))
                 .filter(user=user, status=S.IN_BASKET, group_id__in=list(groups))
                 .select_related("member").order_by("group_id", "added_at"))
    if not items:
        raise Refused(_("Your basket is empty."), "empty")
    now = timezone.now()  # the moment the seats are decided: after the locks
    resident = is_resident(user)
    ids = [item.pk for item in items]
    for item in items:
        group = groups[item.group_id]
        if item.member is None:
            raise Refused(_("A registration in your basket has no participant any more: "
                            "remove it."), "no_member")
        problem = (group_refusal(group, online=True) or window_refusal(group, resident, now)
                   or member_refusal(group, item.member)
                   or clash_refusal(group, item.member, exclude=ids))
        if problem:
            raise Refused(problem)
    seq = _next_seq()
    outcomes = []
    for item in items:
        group = groups[item.group_id]
        _settle(group, now)
        held = item.held_until is not None and item.held_until > now
        item.seq, item.confirmed_at, item.resident = seq, now, resident
        item.held_until = None
        if held or (not _waiting(group) and _taken(group, now, exclude=item) < group.capacity):
            item.status = S.REGISTERED
            item.fee = group.fee_resident if resident else group.fee_non_resident
        elif _waiting(group) < group.waiting_list_size:
            item.status = S.WAITING
        else:
            item.status, item.reason, item.cancelled_at = S.CANCELLED, R.FULL, now
        item.save(update_fields=["seq", "confirmed_at", "resident", "held_until", "status",
                                 "fee", "reason", "cancelled_at"])
        outcomes.append(Outcome(item, item.status, waiting_position(item)))
    return outcomes


# After confirmation

def cancellation_deadline(group: Group) -> dt.date | None:
    """The last day a citizen cancels online: `cancellation_days` before the first session."""
    first = group.first_session_on
    return first - dt.timedelta(days=group.season.cancellation_days) if first else None


@transaction.atomic
def cancel(registration_id, *, user=None, clerk=None, reason=None) -> Registration:
    """Cancels a registration (registered, waiting or offered): by its citizen (`user`, until
    the deadline) or by a clerk. A freed seat is offered to the waiting list."""
    found = Registration.objects.filter(pk=registration_id, status__in=[
        S.REGISTERED, S.WAITING, S.OFFERED])
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
def settle(group_id: int) -> list[Registration]:
    """Offers a group's free seats to its waiting list (its capacity was raised)."""
    group = _lock([group_id]).get(group_id)
    return _settle(group, timezone.now()) if group else []


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
    _settle(group, now)
    resident = is_resident(member.user)
    registration = Registration(group=group, user=member.user, member=member, channel=channel,
                                clerk=clerk, resident=resident, seq=_next_seq(),
                                confirmed_at=now)
    if not _waiting(group) and _taken(group, now) < group.capacity:
        registration.status = S.REGISTERED
        registration.fee = group.fee_resident if resident else group.fee_non_resident
    elif _waiting(group) < group.waiting_list_size:
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
                                                status__in=[S.REGISTERED, S.WAITING, S.OFFERED])
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
        group=group, status__in=[S.REGISTERED, S.WAITING, S.OFFERED]).exclude(user=None))
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
            user=user, status__in=[S.REGISTERED, S.WAITING, S.OFFERED]).order_by(
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
