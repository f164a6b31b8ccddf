"""The default place categories (geo/fixtures/place_categories.json); a city edits them after."""
import json
from pathlib import Path

from django.db import migrations

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "place_categories.json"


def load(apps, schema_editor):
    PlaceCategory = apps.get_model("geo", "PlaceCategory")
    for item in json.loads(FIXTURE.read_text(encoding="utf-8")):
        fields = item["fields"]
        PlaceCategory.objects.update_or_create(slug=fields["slug"], defaults=fields)


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
