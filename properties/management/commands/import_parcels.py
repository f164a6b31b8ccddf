from core.importers.command import ImportCommand
from properties.importers.parcels import import_parcels


class Command(ImportCommand):
    help = ("Import cadastral parcels (lots) from a GIS file: the town's whole cadastre (lots "
            "no longer in the file are reported, and removed with --commit). "
            "`manage.py inspect FILE` lists the layers and fields to name.")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--lot-field", "--id-field", dest="lot_field",
                            help="Field holding the lot number, the parcel's identifier "
                                 "(default: the first of lot_number, NO_LOT, no_lot, lot, LOT, "
                                 "numero_lot).")
        parser.add_argument("--srid", type=int, help="CRS of the file when it does not say.")
        parser.add_argument("--layer", help="Layer to read, in a source of several layers "
                                            "(GeoPackage, File Geodatabase, folder).")

    def handle(self, *args, **opts):
        self.run_importer(import_parcels, opts["file"], commit=opts["commit"],
                          lot_field=opts["lot_field"], source_srid=opts["srid"],
                          layer=opts["layer"], force=opts["force"],
                          max_share=opts["max_change"] / 100)
