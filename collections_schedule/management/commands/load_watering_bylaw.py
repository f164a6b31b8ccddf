from django.core.management.base import BaseCommand

from collections_schedule.importers.watering_bylaw import load_watering_bylaw


class Command(BaseCommand):
    help = "Load watering rules and bans from a JSON file (see data/pincourt/ for the layout)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **opts):
        rules, bans = load_watering_bylaw(opts["file"])
        self.stdout.write(f"{rules} rules, {bans} bans loaded.")
