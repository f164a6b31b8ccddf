"""Load a watering by-law (rules and bans) from a JSON file: {"rules": [...], "bans": [...]},
fields as in WateringRule and WateringBan. Idempotent: upserts by French name/title."""
import json
from pathlib import Path

from django.db import transaction

from ..models import WateringBan, WateringRule


@transaction.atomic
def load_watering_bylaw(path) -> tuple[int, int]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    for rule in data.get("rules", []):
        WateringRule.objects.update_or_create(name_fr=rule["name_fr"], defaults=rule)
    for ban in data.get("bans", []):
        WateringBan.objects.update_or_create(title_fr=ban["title_fr"], defaults=ban)
    return len(data.get("rules", [])), len(data.get("bans", []))
