from core.importers.command import ImportCommand
from properties.importers.parcels import import_parcels


class Command(ImportCommand):
    help = "Import cadastral parcels (lots) from a GIS file."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--lot-field", help="Field holding the lot number.")
        parser.add_argument("--srid", type=int, help="CRS of the file when it does not say.")

    def handle(self, *args, **opts):
        self.run_importer(import_parcels, opts["file"], commit=opts["commit"],
                          lot_field=opts["lot_field"], source_srid=opts["srid"])
