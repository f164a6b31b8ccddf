"""The tax account of a bill at a date: what was billed, what was paid, what is due or late.

Pure functions over plain values (`account()`), so that every number can be checked by hand;
`selectors.bill_account()` and `selectors.tax_summary()` read the models and call it.

Conventions (an estimate for the citizen; the city's tax system and its statement are
authoritative):
- Only payments received on or before the date count.
- Payments are applied to the instalments in due-date order: the earliest instalment is paid
  first, whatever the payment's intent (the usual rule of Quebec municipal tax systems). A
  reversal is a negative payment; more than the bill is a credit (a negative balance).
- An instalment is "paid" when fully covered, "overdue" when something of it is unpaid after its
  due date (an instalment due today is not late yet), else "due".
- Interest on late amounts, per overdue instalment: unpaid amount × annual rate × days late / 365
  (simple interest, actual days since the due date, 365-day year also in leap years), rounded
  to the cent (half up) per instalment, then added. Interest already accrued on amounts paid
  late is not shown (the city bills it), nor any penalty a by-law may add.
"""
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

PAID, DUE, OVERDUE = "paid", "due", "overdue"


def to_cents(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Instalment:
    number: int
    due_on: dt.date
    amount: Decimal


@dataclass(frozen=True)
class Payment:
    paid_on: dt.date
    amount: Decimal
    reference: str = ""


@dataclass(frozen=True)
class InstalmentState:
    number: int
    due_on: dt.date
    amount: Decimal
    paid: Decimal  # the part of the payments applied to this instalment
    remaining: Decimal
    status: str  # PAID, DUE or OVERDUE
    days_late: int
    interest: Decimal


@dataclass
class Account:
    on: dt.date
    amount: Decimal
    rate: Decimal  # annual, in percent
    instalments: list[InstalmentState]
    payments: list[Payment]  # the payments counted (received on or before `on`)
    paid: Decimal
    balance: Decimal  # amount - paid; negative is a credit
    overdue_amount: Decimal
    interest: Decimal
    next_instalment: InstalmentState | None = None  # the next one not yet due, unpaid
    bill: object = field(default=None, repr=False)  # the TaxBill, when read from the database

    @property
    def overdue(self) -> bool:
        return self.overdue_amount > 0

    @property
    def due_now(self) -> Decimal:
        """What settles the late part today: overdue amount plus interest."""
        return self.overdue_amount + self.interest


def account(*, amount, instalments, payments, rate, on: dt.date) -> Account:
    """The account at date `on` of a bill of `amount` ($), split in `instalments`
    (Instalment or (number, due_on, amount)), with `payments` (Payment or (paid_on, amount,
    reference)) and an annual interest `rate` in percent on late amounts."""
    amount, rate = to_cents(amount), Decimal(rate)
    instalments = sorted((i if isinstance(i, Instalment) else Instalment(*i) for i in instalments),
                         key=lambda i: (i.due_on, i.number))
    counted = sorted((p for p in (p if isinstance(p, Payment) else Payment(*p) for p in payments)
                      if p.paid_on <= on), key=lambda p: (p.paid_on, p.reference))
    paid = sum((to_cents(p.amount) for p in counted), ZERO)
    left = max(paid, ZERO)  # what can still be applied, in due-date order
    states = []
    for i in instalments:
        due = to_cents(i.amount)
        applied = min(left, due)
        left -= applied
        remaining = due - applied
        if remaining <= 0:
            status, days, interest = PAID, 0, ZERO
        elif i.due_on < on:
            days = (on - i.due_on).days
            status, interest = OVERDUE, to_cents(remaining * rate / 100 * days / 365)
        else:
            status, days, interest = DUE, 0, ZERO
        states.append(InstalmentState(i.number, i.due_on, due, applied, remaining, status, days,
                                      interest))
    overdue = [s for s in states if s.status == OVERDUE]
    upcoming = [s for s in states if s.status == DUE]
    return Account(on=on, amount=amount, rate=rate, instalments=states, payments=counted,
                   paid=paid, balance=amount - paid,
                   overdue_amount=sum((s.remaining for s in overdue), ZERO),
                   interest=sum((s.interest for s in overdue), ZERO),
                   next_instalment=upcoming[0] if upcoming else None)
