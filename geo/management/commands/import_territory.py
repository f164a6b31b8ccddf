from core.importers.command import ImportCommand
from geo.importers.territory import import_territory


class Command(ImportCommand):
    help = "Load the municipality's boundary (the union of the file's polygons)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--name", required=True)
        parser.add_argument("--code", default="", help="MAMH geographic code.")
        parser.add_argument("--srid", type=int)

    def handle(self, *args, **opts):
        self.run_importer(import_territory, opts["file"], name=opts["name"], code=opts["code"],
                          commit=opts["commit"], source_srid=opts["srid"])
