"""The usual Quebec collection streams (collections_schedule/fixtures/streams.json); editable."""
import json
from pathlib import Path

from django.db import migrations

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "streams.json"


def load(apps, schema_editor):
    Stream = apps.get_model("collections_schedule", "Stream")
    for fields in json.loads(FIXTURE.read_text(encoding="utf-8")):
        Stream.objects.update_or_create(slug=fields["slug"], defaults=fields)


class Migration(migrations.Migration):
    dependencies = [("collections_schedule", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
