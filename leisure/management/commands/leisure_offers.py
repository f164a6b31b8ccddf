from django.core.management.base import BaseCommand

from leisure.services import expire_offers


class Command(BaseCommand):
    help = ("Seats offered to a waiting list that were not accepted in time "
            "(GUICHET_LEISURE_OFFER_HOURS) go to the next person on the list, who is told. Run "
            "it every few minutes (cron or a systemd timer); a page that touches the group does "
            "the same for that group.")

    def handle(self, *args, **options):
        groups = expire_offers()
        self.stdout.write(f"{groups} group(s) with offers past their delay settled.")
