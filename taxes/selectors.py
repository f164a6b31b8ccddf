"""Reads of the tax bills: a bill's account, a property's accounts, the dashboard's summary."""
import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from .accounts import ZERO, Account, Instalment, Payment, account


def bill_account(bill, on: dt.date) -> Account:
    """The account of a TaxBill (prefetch its instalments and payments for many bills)."""
    result = account(
        amount=bill.amount, rate=bill.interest_rate, on=on,
        instalments=[Instalment(i.number, i.due_on, i.amount) for i in bill.instalments.all()],
        payments=[Payment(p.paid_on, p.amount, p.reference) for p in bill.payments.all()])
    result.bill = bill
    return result


def property_accounts(prop, on: dt.date) -> list[Account]:
    """The accounts of every tax bill of a property, the latest year first."""
    bills = (prop.tax_bills.order_by("-year", "bill_number")
             .prefetch_related("instalments", "payments"))
    return [bill_account(bill, on) for bill in bills]


class TaxSummary(NamedTuple):
    balance: Decimal  # all the property's bills; negative is a credit
    next_due_on: dt.date | None
    next_amount: Decimal | None
    overdue: bool


def tax_summary(prop, today: dt.date) -> TaxSummary:
    """For the dashboard: the balance of all the property's bills, its next instalment not yet
    due (date and unpaid amount; the earliest across bills) and whether anything is overdue.
    A property without a tax bill owes nothing: (0.00, None, None, False)."""
    accounts = property_accounts(prop, today)
    upcoming = sorted((a.next_instalment for a in accounts if a.next_instalment),
                      key=lambda s: s.due_on)
    return TaxSummary(balance=sum((a.balance for a in accounts), ZERO),
                      next_due_on=upcoming[0].due_on if upcoming else None,
                      next_amount=upcoming[0].remaining if upcoming else None,
                      overdue=any(a.overdue for a in accounts))
