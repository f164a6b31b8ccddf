"""Library reminders (issue 16, point 4), through the reminder registry (core.reminders): a loan
due in DAYS_BEFORE days, a loan overdue, a hold ready for pickup, a balance owed. PERSON kinds:
each reaches the account that linked the card, on its subscriber's channels and in its language.

The PIN. The library's system wants the card's PIN for a reader's record, and the portal never
stores it (pins.py). So the job asks as the portal's own SIP2 account (the 93 login of
GUICHET_LIBRARY_SIP2 "user"/"password"), without the reader's PIN: in SIP2, Patron Information
(63) makes the patron password (AD) optional and leaves the answer to the system. Koha answers a
logged-in SIP account (C4/SIP/Sip/MsgType.pm, handle_patron_info: the lists whatever the
password, CQ only when AD was sent); its login (93) needs a staff user with the "circulate"
permission, as every self-check machine's does. A system that keeps the lists without the PIN
(a count above zero, its list missing) makes the connector raise PinRequired: the job logs which
card (its last four digits) and why, sends nothing for it and goes on; nothing else can be done
without a stored PIN.

Outage. A card whose record cannot be read (the system down, too slow, the circuit breaker open)
is skipped for this run, with a log line; the next run asks again. The keys make a later send
still once: (kind, subject, on) with `on` the loan's due date, the hold's pickup date: a
reminder missed today is sent tomorrow, and never twice.

Privacy. Delivery rows keep only the key: the card's id and a keyed hash of the item's barcode
(an item barcode names a book at the library), never a title. The titles are in the message
sent, and in the context kept GUICHET_LIBRARY_CACHE_S seconds in the cache between the job and
the sender (as the record page's own short cache); if the sender comes later (a retry), the
record is asked again, and a reminder that no longer holds (returned, renewed, paid) is not sent.
"""
import datetime as dt
import hashlib
import hmac
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import reminders

from . import resilience
from .connectors.base import IlsUnavailable, PinRequired
from .models import LibraryCard

log = logging.getLogger(__name__)

DUE_SOON = "library_due_soon"
OVERDUE = "library_overdue"
HOLD_READY = "library_hold_ready"
BALANCE = "library_balance"
DAYS_BEFORE = 2

# One read of each card per run: the four kinds are asked in turn with the same `now`; a kind
# asked again (the same `now` or not) is a new run, which reads the cards again. Used by the
# job only (one process, one thread); a late send's load() asks for its one card itself.
_run: dict = {"now": None, "asked": set(), "records": {}}


def _item_key(item_id: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), b"guichet.library.item:" + item_id.encode(),
                      hashlib.sha256).hexdigest()
    return digest[:16]


def _cards():
    """The cards of active accounts that have a subscriber (the only ones a PERSON reminder
    reaches): the library's system is asked for no one else."""
    return (LibraryCard.objects.filter(user__is_active=True, user__subscriber__isnull=False)
            .select_related("user", "member").order_by("linked_at"))


def fetch(card):
    """The card's record read without its PIN, or None (skipped, with the reason logged)."""
    try:
        return resilience.call("patron_info_without_pin", card.barcode)
    except resilience.NotConfigured:
        return None
    except PinRequired as refusal:
        log.warning("library reminders: card …%s skipped: %s. The portal's SIP2 account must "
                    "be allowed patron information without the reader's PIN (Koha: a SIP "
                    "account whose user has the circulate permission).",
                    card.last_four, refusal)
    except IlsUnavailable as error:
        log.warning("library reminders: card …%s skipped this run, the library's system "
                    "does not answer (%s); asked again next run", card.last_four, error)
    return None


def _records(now, kind: str) -> list:
    """[(card, record)] of the cards whose record could be read at `now` (once per run)."""
    if _run["now"] != now or kind in _run["asked"]:
        _run.update(now=now, asked=set(), records={})
        for card in _cards():
            record = fetch(card)
            if record is not None and record.valid:
                _run["records"][card.pk] = (card, record)
    _run["asked"].add(kind)
    return list(_run["records"].values())


def _base(card, record) -> dict:
    return {"card_id": str(card.pk), "last_four": card.last_four, "holder": card.holder_name,
            "blocked": record.blocked, "messages": list(record.messages)}


def _loan_context(card, record, loan) -> dict:
    return {**_base(card, record), "title": loan.title,
            "due": timezone.localtime(loan.due).date() if loan.due else None}


def _keep(kind: str, due: reminders.Due) -> reminders.Due:
    cache.set(_context_key(kind, due.subject, due.on), due.context,
              settings.GUICHET_LIBRARY_CACHE_S)
    return due


def _context_key(kind: str, subject: str, on: dt.date) -> str:
    return f"library:reminder:{kind}:{subject}:{on.isoformat()}"


def _due_soon(now, cards) -> list[reminders.Due]:
    """A loan due within DAYS_BEFORE days (from the day it enters that window: once per due
    date, so a renewed loan is reminded again before its new date)."""
    today = timezone.localdate(now)
    window = (today + dt.timedelta(days=1), today + dt.timedelta(days=DAYS_BEFORE))
    out = []
    for card, record in cards:
        for loan in record.loans:
            day = timezone.localtime(loan.due).date() if loan.due else None
            if day and window[0] <= day <= window[1] and not loan.overdue:
                out.append(reminders.Due(
                    subject=f"card:{card.pk}:loan:{_item_key(loan.item_id)}", on=day,
                    person=card.user, context=_loan_context(card, record, loan)))
    return out


def _overdue(now, cards) -> list[reminders.Due]:
    """Each overdue loan, once per due date (the first of the month when the system gives no
    date it can read: at most once a month)."""
    out = []
    for card, record in cards:
        for loan in record.overdue:
            day = (timezone.localtime(loan.due).date() if loan.due  # else at most monthly
                   else timezone.localdate(now).replace(day=1))
            out.append(reminders.Due(
                subject=f"card:{card.pk}:loan:{_item_key(loan.item_id)}", on=day,
                person=card.user, context=_loan_context(card, record, loan)))
    return out


def _hold_ready(now, cards) -> list[reminders.Due]:
    """Each hold waiting for pickup, once per pickup date (the first of the month when the
    system gives none: at most once a month)."""
    out = []
    for card, record in cards:
        for hold in record.ready_holds:
            day = hold.pickup_by or timezone.localdate(now).replace(day=1)
            out.append(reminders.Due(
                subject=f"card:{card.pk}:hold:{_item_key(hold.item_id)}", on=day,
                person=card.user, context={**_base(card, record), "title": hold.title,
                                           "pickup_by": hold.pickup_by}))
    return out


def _balance(now, cards) -> list[reminders.Due]:
    """A balance owed on the card: once a month while it is owed (`on` the month's first day)."""
    out = []
    for card, record in cards:
        if record.fee_total > 0:
            out.append(reminders.Due(
                subject=f"card:{card.pk}:balance", on=timezone.localdate(now).replace(day=1),
                person=card.user, context={**_base(card, record), "amount": record.fee_total,
                                           "fines": len(record.fines)}))
    return out


def _kind(kind: str, compute):
    """The kind's `due(now, property_ids)` for the registry: every card read once per run."""
    def due(now, property_ids=None) -> list[reminders.Due]:
        return [_keep(kind, d) for d in compute(now, _records(now, kind))]
    return due


def _load(kind, compute):
    def load(subject: str, on: dt.date) -> dict | None:
        """The context the job kept; else the record asked again (a late send): None when the
        reminder no longer holds or the record cannot be read now."""
        context = cache.get(_context_key(kind, subject, on))
        if context is not None:
            return context
        try:
            card = _cards().get(pk=subject.split(":")[1])
        except (LibraryCard.DoesNotExist, IndexError, ValueError, ValidationError):
            return None
        record = fetch(card)
        if record is None or not record.valid:
            return None
        found = [d for d in compute(timezone.now(), [(card, record)])
                 if d.subject == subject and d.on == on]
        return found[0].context if found else None
    return load


KINDS = [  # code, what is due, template, label, order
    (DUE_SOON, _due_soon, "due_soon", _("A library loan due in two days"), 60),
    (OVERDUE, _overdue, "overdue", _("An overdue library loan"), 61),
    (HOLD_READY, _hold_ready, "hold_ready", _("A library hold ready for pickup"), 62),
    (BALANCE, _balance, "balance", _("A balance owed to the library"), 63),
]


def register() -> None:
    for code, compute, template, label, order in KINDS:
        reminders.register(code, due=_kind(code, compute), load=_load(code, compute),
                           render=reminders.templates(f"library/reminders/{template}"),
                           label=label, scope=reminders.PERSON, order=order)
