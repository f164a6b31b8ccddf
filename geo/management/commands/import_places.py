from core.importers.command import ImportCommand
from geo.importers.places import import_places


class Command(ImportCommand):
    help = "Import places of one category from a GIS file (GeoJSON, Shapefile, GeoPackage, CSV)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--category", required=True, help="Slug of a place category.")
        parser.add_argument("--srid", type=int, help="CRS of the file when it does not say.")
        parser.add_argument("--id-field", help="Field with a stable identifier (for re-imports).")
        parser.add_argument("--name-field", help="Field with the place name.")
        parser.add_argument("--layer", help="Layer to read (GeoPackage).")

    def handle(self, *args, **opts):
        self.run_importer(import_places, opts["file"], category=opts["category"],
                          commit=opts["commit"], source_srid=opts["srid"],
                          id_field=opts["id_field"], name_field=opts["name_field"],
                          layer=opts["layer"])
