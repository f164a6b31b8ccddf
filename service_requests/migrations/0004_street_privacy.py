# Issue 11: a category may be public "at the street" (a household's matter: shown at the middle
# of the stretch of street, by its name). Every request keeps that place beside its exact one;
# the existing ones get it here, set-based; a missed collection becomes such a category.
import django.contrib.gis.db.models.fields
from django.conf import settings
from django.db import migrations, models


def fill_street_places(apps, schema_editor):
    from geo.selectors import stretch_sql

    ServiceRequest = apps.get_model("service_requests", "ServiceRequest")
    table = ServiceRequest._meta.db_table
    schema_editor.execute(
        f"UPDATE {table} r SET street_location = s.geom, street_name = coalesce(s.name, '') "
        f"FROM {table} r2, LATERAL {stretch_sql('r2.location')} s WHERE r.id = r2.id")
    apps.get_model("service_requests", "Category").objects.filter(
        code="collecte-manquee", privacy="public").update(privacy="street")


class Migration(migrations.Migration):

    dependencies = [
        ('service_requests', '0003_privacy'),
        ('geo', '0002_place_categories'),
    ]

    operations = [
        migrations.AddField(
            model_name='servicerequest',
            name='street_location',
            field=django.contrib.gis.db.models.fields.PointField(blank=True, null=True, srid=settings.GUICHET_SRID, verbose_name='place shown at the street'),
        ),
        migrations.AddField(
            model_name='servicerequest',
            name='street_name',
            field=models.CharField(blank=True, max_length=255, verbose_name='street shown'),
        ),
        migrations.AlterField(
            model_name='category',
            name='privacy',
            field=models.CharField(choices=[('public', 'public (category, place and status, never who asked)'), ('street', 'public at the street, without the exact place (never who asked)'), ('private', 'private (never shown to the public)')], db_default='public', default='public', max_length=10, verbose_name='privacy'),
        ),
        migrations.RunPython(fill_street_places, migrations.RunPython.noop),
    ]
