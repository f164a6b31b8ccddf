"""Alert topics from a JSON file (layout: data/pincourt/alert-topics.json), created or updated
by code."""
import json
from pathlib import Path

from django.db import transaction

from ..models import Topic

FIELDS = ["name_fr", "name_en", "description_fr", "description_en", "cap_category",
          "emergency", "sort_order"]


@transaction.atomic
def load_topics(path: Path) -> dict:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    counts = {"created": 0, "updated": 0}
    for row in data["topics"]:
        _topic, created = Topic.objects.update_or_create(
            code=row["code"], defaults={k: row[k] for k in FIELDS if k in row})
        counts["created" if created else "updated"] += 1
    return counts
