"""The access log moved to core and the tax bills to taxes (their migrations 0001 took the
tables over): they leave citizens' state only; no table is dropped."""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("citizens", "0001_initial"),
        ("core", "0001_initial"),
        ("taxes", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.DeleteModel(name="TaxPayment"),
            migrations.DeleteModel(name="TaxInstalment"),
            migrations.DeleteModel(name="TaxBill"),
            migrations.DeleteModel(name="AccessLog"),
        ]),
    ]
