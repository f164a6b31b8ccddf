"""Enqueue again what a killed worker left of the alerts' deliveries (alerts.delivery.resume).
Run by cron or a systemd timer every few minutes, beside the workers (`manage.py db_worker`)."""
import datetime as dt

from django.core.management.base import BaseCommand

from alerts.delivery import resume


class Command(BaseCommand):
    help = "Enqueue the unfinished fan-outs and the deliveries no live task holds."

    def add_arguments(self, parser):
        parser.add_argument("--grace", type=int, default=300,
                            help="seconds a queued delivery may wait for its task (300)")

    def handle(self, *args, grace, **options):
        done = resume(dt.timedelta(seconds=grace))
        self.stdout.write(f"{done['fan_outs']} fan-out(s), {done['deliveries']} delivery(ies) "
                          "enqueued")
