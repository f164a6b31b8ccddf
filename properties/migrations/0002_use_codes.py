from django.db import migrations


def load(apps, schema_editor):
    from properties.importers.use_codes import load_use_codes

    load_use_codes(apps.get_model("properties", "UseCode"))


class Migration(migrations.Migration):
    dependencies = [("properties", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
