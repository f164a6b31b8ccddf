"""Load the CUBF use-code table (code, label_fr, label_en) from a CSV file."""
import csv
from pathlib import Path

DEFAULT_FILE = Path(__file__).parent.parent / "data" / "use_codes.csv"


def load_use_codes(model, path=DEFAULT_FILE) -> int:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    model.objects.bulk_create(
        [model(code=r["code"], label_fr=r["label_fr"], label_en=r.get("label_en", ""))
         for r in rows],
        update_conflicts=True, unique_fields=["code"], update_fields=["label_fr", "label_en"])
    return len(rows)
