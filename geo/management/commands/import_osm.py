from core.importers.command import ImportCommand
from geo.importers.osm import TAG_TABLE, import_osm


class Command(ImportCommand):
    help = "Import places, streets and address points from an OpenStreetMap GeoJSON extract."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--tags", default=TAG_TABLE, help="OSM tag to category table (CSV).")

    def handle(self, *args, **opts):
        self.run_importer(import_osm, opts["file"], commit=opts["commit"], tag_table=opts["tags"])
