from core.importers.command import ImportCommand
from geo.importers.places import import_places


class Command(ImportCommand):
    help = ("Import places from a GIS file (GeoJSON, Shapefile, GeoPackage, File Geodatabase, "
            "CSV with coordinates): all in one category (--category), or each by the value of a "
            "type column (--category-field) through a mapping file (--category-map). The "
            "mapping file is a CSV whose first line is `value,category` (one line per value "
            "of the type column, then the slug of a place category; an empty category leaves "
            "that value's rows out on purpose; lines starting with # are comments), or a JSON "
            "object {\"value\": \"category\"}. Rows whose value the mapping does not name are "
            "skipped and reported with their count, never filed under a default category. "
            "Places of this file no longer in it are reported, and removed with --commit. "
            "`manage.py inspect FILE` lists the layers, fields and sample values to name. "
            "See docs/gis-import.md.")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--category", help="Slug of the place category of every feature.")
        parser.add_argument("--category-field",
                            help="Field with each feature's type, read through --category-map.")
        parser.add_argument("--category-map", metavar="FILE",
                            help="CSV (value,category) or JSON {value: category} from the "
                                 "values of --category-field to place category slugs.")
        parser.add_argument("--srid", type=int, help="CRS of the file when it does not say.")
        parser.add_argument("--layer", help="Layer to read, in a source of several layers "
                                            "(GeoPackage, File Geodatabase, folder).")
        parser.add_argument("--id-field", help="Field with a stable identifier of each "
                                               "feature (for re-imports).")
        parser.add_argument("--name-field", help="Field with the place name.")

    def handle(self, *args, **opts):
        self.run_importer(import_places, opts["file"], category=opts["category"],
                          category_field=opts["category_field"],
                          category_map=opts["category_map"], commit=opts["commit"],
                          source_srid=opts["srid"], id_field=opts["id_field"],
                          name_field=opts["name_field"], layer=opts["layer"],
                          force=opts["force"], max_share=opts["max_change"] / 100)
