from core.importers.command import ImportCommand
from geo.importers.territory import import_territory


class Command(ImportCommand):
    help = ("Load the municipality's boundary (the union of the file's polygons). A boundary "
            "that moves more than --max-change of the loaded one's area is refused unless "
            "--force. `manage.py inspect FILE` lists the layers to name.")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--name", required=True)
        parser.add_argument("--code", default="", help="MAMH geographic code.")
        parser.add_argument("--srid", type=int, help="CRS of the file when it does not say.")
        parser.add_argument("--layer", help="Layer to read, in a source of several layers "
                                            "(GeoPackage, File Geodatabase, folder).")

    def handle(self, *args, **opts):
        self.run_importer(import_territory, opts["file"], name=opts["name"], code=opts["code"],
                          commit=opts["commit"], source_srid=opts["srid"], layer=opts["layer"],
                          force=opts["force"], max_share=opts["max_change"] / 100)
