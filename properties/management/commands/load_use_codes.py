from django.core.management.base import BaseCommand

from properties.importers.use_codes import DEFAULT_FILE, load_use_codes
from properties.models import UseCode


class Command(BaseCommand):
    help = "Load or update the land-use code labels (CSV: code,label_fr,label_en)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=DEFAULT_FILE)

    def handle(self, *args, **opts):
        n = load_use_codes(UseCode, opts["file"])
        self.stdout.write(f"{n} use codes loaded.")
