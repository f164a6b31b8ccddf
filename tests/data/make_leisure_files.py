"""Write the leisure importer's test files (tests/data/leisure_*.csv): GENERATED test files, a
small extract of the generated demo season (data/pincourt/leisure-winter-2027-generated.csv)
and one broken copy per failure, each with one defect (tests/data/README.md lists them).

    .venv/bin/python tests/data/make_leisure_files.py
"""
import csv
import io
from pathlib import Path

HERE = Path(__file__).parent
SOURCE = HERE.parent.parent / "data" / "pincourt" / "leisure-winter-2027-generated.csv"
KEEP = ["PAT1-A", "HPN-A", "KARATE-A", "MARCHE55-A"]  # 5 lines: HPN-A has two time slots


def _read():
    with open(SOURCE, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh, delimiter=";")
        return reader.fieldnames, [row for row in reader if row["groupe"] in KEEP]


def _text(columns, rows, delimiter=";"):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _edit(rows, group, **changes):
    """A copy of the rows with `changes` on the (first) line of `group`."""
    out = [dict(row) for row in rows]
    row = next(r for r in out if r["groupe"] == group)
    row.update(changes)
    return out


def main():
    columns, rows = _read()
    # Lines: 2 PAT1-A, 3-4 HPN-A (Saturday, Wednesday), 5 KARATE-A, 6 MARCHE55-A.
    files = {
        "leisure_extract.csv": rows,
        "leisure_unknown_place.csv": _edit(rows, "KARATE-A",
                                           lieu="Centre communautaire de Pincourt"),
        "leisure_bad_rrule.csv": _edit(rows, "KARATE-A", rrule="FREQ=WEEKLY;BYDAY=LU,ME"),
        "leisure_ages_reversed.csv": _edit(rows, "KARATE-A", age_min="12", age_max="7"),
        "leisure_duplicate_group_code.csv": _edit(rows, "MARCHE55-A", groupe="KARATE-A"),
    }
    # A third slot for HPN-A (line 5), on Saturdays 12:30-13:30: over its line 3 (12:00-13:00).
    third = dict(next(r for r in rows if r["groupe"] == "HPN-A"), heure_debut="12:30",
                 heure_fin="13:30")
    files["leisure_overlapping_slots.csv"] = [*rows[:3], third, *rows[3:]]
    for name, content in files.items():
        (HERE / name).write_text(_text(columns, content), encoding="utf-8")
    # What Excel's plain "CSV" writes on a French Windows: Windows-1252, no byte-order mark.
    (HERE / "leisure_windows1252.csv").write_bytes(_text(columns, rows).encode("cp1252"))
    print(", ".join([*files, "leisure_windows1252.csv"]))


if __name__ == "__main__":
    main()
