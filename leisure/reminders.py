"""Leisure reminders (core.reminders), PERSON kinds to the account that registered:

- "leisure_tomorrow": the activity starts tomorrow, due from the evening before the group's
  FIRST session (core.reminders.EVENING, local time; skipped dates count as no session), for
  each registered registration with an account;
- "leisure_offer" (notifications.SEAT_OFFERED): a seat freed up and is offered, until its delay;
- "leisure_cancelled" (notifications.GROUP_CANCELLED): the city cancelled the group.

The last two are queued at once by leisure.notifications (core.reminders.send_now); the
periodic job computes them again with the same key (kind, "registration:<id>", date: the
offer's last day, the cancellation's day), so what a crashed task lost is sent by the next run,
and never twice. load() reads the registration again when the message is sent: an offer
accepted or expired meanwhile, a registration no longer registered, is not sent."""
import datetime as dt
import uuid

from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import reminders

from .models import Registration, TimeSlot
from .recurrence import sessions

S = Registration.Status
R = Registration.Reason
TOMORROW = "leisure_tomorrow"
SEAT_OFFERED = "leisure_offer"
GROUP_CANCELLED = "leisure_cancelled"


def subject_of(registration) -> str:
    return f"registration:{registration.pk}"


def offer_due(registration) -> reminders.Due:
    return reminders.Due(subject=subject_of(registration),
                         on=timezone.localdate(registration.offer_until),
                         person=registration.user)


def cancelled_due(registration, at: dt.datetime | None = None) -> reminders.Due:
    """`at`: the cancellation's moment (the registration read before it was cancelled)."""
    return reminders.Due(subject=subject_of(registration),
                         on=timezone.localdate(registration.cancelled_at or at),
                         person=registration.user)


def _registrations():
    return (Registration.objects.exclude(user=None)
            .select_related("user", "member", "group__activity", "group__place__category",
                            "group__season").prefetch_related("group__slots"))


def _by_subject(subject: str):
    kind, _sep, pk = subject.partition(":")
    try:
        pk = uuid.UUID(pk)
    except ValueError:
        return None
    return _registrations().filter(pk=pk).first() if kind == "registration" else None


def context_of(registration) -> dict:
    group = registration.group
    first = next(iter(sessions(group.slots.all(), limit=1)), None)
    return {"registration": registration, "group": group, "activity": group.activity,
            "member": registration.participant, "place": group.place, "first": first}


def _first_session(group) -> dt.date | None:
    found = sessions(group.slots.all(), limit=1)
    return found[0].date if found else None


# Starts tomorrow

def tomorrow_due(now: dt.datetime, property_ids=None) -> list[reminders.Due]:
    """From the evening before (EVENING) on: each registered registration (with an account)
    whose group's first session is tomorrow."""
    local = timezone.localtime(now)
    if local.time() < reminders.EVENING:
        return []
    tomorrow = local.date() + dt.timedelta(days=1)
    # The groups whose slots may give a first session tomorrow: one has started by then.
    starting = (TimeSlot.objects.values("group").annotate(first=Min("starts_on"))
                .filter(first__lte=tomorrow).values("group"))
    found = (_registrations().filter(status=S.REGISTERED, group__cancelled_at__isnull=True,
                                     group__season__ends_on__gte=tomorrow,
                                     group__in=starting)
             .order_by("seq", "pk"))
    return [reminders.Due(subject=subject_of(r), on=tomorrow, person=r.user)
            for r in found if _first_session(r.group) == tomorrow]


def tomorrow_load(subject: str, on: dt.date) -> dict | None:
    registration = _by_subject(subject)
    if (registration is None or registration.status != S.REGISTERED
            or registration.group.cancelled_at or _first_session(registration.group) != on):
        return None
    return context_of(registration)


# A seat offered

def offer_due_now(now: dt.datetime, property_ids=None) -> list[reminders.Due]:
    """Each offer still open at `now` (notifications.send_offers queued it at once)."""
    found = _registrations().filter(status=S.OFFERED, offer_until__gt=now).order_by("seq")
    return [offer_due(r) for r in found]


def offer_load(subject: str, on: dt.date) -> dict | None:
    registration = _by_subject(subject)
    if (registration is None or registration.status != S.OFFERED
            or registration.offer_until is None
            or registration.offer_until <= timezone.now()
            or timezone.localdate(registration.offer_until) != on):
        return None
    return context_of(registration)


# A group cancelled

def cancelled_due_now(now: dt.datetime, property_ids=None) -> list[reminders.Due]:
    """Each confirmed registration (registered, waiting or offered: it has a `seq`) cancelled
    with its group within core.reminders.LOOKBACK."""
    found = (_registrations().filter(status=S.CANCELLED, reason=R.GROUP, seq__isnull=False,
                                     cancelled_at__gt=now - reminders.LOOKBACK,
                                     cancelled_at__lte=now)
             .order_by("cancelled_at", "seq"))
    return [cancelled_due(r) for r in found]


def cancelled_load(subject: str, on: dt.date) -> dict | None:
    registration = _by_subject(subject)
    if (registration is None or registration.status != S.CANCELLED
            or registration.reason != R.GROUP or registration.cancelled_at is None
            or timezone.localdate(registration.cancelled_at) != on):
        return None
    return context_of(registration)


def register() -> None:
    reminders.register(TOMORROW, due=tomorrow_due, load=tomorrow_load, scope=reminders.PERSON,
                       render=reminders.templates("leisure/reminders/tomorrow"),
                       label=_("A leisure activity starting tomorrow"), order=70)
    reminders.register(SEAT_OFFERED, due=offer_due_now, load=offer_load,
                       scope=reminders.PERSON,
                       render=reminders.templates("leisure/reminders/offer"),
                       label=_("A seat offered from a leisure waiting list"), order=71)
    reminders.register(GROUP_CANCELLED, due=cancelled_due_now, load=cancelled_load,
                       scope=reminders.PERSON,
                       render=reminders.templates("leisure/reminders/cancelled"),
                       label=_("A leisure group cancelled by the city"), order=72)
