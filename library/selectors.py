"""Reads of the library app. A citizen's cards are read through these functions only, scoped to
their account (someone else's card is a 404). A card's line (loans, next due date, amount owed)
is made from the short cache, never by calling the library's system: the dashboard and
/api/me/ never wait for it (the record page does, within the timeout)."""
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.http import Http404

from . import pins, resilience
from .connectors import configured
from .models import LibraryCard

OK = "ok"
UNAVAILABLE = "unavailable"  # the system does not answer: try later
PIN_NEEDED = "pin_needed"  # the PIN is not in this session: the record page asks for it
TO_LOAD = "to_load"  # the PIN is there, the record not read lately: the record page reads it


@dataclass
class CardLine:
    card: LibraryCard
    status: str
    loans: int = 0
    overdue: int = 0
    next_due: dt.datetime | None = None
    owed: Decimal = Decimal("0")
    currency: str = ""
    holds_ready: int = 0
    blocked: bool = False
    holds: int = 0


def connected() -> bool:
    """A library system is configured: the dashboard offers to link a card."""
    return configured()


def cards_of(user) -> list[LibraryCard]:
    return list(LibraryCard.objects.filter(user=user).select_related("member"))


def card_or_404(user, card_id) -> LibraryCard:
    """The citizen's own card: by id AND account, so another citizen's card is a 404."""
    card = LibraryCard.objects.filter(pk=card_id, user=user).select_related("member").first()
    if card is None:
        raise Http404
    return card


def lines(cards, session=None) -> list[CardLine]:
    """One line per card, from the cache only (one read for all the cards)."""
    if not cards:
        return []
    records = resilience.cached_records([card.pk for card in cards])
    down = None
    out = []
    for card in cards:
        record = records.get(card.pk)
        if record is not None:
            out.append(CardLine(
                card=card, status=OK, loans=len(record.loans), overdue=len(record.overdue),
                next_due=record.next_due, owed=record.fee_total, currency=record.currency,
                holds_ready=len(record.ready_holds), holds=len(record.holds),
                blocked=record.blocked))
            continue
        if down is None:
            down = not configured() or resilience.failing()
        if down:
            status = UNAVAILABLE
        elif session is not None and pins.get(session, card.pk):
            status = TO_LOAD
        else:
            status = PIN_NEEDED
        out.append(CardLine(card=card, status=status))
    return out


def dashboard_lines(user, session=None) -> list[CardLine]:
    return lines(cards_of(user), session)


def export_cards(user) -> list[dict]:
    """The card links (Law 25 export): the number is there because the portal keeps it to ask
    the library's system; loans and fines are the library's records, not the portal's."""
    return [{"id": str(card.pk), "holder": card.holder_name or None,
             "card_number": card.barcode, "last_four": card.last_four,
             "linked_at": card.linked_at.isoformat()}
            for card in LibraryCard.objects.filter(user=user).select_related("member")]


def staff_card_or_404(card_id) -> LibraryCard:
    card = LibraryCard.objects.filter(pk=card_id).select_related("member", "user").first()
    if card is None:
        raise Http404
    return card
