"""Prints a new VAPID key pair for browser notifications, as the two lines to paste into the
environment (.env). Changing the pair later makes the browsers turned on with the old one stop
receiving until their citizen turns them on again."""
from django.core.management.base import BaseCommand

from alerts.vapid import new_pair


class Command(BaseCommand):
    help = "Print a new VAPID key pair (GUICHET_VAPID_PUBLIC_KEY, GUICHET_VAPID_PRIVATE_KEY)."

    def handle(self, *args, **options):
        public, private = new_pair()
        self.stdout.write(f"GUICHET_VAPID_PUBLIC_KEY={public}\n"
                          f"GUICHET_VAPID_PRIVATE_KEY={private}\n")
