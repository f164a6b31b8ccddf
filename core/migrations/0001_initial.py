"""The access log moves from citizens to core (issue 10, the house plan). On a database where
citizens' first migration made the table, the model's state is created here over that table,
which is then renamed; no row is copied. Its content type follows, so that permissions given to
groups are kept."""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="core", model="accesslog").exists():
        ContentType.objects.filter(app_label="citizens", model="accesslog").update(
            app_label="core")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("citizens", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name="AccessLog",
                fields=[
                    ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                               serialize=False, verbose_name="ID")),
                    ("at", models.DateTimeField(auto_now_add=True, db_index=True)),
                    ("actor_is_staff", models.BooleanField(default=False)),
                    ("action", models.CharField(choices=[
                        ("view", "viewed"), ("change", "changed"), ("export", "exported"),
                        ("delete", "deleted")], max_length=10)),
                    ("record", models.CharField(max_length=100, verbose_name="record")),
                    ("path", models.CharField(blank=True, max_length=300)),
                    ("actor", models.ForeignKey(null=True,
                                                on_delete=django.db.models.deletion.SET_NULL,
                                                related_name="+", to=settings.AUTH_USER_MODEL)),
                    ("subject", models.ForeignKey(null=True,
                                                  on_delete=django.db.models.deletion.SET_NULL,
                                                  related_name="access_log",
                                                  to=settings.AUTH_USER_MODEL)),
                ],
                options={"verbose_name": "access log entry", "verbose_name_plural": "access log",
                         "ordering": ["-at"], "db_table": "citizens_accesslog"},
            ),
        ]),
        migrations.AlterModelTable(name="accesslog", table=None),
        migrations.RunPython(move_content_type, migrations.RunPython.noop),
    ]
