from core.importers.command import ImportCommand
from properties.importers.roll import import_roll


class Command(ImportCommand):
    help = "Import an official Quebec evaluation roll (MAMH XML), streamed."

    def handle(self, *args, **opts):
        self.run_importer(import_roll, opts["file"], commit=opts["commit"], force=opts["force"],
                          max_share=opts["max_change"] / 100)
