"""Personal reminders of this app (core.reminders): an instalment due in DAYS_BEFORE days, and
an overdue balance (once per overdue instalment). Both are for the "tax_viewers" audience only
(registered by the citizens app: an owner, or an occupant an owner granted it,
citizens.selectors.sees_taxes); without that audience nobody gets them."""
import datetime as dt

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import reminders
from properties.models import CivicAddress

from .accounts import DUE, OVERDUE
from .models import TaxBill, TaxInstalment
from .selectors import bill_account

INSTALMENT_DUE = "tax_instalment_due"
OVERDUE_BALANCE = "tax_overdue"
AUDIENCE = "tax_viewers"
DAYS_BEFORE = 7


def _bills(bill_filter, today: dt.date) -> list:
    """The accounts at `today` of the bills `bill_filter` selects."""
    bills = (TaxBill.objects.filter(bill_filter).order_by("property_id", "year", "bill_number")
             .prefetch_related(Prefetch("instalments", TaxInstalment.objects.order_by("due_on")),
                               "payments"))
    return [bill_account(bill, today) for bill in bills]


def _context(account, state) -> dict:
    bill = account.bill
    address = (CivicAddress.objects.filter(property_id=bill.property_id).order_by("id")
               .values_list("label", flat=True).first() or "")
    return {"property_id": bill.property_id, "address": address, "year": bill.year,
            "bill_number": bill.bill_number, "number": state.number, "due_on": state.due_on,
            "remaining": state.remaining, "interest": state.interest,
            "overdue_amount": account.overdue_amount, "balance": account.balance}


def _subject(account, state) -> str:
    return f"bill:{account.bill.pk}:{state.number}"


def instalment_due(now: dt.datetime, property_ids) -> list[reminders.Due]:
    """An unpaid instalment due within DAYS_BEFORE days (from the day it enters that window,
    normally exactly DAYS_BEFORE days before; keyed by its due date, so once)."""
    today = timezone.localdate(now)
    window = (today + dt.timedelta(days=1), today + dt.timedelta(days=DAYS_BEFORE))
    accounts = _bills(Q(property_id__in=list(property_ids),
                        instalments__due_on__range=window), today)
    return [reminders.Due(subject=_subject(a, s), on=s.due_on, property_id=a.bill.property_id,
                          context=_context(a, s))
            for a in _distinct(accounts) for s in a.instalments
            if s.status == DUE and s.remaining > 0 and window[0] <= s.due_on <= window[1]]


def overdue(now: dt.datetime, property_ids) -> list[reminders.Due]:
    """Each instalment overdue at `now` (something of it unpaid after its due date): once."""
    today = timezone.localdate(now)
    accounts = _bills(Q(property_id__in=list(property_ids), instalments__due_on__lt=today),
                      today)
    return [reminders.Due(subject=_subject(a, s), on=s.due_on, property_id=a.bill.property_id,
                          context=_context(a, s))
            for a in _distinct(accounts) for s in a.instalments if s.status == OVERDUE]


def _distinct(accounts):
    seen = set()
    return [a for a in accounts if not (a.bill.pk in seen or seen.add(a.bill.pk))]


def _load(status):
    def load(subject: str, on: dt.date) -> dict | None:
        """The instalment's state today, if it is still unpaid (and still `status`)."""
        try:
            _, bill_id, number = subject.split(":")
            number = int(number)
        except ValueError:
            return None
        bill = (TaxBill.objects.filter(pk=bill_id)
                .prefetch_related("instalments", "payments").first())
        if bill is None:
            return None
        account = bill_account(bill, timezone.localdate())
        state = next((s for s in account.instalments if s.number == number), None)
        if state is None or state.remaining <= 0 or state.status not in status:
            return None
        return _context(account, state)
    return load


def register() -> None:
    reminders.register(INSTALMENT_DUE, due=instalment_due, load=_load((DUE, OVERDUE)),
                       render=reminders.templates("taxes/reminders/instalment_due"),
                       label=_("A tax instalment due in a week"), audience=AUDIENCE, order=30)
    reminders.register(OVERDUE_BALANCE, due=overdue, load=_load((OVERDUE,)),
                       render=reminders.templates("taxes/reminders/overdue"),
                       label=_("An overdue tax balance"), audience=AUDIENCE, order=40)
