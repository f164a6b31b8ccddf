from core.importers.command import ImportCommand
from geo.importers.osm import TAG_TABLE, import_osm


class Command(ImportCommand):
    help = ("Import places, streets and address points from an OpenStreetMap extract: .osm.pbf, "
            ".osm (XML), overpass JSON or overpass-turbo GeoJSON. Several files are read as one "
            "extract; what the extract no longer holds is removed with --commit.")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("more_files", nargs="*", metavar="FILE",
                            help="Other files of the same extract (e.g. another overpass query "
                                 "of the town), read with the first as one extract.")
        parser.add_argument("--tags", default=TAG_TABLE, help="OSM tag to category table (CSV).")
        parser.add_argument("--srid", type=int, help="CRS of a GeoJSON file when it does not say.")

    def handle(self, *args, **opts):
        self.run_importer(import_osm, [opts["file"], *opts["more_files"]], commit=opts["commit"],
                          tag_table=opts["tags"], source_srid=opts["srid"], force=opts["force"],
                          max_share=opts["max_change"] / 100)
