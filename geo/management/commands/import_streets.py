from core.importers.command import ImportCommand
from geo.importers.streets import import_streets


class Command(ImportCommand):
    help = ("Import street centre lines from a GIS file (GeoPackage, Shapefile, GeoJSON...), "
            "with the file's own field names.")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--name-field",
                            help="Field with the street name, or several comma-separated fields "
                                 "joined with spaces (default: name, nom, NOM_VOIE... if found).")
        parser.add_argument("--id-field", help="Field with a stable identifier of the segment.")
        parser.add_argument("--kind-field", help="Field with the kind of road (class).")
        parser.add_argument("--layer", help="Layer to read (a GeoPackage with several layers).")
        parser.add_argument("--srid", type=int, help="CRS of the file when it does not say.")
        parser.add_argument("--source", help="Name of this source (default: file:<file name>); "
                                             "its lines missing from the file are retired.")

    def handle(self, *args, **opts):
        self.run_importer(import_streets, opts["file"], commit=opts["commit"],
                          name_field=opts["name_field"], id_field=opts["id_field"],
                          kind_field=opts["kind_field"], layer=opts["layer"],
                          source_srid=opts["srid"], source=opts["source"], force=opts["force"],
                          max_share=opts["max_change"] / 100)
