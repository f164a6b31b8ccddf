"""Tax bills, instalments and payments move from citizens to their own app (issue 10). On a
database where citizens' first migration made the tables, the models' state is created here over
them, and the tables are renamed; no row is copied. Their content types follow, so that
permissions given to groups are kept."""
import uuid

import django.db.models.deletion
from django.db import migrations, models

MODELS = ["taxbill", "taxinstalment", "taxpayment"]


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label="taxes", model=model).exists():
            ContentType.objects.filter(app_label="citizens", model=model).update(
                app_label="taxes")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("citizens", "0001_initial"),
        ("properties", "0002_use_codes"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name="TaxBill",
                fields=[
                    ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True,
                                            serialize=False)),
                    ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                    ("bill_number", models.CharField(max_length=30, verbose_name="bill number")),
                    ("issued_on", models.DateField(verbose_name="issued on")),
                    ("amount", models.DecimalField(decimal_places=2, max_digits=12,
                                                   verbose_name="amount")),
                    ("interest_rate", models.DecimalField(
                        decimal_places=2, default=0, max_digits=5,
                        verbose_name="annual interest rate on late amounts (%)")),
                    ("property", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                   related_name="tax_bills",
                                                   to="properties.property")),
                ],
                options={"verbose_name": "tax bill", "verbose_name_plural": "tax bills",
                         "ordering": ["-year"], "db_table": "citizens_taxbill",
                         "constraints": [models.UniqueConstraint(
                             fields=("property", "year", "bill_number"),
                             name="taxbill_unique")]},
            ),
            migrations.CreateModel(
                name="TaxInstalment",
                fields=[
                    ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                               serialize=False, verbose_name="ID")),
                    ("number", models.PositiveSmallIntegerField(verbose_name="instalment")),
                    ("due_on", models.DateField(verbose_name="due on")),
                    ("amount", models.DecimalField(decimal_places=2, max_digits=12,
                                                   verbose_name="amount")),
                    ("bill", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                               related_name="instalments", to="taxes.taxbill")),
                ],
                options={"ordering": ["due_on"], "db_table": "citizens_taxinstalment",
                         "constraints": [models.UniqueConstraint(fields=("bill", "number"),
                                                                 name="instalment_unique")]},
            ),
            migrations.CreateModel(
                name="TaxPayment",
                fields=[
                    ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                               serialize=False, verbose_name="ID")),
                    ("paid_on", models.DateField(verbose_name="paid on")),
                    ("amount", models.DecimalField(decimal_places=2, max_digits=12,
                                                   verbose_name="amount")),
                    ("reference", models.CharField(max_length=50, verbose_name="reference")),
                    ("bill", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                               related_name="payments", to="taxes.taxbill")),
                ],
                options={"ordering": ["paid_on"], "db_table": "citizens_taxpayment",
                         "constraints": [models.UniqueConstraint(fields=("bill", "reference"),
                                                                 name="payment_unique")]},
            ),
        ]),
        migrations.AlterModelTable(name="taxbill", table=None),
        migrations.AlterModelTable(name="taxinstalment", table=None),
        migrations.AlterModelTable(name="taxpayment", table=None),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]
