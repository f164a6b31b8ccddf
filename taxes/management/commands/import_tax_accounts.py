from core.importers.command import ImportCommand
from taxes.importers.tax_accounts import import_tax_accounts


class Command(ImportCommand):
    help = ("Import tax bills, instalments and payments from the tax system's CSV export "
            "(layout: docs/tax-csv-layout.md).")

    def handle(self, *args, **opts):
        self.run_importer(import_tax_accounts, opts["file"], commit=opts["commit"])
