"""import_tax_accounts on a real extract of the generated demo export, and one named broken file
per failure (tests/data/taxes_*.csv)."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from core.importers.report import ImportFailed
from taxes.importers.tax_accounts import import_tax_accounts, parse_amount
from taxes.models import TaxBill, TaxInstalment, TaxPayment

pytestmark = pytest.mark.django_db
M = "8252-28-3669-6-000-0000"  # a matricule of the demo roll, used by the hand-made files
EXTRACT_MATRICULES = ["8252-28-3669-6-000-0000", "8292-25-5474-7-000-0000",
                      "8302-26-8015-3-000-0000", "8252-28-1883-6-000-0000"]


@pytest.fixture
def no_bills():
    """The demo load imported the generated taxes: start these tests from no bill."""
    TaxBill.objects.all().delete()


def test_extract_commit_then_reimport_changes_nothing(data_dir, no_bills):
    path = data_dir / "taxes_extract.csv"  # 4 bills: 4 FACTURE, 12 VERSEMENT, 7 PAIEMENT lines
    report = import_tax_accounts(path, commit=True)
    assert (report.created, report.updated, report.skipped) == (4 + 12 + 7, 0, [])
    assert report.committed
    assert TaxBill.objects.count() == 4
    assert TaxInstalment.objects.count() == 12 and TaxPayment.objects.count() == 7
    bill = TaxBill.objects.get(property__matricule=M, year=2026, bill_number="2026-00001")
    assert bill.amount == Decimal("14662.24")  # "14 662,24": a space and a decimal comma
    assert bill.interest_rate == Decimal("10.00") and bill.issued_on == dt.date(2026, 2, 1)
    assert [(i.number, i.due_on, i.amount) for i in bill.instalments.all()] == [
        (1, dt.date(2026, 3, 1), Decimal("4887.42")),
        (2, dt.date(2026, 6, 1), Decimal("4887.41")),
        (3, dt.date(2026, 9, 1), Decimal("4887.41"))]  # 4887.42 + 2 × 4887.41 = 14662.24
    assert bill.payments.get(reference="R20260225-00001-1").paid_on == dt.date(2026, 2, 25)

    again = import_tax_accounts(path, commit=True)  # the daily re-import
    assert (again.created, again.updated, again.skipped) == (0, 0, [])
    assert TaxBill.objects.count() == 4 and TaxPayment.objects.count() == 7


def test_reimport_updates_and_removes(data_dir, tmp_path, no_bills):
    import_tax_accounts(data_dir / "taxes_extract.csv", commit=True)
    lines = (data_dir / "taxes_extract.csv").read_text(encoding="utf-8-sig").splitlines()
    # A cheque cancelled (the bill 2026-00001's last payment gone), a payment's amount corrected.
    lines = [line for line in lines if "R20260812-00001-3" not in line]
    lines = [line.replace(";2 078,80;;R20260209", ";2 000,00;;R20260209") for line in lines]
    changed = tmp_path / "taxes_next_day.csv"
    changed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_tax_accounts(changed, commit=True)
    assert (report.created, report.updated) == (0, 1)
    assert not TaxPayment.objects.filter(reference="R20260812-00001-3").exists()
    assert TaxPayment.objects.get(reference="R20260209-00021-1").amount == Decimal("2000.00")
    assert TaxPayment.objects.count() == 6


def test_dry_run_saves_nothing(data_dir, no_bills):
    report = import_tax_accounts(data_dir / "taxes_extract.csv")
    assert report.created == 23 and not report.committed
    assert TaxBill.objects.count() == 0
    assert "--commit" in report.render()


def test_comma_separated_quoted_decimal_commas_and_bare_matricule(data_dir, no_bills):
    report = import_tax_accounts(data_dir / "taxes_comma_separated.csv", commit=True)
    assert (report.created, report.skipped) == (4, [])  # 1 bill, 2 instalments, 1 payment
    bill = TaxBill.objects.get(bill_number="T-100")
    assert bill.property.matricule == M  # written as its 18 digits on the FACTURE line
    assert bill.amount == Decimal("1200.00") and bill.interest_rate == Decimal("7.50")
    assert sorted(bill.instalments.values_list("amount", flat=True)) == [Decimal("600.00")] * 2
    assert bill.payments.get().amount == Decimal("600.00")


@pytest.mark.parametrize("name, good, bad, lines", [
    # the PAIEMENT on line 8 has "12,34,5": its line, and its bill (lines 6-8), are skipped
    ("taxes_bad_amount.csv", "T-200", "T-201", ["8", "6, 7, 8"]),
    ("taxes_bad_date.csv", "T-300", "T-301", ["7", "6, 7"]),  # "01/03/2026" on line 7
    ("taxes_unknown_matricule.csv", "T-400", "T-401", ["6, 7"]),
    ("taxes_instalments_mismatch.csv", "T-500", "T-501", ["6, 7, 8, 9"]),  # 500 + 400 ≠ 1000
    ("taxes_payment_unknown_bill.csv", "T-600", "T-999", ["6"]),  # no FACTURE line for T-999
])
def test_bad_bills_are_skipped_with_their_lines(data_dir, no_bills, name, good, bad, lines):
    report = import_tax_accounts(data_dir / name, commit=True)
    assert report.created == 4  # the good bill: 1 bill, 2 instalments, 1 payment
    assert TaxBill.objects.filter(bill_number=good).exists()
    assert not TaxBill.objects.filter(bill_number=bad).exists()
    assert not TaxPayment.objects.filter(reference__startswith=bad).exists()
    assert len(report.skipped) == len(lines)
    for (ref, _reason), numbers in zip(report.skipped, lines, strict=True):
        assert ref.split(" (")[0].endswith(numbers)


def test_skipped_bill_keeps_what_was_stored(data_dir, tmp_path, no_bills):
    """A bill spoiled by a bad line today keeps yesterday's import, payments included."""
    import_tax_accounts(data_dir / "taxes_extract.csv", commit=True)
    text = (data_dir / "taxes_extract.csv").read_text(encoding="utf-8-sig")
    spoiled = tmp_path / "spoiled.csv"
    spoiled.write_text(text.replace("2026-05-28;4 887,41", "2026-05-28;4 887,4x"),
                       encoding="utf-8")
    report = import_tax_accounts(spoiled, commit=True)
    assert len(report.skipped) == 2  # the line, and its bill
    assert TaxPayment.objects.filter(bill__bill_number="2026-00001").count() == 3


def test_mismatch_note_gives_both_sums(data_dir, no_bills):
    report = import_tax_accounts(data_dir / "taxes_instalments_mismatch.csv")
    assert any("900.00" in note and "1000.00" in note for note in report.notes)  # 500 + 400


@pytest.mark.parametrize("name", ["taxes_empty.csv", "taxes_header_only.csv",
                                  "taxes_missing_column.csv", "taxes_not_a_csv.csv",
                                  "no_such_file.csv"])
def test_bad_files_fail_cleanly_and_write_nothing(data_dir, no_bills, name):
    with pytest.raises(ImportFailed) as exc:
        import_tax_accounts(data_dir / name, commit=True)
    assert name in str(exc.value)
    assert TaxBill.objects.count() == 0


def test_missing_columns_are_named(data_dir):
    with pytest.raises(ImportFailed) as exc:
        import_tax_accounts(data_dir / "taxes_missing_column.csv")
    assert "reference" in str(exc.value) and "taux_interet" in str(exc.value)


@pytest.mark.parametrize("text, expected", [
    ("1234.56", "1234.56"), ("1 234,56", "1234.56"), ("1\u00a0234,5", "1234.5"),
    ("1\u202f234,56 $", "1234.56"), ("-12,00", "-12.00"), ("0", "0")])
def test_amounts(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["1,234.56", "1.234,56", "12,345", "abc", "", "1e3", "--1"])
def test_malformed_amounts(text):
    with pytest.raises(ValueError):
        parse_amount(text)


def test_command(data_dir, no_bills, capsys):
    call_command("import_tax_accounts", str(data_dir / "taxes_extract.csv"))
    assert TaxBill.objects.count() == 0  # dry run
    call_command("import_tax_accounts", str(data_dir / "taxes_extract.csv"), "--commit")
    assert TaxBill.objects.count() == 4
    with pytest.raises(CommandError):
        call_command("import_tax_accounts", str(data_dir / "taxes_empty.csv"))
