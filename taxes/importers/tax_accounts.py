"""Import the tax accounts exported by the city's tax system: bills, their instalments, and the
payments received. Layout of the file (also in docs/tax-csv-layout.md):

File
    CSV, UTF-8 (a byte-order mark is accepted, as Excel writes it; any other encoding is
    refused, naming its first line that is not UTF-8: save it as "CSV UTF-8"), fields separated
    by commas or semicolons (read from the header line), a header line with these column names
    (any order, any case; extra columns are ignored):

    matricule, annee, no_compte, type, date, montant, no_versement, reference, taux_interet

Lines
    One line per bill line. `matricule` + `annee` + `no_compte` name the bill; `type` says what
    the line is:

    ==========  ===================  ===========  ==============  ==============  ==============
    type        date                 montant      no_versement    reference       taux_interet
    ==========  ===================  ===========  ==============  ==============  ==============
    FACTURE     issued on            bill amount  (empty)         (empty)         annual %, on
                                                                                  late amounts
    VERSEMENT   due on               amount       1, 2, 3...      (empty)         (empty)
    PAIEMENT    paid on              amount       (empty)         payment ref.    (empty)
    ==========  ===================  ===========  ==============  ==============  ==============

    - matricule: the roll's matricule, "8242-28-9033-0-000-0000" (or its 18 digits alone).
    - annee: the tax year (2026). no_compte: the bill number (30 characters at most).
    - date: YYYY-MM-DD. montant: dollars, with a dot or a decimal comma, spaces between
      thousands allowed, at most two decimals ("1234.56", "1 234,56"; quote it in a
      comma-separated file). A negative PAIEMENT is a reversal.
    - taux_interet: percent per year ("10", "7,5"); empty means 0.
    - reference: unique within the bill (the receipt or transaction number).

Rules
    - Each bill in the file is complete: its FACTURE line, all its VERSEMENT lines (their
      amounts add up to the bill amount) and all the payments received so far. A re-import
      updates what changed and removes the instalments and payments of that bill that are no
      longer in the file (a cancelled cheque). Bills absent from the file are left as they are
      (a file may hold one year only). So a daily full export can be imported again and again.
    - A bill is imported whole or not at all: an invalid line (bad amount or date...), an unknown
      matricule, instalments that do not add up to the bill amount, skip the whole bill, which
      keeps what an earlier import stored. Every skip is reported with its line numbers.
    - VERSEMENT and PAIEMENT lines of a bill that has no FACTURE line in the file are skipped.
    - Upsert keys: bill (property, annee, no_compte); instalment (bill, no_versement); payment
      (bill, reference).
    - All or nothing: a dry run unless commit=True.
    - A damaged file is refused as a whole, nothing saved: not UTF-8, a line over 64 kB, a quote
      that does not close on its line, a last line cut short (truncated), more than 1000
      unreadable lines. The file is read line by line, never whole.
"""
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from core.importers.csvfile import read_csv
from core.importers.report import ImportFailed, ImportReport
from properties.models import Property
from taxes.models import TaxBill, TaxInstalment, TaxPayment

COLUMNS = ["matricule", "annee", "no_compte", "type", "date", "montant", "no_versement",
           "reference", "taux_interet"]
BILL, INSTALMENT, PAYMENT = "FACTURE", "VERSEMENT", "PAIEMENT"
# Spaces a spreadsheet may put between thousands: space, no-break space, narrow no-break space.
_SPACES = str.maketrans("", "", " \u00a0\u202f")
_AMOUNT = re.compile(r"-?\d+(\.\d{1,2})?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MATRICULE = re.compile(r"\d{4}-\d{2}-\d{4}-\d-\d{3}-\d{4}")


class BadLine(ValueError):
    """A line the importer cannot read; the message is the reason, for the report."""


@dataclass
class _Bill:
    key: tuple[str, int, str]  # (matricule, year, bill number)
    lines: list[int] = field(default_factory=list)
    head: dict | None = None  # issued_on, amount, interest_rate, line
    instalments: dict[int, dict] = field(default_factory=dict)
    payments: dict[str, dict] = field(default_factory=dict)
    error: str | None = None

    def fail(self, reason):
        self.error = self.error or reason


def parse_amount(text: str) -> Decimal:
    """ "1 234,56", "1234.56", "-12,5" -> Decimal; BadLine otherwise."""
    cleaned = text.translate(_SPACES).removesuffix("$")
    if "," in cleaned and "." in cleaned:  # "1,234.56" or "1.234,56": ambiguous, refused
        raise BadLine(_("malformed amount"))
    cleaned = cleaned.replace(",", ".")
    if not _AMOUNT.fullmatch(cleaned):
        raise BadLine(_("malformed amount"))
    return Decimal(cleaned)


def parse_date(text: str) -> dt.date:
    try:
        if not _DATE.fullmatch(text):
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadLine(_("malformed date (YYYY-MM-DD expected)")) from None


def parse_matricule(text: str) -> str:
    cleaned = text.translate(_SPACES)
    if cleaned.isdigit() and len(cleaned) == 18:
        d = cleaned
        cleaned = f"{d[:4]}-{d[4:6]}-{d[6:10]}-{d[10]}-{d[11:14]}-{d[14:]}"
    if not _MATRICULE.fullmatch(cleaned):
        raise BadLine(_("malformed matricule"))
    return cleaned


# Unreadable lines are reported one by one; past this many the file is refused (and the report
# does not grow with a file that is not an export at all).
MAX_BAD_LINES = 1000
# A town of 200,000 properties exports about a million lines (bills, instalments, payments).
MAX_ROWS = 5_000_000


def read_rows(path: Path):
    """(line number, row as a dict of the known columns) for each data line, read as a stream
    (core's CSV reader: never the whole file). ImportFailed for a file that is empty, not UTF-8
    text, not CSV, truncated, or without the expected columns."""
    return read_csv(path, required=COLUMNS, what=_("a tax account export"), max_rows=MAX_ROWS)


def _line_ref(n):
    return _("line %(n)d") % {"n": n}


def _bill_ref(bill: _Bill):
    matricule, year, number = bill.key
    return _("lines %(lines)s (bill %(number)s, %(year)d, %(matricule)s)") % {
        "lines": ", ".join(map(str, bill.lines)), "number": number, "year": year,
        "matricule": matricule}


def parse_file(path: Path, report: ImportReport) -> list[_Bill]:
    """Group the lines by bill and check them; bad lines are reported (and spoil their bill)."""
    bills: dict[tuple, _Bill] = {}
    for n, row in read_rows(path):
        if len(report.skipped) > MAX_BAD_LINES:
            first_ref, first_reason = report.skipped[0]
            raise ImportFailed(_("More than %(max)d lines of %(name)s cannot be read (the "
                                 "first: %(ref)s, %(reason)s): is this the tax system's "
                                 "export? Nothing was saved.")
                               % {"max": MAX_BAD_LINES, "name": path.name, "ref": first_ref,
                                  "reason": first_reason})
        try:
            key = (parse_matricule(row["matricule"]), _year(row["annee"]), row["no_compte"])
            if not key[2] or len(key[2]) > 30:
                raise BadLine(_("missing or too long bill number (no_compte)"))
        except BadLine as exc:
            report.skip(_line_ref(n), str(exc))
            continue
        bill = bills.setdefault(key, _Bill(key))
        bill.lines.append(n)
        try:
            _read_line(bill, n, row)
        except BadLine as exc:
            report.skip(_line_ref(n), str(exc))
            bill.fail(_("the bill has an invalid line"))
    return list(bills.values())


def _year(text):
    if not (text.isdigit() and 1900 < int(text) < 2200):
        raise BadLine(_("malformed year (annee)"))
    return int(text)


def _read_line(bill: _Bill, n: int, row: dict):
    kind = row["type"].upper()
    if kind not in (BILL, INSTALMENT, PAYMENT):
        raise BadLine(_("unknown line type (FACTURE, VERSEMENT or PAIEMENT expected)"))
    on, amount = parse_date(row["date"]), parse_amount(row["montant"])
    if kind == BILL:
        if bill.head is not None:
            raise BadLine(_("a second FACTURE line for the same bill"))
        rate = parse_amount(row["taux_interet"]) if row["taux_interet"] else Decimal(0)
        if amount < 0 or not 0 <= rate < 100:
            raise BadLine(_("negative amount or interest rate out of range"))
        bill.head = {"issued_on": on, "amount": amount, "interest_rate": rate, "line": n}
    elif kind == INSTALMENT:
        number = row["no_versement"]
        if not (number.isdigit() and 0 < int(number) < 100):
            raise BadLine(_("missing or malformed instalment number (no_versement)"))
        if int(number) in bill.instalments:
            raise BadLine(_("the same instalment number twice in a bill"))
        if amount < 0:
            raise BadLine(_("negative amount or interest rate out of range"))
        bill.instalments[int(number)] = {"due_on": on, "amount": amount}
    else:
        reference = row["reference"]
        if not reference or len(reference) > 50:
            raise BadLine(_("missing or too long payment reference"))
        if reference in bill.payments:
            raise BadLine(_("the same payment reference twice in a bill"))
        bill.payments[reference] = {"paid_on": on, "amount": amount}


def _check(bills: list[_Bill], report: ImportReport, property_ids: dict) -> list[_Bill]:
    """The bills that can be imported; the others reported once each."""
    good = []
    for bill in bills:
        total = sum((i["amount"] for i in bill.instalments.values()), Decimal(0))
        if bill.error:
            reason = bill.error
        elif bill.head is None:
            reason = _("no FACTURE line for this bill in the file (payment or instalment of an "
                       "unknown bill)")
        elif bill.key[0] not in property_ids:
            reason = _("unknown matricule")
        elif total != bill.head["amount"]:
            reason = _("the instalments do not add up to the bill amount (bill skipped)")
            report.notes.append(_("Bill %(number)s (%(matricule)s): instalments %(total)s, "
                                  "bill %(amount)s.")
                                % {"number": bill.key[2], "matricule": bill.key[0],
                                   "total": total, "amount": bill.head["amount"]})
        else:
            good.append(bill)
            continue
        report.skip(_bill_ref(bill), reason)
    return good


def import_tax_accounts(path, *, commit: bool = False) -> ImportReport:
    path = Path(path)
    report = ImportReport()
    bills = parse_file(path, report)
    with transaction.atomic():
        property_ids = dict(Property.objects.filter(matricule__in={b.key[0] for b in bills})
                            .values_list("matricule", "id"))
        bills = _check(bills, report, property_ids)
        counts = _save(bills, property_ids)
        report.created = sum(c["created"] for c in counts.values())
        report.updated = sum(c["updated"] for c in counts.values())
        for label, kind in ((_("Bills"), "bills"), (_("Instalments"), "instalments"),
                            (_("Payments"), "payments")):
            report.notes.append(
                _("%(kind)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
                  "%(removed)d removed.") % {"kind": label, **counts[kind]})
        report.committed = commit
        if not commit:
            transaction.set_rollback(True)
    return report


def _save(bills: list[_Bill], property_ids: dict) -> dict:
    """Upsert the bills, then their instalments and payments. A few queries per kind whatever
    the number of bills: a city's daily export is tens of thousands of lines."""
    counts = {k: dict.fromkeys(("created", "updated", "unchanged", "removed"), 0)
              for k in ("bills", "instalments", "payments")}
    keys = {(property_ids[b.key[0]], b.key[1], b.key[2]): b for b in bills}
    existing = {(t.property_id, t.year, t.bill_number): t for t in TaxBill.objects.filter(
        property_id__in={k[0] for k in keys}, year__in={k[1] for k in keys})}
    bill_fields = ["issued_on", "amount", "interest_rate"]
    new, changed, stored = [], [], {}
    for key, bill in keys.items():
        values = {f: bill.head[f] for f in bill_fields}
        row = existing.get(key)
        if row is None:
            row = TaxBill(property_id=key[0], year=key[1], bill_number=key[2], **values)
            new.append(row)
        elif _differs(row, values):
            changed.append(row)
        else:
            counts["bills"]["unchanged"] += 1
        stored[key] = row
    TaxBill.objects.bulk_create(new)
    TaxBill.objects.bulk_update(changed, bill_fields)
    counts["bills"].update(created=len(new), updated=len(changed))
    bill_of = {stored[key].pk: bill for key, bill in keys.items()}
    _sync_children(TaxInstalment, "number", ["due_on", "amount"], bill_of,
                   lambda b: b.instalments, counts["instalments"])
    _sync_children(TaxPayment, "reference", ["paid_on", "amount"], bill_of,
                   lambda b: b.payments, counts["payments"])
    return counts


def _sync_children(model, key_field, fields, bill_of, lines_of, counts):
    """Make the bill's instalments (or payments) those of the file: create, update, remove."""
    existing = {(o.bill_id, getattr(o, key_field)): o
                for o in model.objects.filter(bill_id__in=bill_of)}
    new, changed, seen = [], [], set()
    for bill_id, bill in bill_of.items():
        for key, values in lines_of(bill).items():
            seen.add((bill_id, key))
            row = existing.get((bill_id, key))
            if row is None:
                new.append(model(bill_id=bill_id, **{key_field: key}, **values))
            elif _differs(row, values):
                changed.append(row)
            else:
                counts["unchanged"] += 1
    gone = [o.pk for k, o in existing.items() if k not in seen]
    model.objects.filter(pk__in=gone).delete()
    model.objects.bulk_create(new)
    model.objects.bulk_update(changed, fields)
    counts.update(created=len(new), updated=len(changed), removed=len(gone))


def _differs(row, values: dict) -> bool:
    """Set the new values on the row; True when one of them changed."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed
