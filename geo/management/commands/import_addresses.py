from core.importers.command import ImportCommand
from geo.importers.addresses import import_addresses


class Command(ImportCommand):
    help = ("Import civic address points from a GIS file (GeoPackage, Shapefile, GeoJSON, CSV "
            "with lon/lat...), with the file's own field names.")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--number-field", required=True,
                            help="Field with the civic number (e.g. NO_CIVIQUE).")
        parser.add_argument("--street-field", required=True,
                            help="Field with the street, or several comma-separated fields "
                                 "joined with spaces (e.g. TYPE_VOIE,LIEN_VOIE,NOM_VOIE).")
        parser.add_argument("--id-field", help="Field with a stable identifier of the address "
                                               "(without it: the address itself).")
        parser.add_argument("--city-field", help="Field with the municipality's name.")
        parser.add_argument("--layer", help="Layer to read (a GeoPackage with several layers).")
        parser.add_argument("--srid", type=int, help="CRS of the file when it does not say.")
        parser.add_argument("--source", help="Name of this source (default: file:<file name>); "
                                             "its points missing from the file are retired.")

    def handle(self, *args, **opts):
        self.run_importer(import_addresses, opts["file"], commit=opts["commit"],
                          number_field=opts["number_field"], street_field=opts["street_field"],
                          id_field=opts["id_field"], city_field=opts["city_field"],
                          layer=opts["layer"], source_srid=opts["srid"], source=opts["source"],
                          force=opts["force"], max_share=opts["max_change"] / 100)
