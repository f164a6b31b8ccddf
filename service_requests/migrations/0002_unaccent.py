from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    """unaccent: clerks find "Gagné" by typing "gagne"."""

    dependencies = [("service_requests", "0001_initial")]

    operations = [UnaccentExtension()]
