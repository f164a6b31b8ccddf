from django.core.management.base import BaseCommand, CommandError

from service_requests.importers.categories import load_categories


class Command(BaseCommand):
    help = ("Load (or update) request categories, their questions and departments from a JSON "
            "file (layout: data/pincourt/request-categories.json).")

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **opts):
        try:
            counts = load_categories(file)
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(f"{file}: {error}") from error
        self.stdout.write(", ".join(f"{n} {kind}" for kind, n in counts.items()))
