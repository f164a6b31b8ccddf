"""The one interface every library system answers through (SIP2 now, Koha's REST API later):
a patron's record with the card's PIN, an item, a renewal. Plain frozen dataclasses, so that a
record can sit in Django's cache (pickled) and be compared in tests. Nothing here knows Django.

Errors: `IlsUnavailable` for anything that is the library system's fault or the network's (no
answer, too slow, an answer that cannot be read, a refused login): the portal shows "the
library's system does not answer" and the circuit breaker counts it. A card that does not exist
or a wrong PIN is not an error: the record says so (`valid`, `pin_ok`)."""
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal


class IlsUnavailable(Exception):
    """The library's system did not answer, or not in time, or not in a way we can read."""


class PinRequired(Exception):
    """The system answered, but keeps a reader's lists from us without the card's PIN (asked
    by the reminder job, which has no PIN: library/reminders.py). Not a failure of the system:
    the circuit breaker does not count it."""


@dataclass(frozen=True)
class Loan:
    item_id: str
    title: str
    due: dt.datetime | None  # aware, in the site's time zone; None when the ILS gave none
    due_text: str = ""  # the due date as the ILS wrote it, when we could not read it
    overdue: bool = False


@dataclass(frozen=True)
class Hold:
    item_id: str
    title: str
    ready: bool  # waiting for pickup
    pickup_by: dt.date | None = None
    position: int | None = None  # the reader's place in the queue, when the system says it
    queue_length: int | None = None  # readers waiting for the item, when the system says it


@dataclass(frozen=True)
class Fine:
    description: str
    amount: Decimal | None = None


@dataclass(frozen=True)
class PatronRecord:
    barcode: str
    valid: bool  # the card exists
    pin_ok: bool  # the PIN was checked and is right
    blocked: bool = False  # no borrowing (card lost, blocked, too many fines...)
    loans: tuple[Loan, ...] = ()
    holds: tuple[Hold, ...] = ()
    fines: tuple[Fine, ...] = ()
    fee_total: Decimal = Decimal("0")
    currency: str = ""
    messages: tuple[str, ...] = ()  # the system's own words to the reader (screen messages)
    fetched_at: dt.datetime | None = None

    @property
    def overdue(self) -> tuple[Loan, ...]:
        return tuple(loan for loan in self.loans if loan.overdue)

    @property
    def next_due(self) -> dt.datetime | None:
        dates = [loan.due for loan in self.loans if loan.due is not None]
        return min(dates) if dates else None

    @property
    def ready_holds(self) -> tuple[Hold, ...]:
        return tuple(hold for hold in self.holds if hold.ready)


@dataclass(frozen=True)
class ItemInfo:
    item_id: str
    title: str
    due: dt.datetime | None = None
    due_text: str = ""
    queue_length: int | None = None
    pickup_by: dt.date | None = None


# Why a renewal was refused, as far as the system's words tell (RenewResult.reason): each has
# its sentence in the citizen's language (library/renewals.py).
ON_HOLD = "on_hold"  # another reader waits for it
LIMIT = "limit"  # renewed as often as allowed
TOO_SOON = "too_soon"
BLOCKED = "blocked"  # the card is blocked (fines, lost card...)
OVERDUE = "overdue"  # too late to renew
NOT_LOANED = "not_loaned"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class RenewResult:
    item_id: str
    ok: bool
    due: dt.datetime | None = None
    reason: str = ""  # one of the constants above when refused
    message: str = ""  # the system's own words
    title: str = ""


class LibraryConnector:
    """What the portal asks of a library system. Every call is bounded by the connector's
    timeout and raises IlsUnavailable when the system fails."""

    def patron_info(self, barcode: str, pin: str) -> PatronRecord:
        raise NotImplementedError

    def patron_info_without_pin(self, barcode: str) -> PatronRecord:
        """The record as the portal's own account at the library's system may read it, without
        the reader's PIN (the reminder job); PinRequired when the system will not tell."""
        raise PinRequired("this library system needs the card's PIN")

    def item_info(self, item_id: str) -> ItemInfo:
        raise NotImplementedError

    def renew(self, barcode: str, pin: str, item_id: str) -> RenewResult:
        raise NotImplementedError

    def renew_many(self, barcode: str, pin: str,
                   item_ids: Sequence[str]) -> list[RenewResult]:
        """Each item's answer (renew all); a system may do it in one conversation."""
        return [self.renew(barcode, pin, item_id) for item_id in item_ids]
