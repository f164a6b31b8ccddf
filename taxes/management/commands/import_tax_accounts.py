from core.importers.command import ImportCommand
from taxes.importers.tax_accounts import import_tax_accounts


class Command(ImportCommand):
    help = ("Import tax bills, instalments and payments from the tax system's CSV export "
            "(layout: docs/tax-csv-layout.md). The file must be UTF-8 (in Excel: CSV UTF-8); "
            "another encoding (Latin-1, Windows-1252) is refused, naming the first line that is "
            "not UTF-8, so that no accented name is ever misread.")

    def handle(self, *args, **opts):
        self.run_importer(import_tax_accounts, opts["file"], commit=opts["commit"])
