from django.core.management.base import BaseCommand

from alerts.importers.topics import load_topics


class Command(BaseCommand):
    help = "Load alert topics from a JSON file (layout: data/pincourt/alert-topics.json)."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        counts = load_topics(path)
        self.stdout.write(", ".join(f"{n} {kind}" for kind, n in counts.items()))
