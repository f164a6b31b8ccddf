import datetime as dt

from django.core.management.base import BaseCommand

from collections_schedule.holidays import load_holidays
from collections_schedule.models import Holiday


class Command(BaseCommand):
    help = "Load Quebec's statutory holidays for some years (default: this year and the next two)."

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="*", type=int)

    def handle(self, *args, **opts):
        this = dt.date.today().year
        years = opts["years"] or [this, this + 1, this + 2]
        n = load_holidays(Holiday, years)
        self.stdout.write(f"{n} holidays loaded for {', '.join(map(str, years))}.")
