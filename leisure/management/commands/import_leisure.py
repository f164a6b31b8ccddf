from core.importers.command import ImportCommand
from leisure.importers.catalogue import import_leisure


class Command(ImportCommand):
    help = ("Import a season's leisure catalogue (seasons, categories, activities, groups and "
            "their time slots) from the leisure software's CSV export (layout: "
            "docs/leisure-csv-layout.md). All or nothing: a file with a problem (an unknown "
            "place, a bad RRULE, overlapping slots of a group, a reused group code, a reversed "
            "age range, not UTF-8...) is refused with every problem and its fix, nothing saved. "
            "A re-import updates the season's groups; one that retires or changes more than "
            "--max-change of them needs --force.")

    def handle(self, *args, **opts):
        self.run_importer(import_leisure, opts["file"], commit=opts["commit"],
                          force=opts["force"], max_share=opts["max_change"] / 100)
