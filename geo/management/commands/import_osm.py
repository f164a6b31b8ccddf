from core.importers.command import ImportCommand
from geo.importers.osm import TAG_TABLE, import_osm


class Command(ImportCommand):
    help = "Import places, streets and address points from an OpenStreetMap GeoJSON extract."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--tags", default=TAG_TABLE, help="OSM tag to category table (CSV).")
        parser.add_argument("--srid", type=int, help="CRS of the file when it does not say.")

    def handle(self, *args, **opts):
        self.run_importer(import_osm, opts["file"], commit=opts["commit"], tag_table=opts["tags"],
                          source_srid=opts["srid"])
