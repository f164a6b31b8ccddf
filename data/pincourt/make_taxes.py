"""Generate the demo's 2026 tax accounts in the tax system export layout
(docs/tax-csv-layout.md), from the generated 2026 roll, so that the demo goes through the real
importer (taxes/importers/tax_accounts.py). Standalone (no Django) and deterministic (seeded); run
from the repository root:

    .venv/bin/python data/pincourt/make_taxes.py

Everything written here is GENERATED, not Pincourt's taxes: see data/pincourt/SOURCE.md.
The bill: roll value × 0.72 $ per 100 $ (a plausible residential rate) + 430 $ of services
(water 235 $, residual materials 195 $), issued 2026-02-01, 10 % a year on late amounts; three
instalments (2026-03-01, 2026-06-01, 2026-09-01; one if the bill is under 300 $, as the Act
respecting municipal taxation allows). Payments, up to the export date 2026-11-20: 65 % pay
each instalment on time, 10 % pay the whole bill at once, 15 % pay the first two instalments
(and some half of the third), 10 % miss the first instalment and pay one later.
"""
import csv
import random
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from pathlib import Path

HERE = Path(__file__).parent
ROLL = HERE / "roll-2026-generated.xml"
OUT = HERE / "taxes-2026-generated.csv"
YEAR = 2026
RATE = Decimal("0.72") / 100  # per dollar of value
SERVICES = Decimal("430.00")
INTEREST = Decimal("10.00")
ISSUED = date(2026, 2, 1)
DUE = [date(2026, 3, 1), date(2026, 6, 1), date(2026, 9, 1)]
EXPORTED = date(2026, 11, 20)
CENT = Decimal("0.01")
COLUMNS = ["matricule", "annee", "no_compte", "type", "date", "montant", "no_versement",
           "reference", "taux_interet"]


def units():
    """(matricule, total value) of each unit of the roll, in file order."""
    for unit in ET.parse(ROLL).getroot().iter("RLUEx"):
        m = unit.find("RL0104")
        parts = [(m.findtext(t) or "").strip() for t in
                 ("RL0104A", "RL0104B", "RL0104C", "RL0104D", "RL0104E", "RL0104F")]
        value = unit.findtext("RL0404A")
        if all(parts[:4]) and value:
            parts[4], parts[5] = parts[4] or "000", parts[5] or "0000"
            yield "-".join(parts), Decimal(value)


def instalments(amount):
    if amount < 300:
        return [amount]
    third = (amount / 3).quantize(CENT, rounding=ROUND_DOWN)
    return [amount - 2 * third, third, third]  # the cents left over go on the first


def payments(rng, amount, parts):
    """(paid on, amount) of the payments received by the export date."""
    def before(due):
        return due - timedelta(days=rng.randint(0, 20))

    draw = rng.random()
    if draw < 0.65 or len(parts) == 1:
        return [(before(d), p) for d, p in zip(DUE, parts, strict=False)]
    if draw < 0.75:
        return [(before(DUE[0]), amount)]
    if draw < 0.90:
        paid = [(before(DUE[0]), parts[0]), (before(DUE[1]), parts[1])]
        if rng.random() < 0.5:
            paid.append((before(DUE[2]), (parts[2] / 2).quantize(CENT)))
        return paid
    return [(DUE[1] + timedelta(days=rng.randint(0, 30)), parts[0])]


def money(value: Decimal) -> str:
    """Written the way a Quebec spreadsheet exports it: "14 232,24"."""
    return f"{value:,.2f}".replace(",", " ").replace(".", ",")


def main():
    rng = random.Random(20260301)
    rows = []
    for n, (matricule, value) in enumerate(units(), start=1):
        number = f"{YEAR}-{n:05d}"
        amount = (value * RATE + SERVICES).quantize(CENT, rounding=ROUND_HALF_UP)
        parts = instalments(amount)
        base = [matricule, YEAR, number]
        rows.append([*base, "FACTURE", ISSUED, money(amount), "", "", money(INTEREST)])
        for k, (due, part) in enumerate(zip(DUE, parts, strict=False), start=1):
            rows.append([*base, "VERSEMENT", due, money(part), k, "", ""])
        for k, (paid_on, paid) in enumerate(payments(rng, amount, parts), start=1):
            if paid_on <= EXPORTED:
                rows.append([*base, "PAIEMENT", paid_on, money(paid), "",
                             f"R{paid_on:%Y%m%d}-{n:05d}-{k}", ""])
    # Semicolons and decimal commas, with a byte-order mark: what Excel in French writes.
    with OUT.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    print(f"{OUT.name}: {n} bills, {len(rows)} lines")


if __name__ == "__main__":
    main()
