"""Load the request categories, their questions and departments from a JSON file (layout: the
demo's data/pincourt/request-categories.json). Upserts by code: safe to run again."""
import json
from pathlib import Path

from django.db import transaction

from ..models import Category, Department, Question

CATEGORY_FIELDS = ["name_fr", "name_en", "description_fr", "description_en", "group_fr",
                   "group_en", "keywords", "target_days", "privacy"]
QUESTION_FIELDS = ["label_fr", "label_en", "help_fr", "help_en", "kind", "required", "choices"]


@transaction.atomic
def load_categories(path: Path) -> dict:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    departments = {}
    for d in data["departments"]:
        departments[d["code"]], _ = Department.objects.update_or_create(
            code=d["code"], defaults={k: d.get(k, "") for k in ("name_fr", "name_en", "email")})
    counts = {"departments": len(departments), "categories": 0, "questions": 0}
    for order, c in enumerate(data["categories"]):
        defaults = {k: c[k] for k in CATEGORY_FIELDS if k in c}
        category, _ = Category.objects.update_or_create(
            code=c["code"], defaults={**defaults, "sort_order": order,
                                      "department": departments[c["department"]]})
        counts["categories"] += 1
        for q_order, q in enumerate(c.get("questions", [])):
            Question.objects.update_or_create(
                category=category, code=q["code"],
                defaults={**{k: q[k] for k in QUESTION_FIELDS if k in q}, "sort_order": q_order})
            counts["questions"] += 1
    return counts
