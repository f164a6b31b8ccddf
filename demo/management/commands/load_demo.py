from django.core.management.base import BaseCommand

from demo.loader import demo_loaded, load_demo


class Command(BaseCommand):
    help = "Load the Pincourt demo municipality (skipped when already loaded, unless --force)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Re-import (upserts).")

    def handle(self, *args, **opts):
        if demo_loaded() and not opts["force"]:
            self.stdout.write("Demo municipality already loaded (use --force to re-import).")
        else:
            load_demo(log=self.stdout.write)
        # Not part of load_demo: the tests load the town without sample requests.
        from demo.sample_requests import load_sample_requests

        self.stdout.write(f"== sample requests\n{load_sample_requests()}")
        from demo.sample_alerts import load_sample_alerts

        self.stdout.write(f"== sample alerts (topics, a past and a current alert)\n"
                          f"{load_sample_alerts()}")
