"""Queue the personal reminders due now (alerts.reminders.queue_due) and hand them to the
sender. Idempotent: run it every hour, or twice, or again after a crash; a reminder is written
once per subscriber, channel, kind, subject and date. See the README (Reminders) for the cron
line and the systemd timer."""
import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from alerts.reminders import check_at, queue_due


class Command(BaseCommand):
    help = "Queue the personal reminders due now (idempotent) and hand them to the sender."

    def add_arguments(self, parser):
        parser.add_argument("--at", help="compute at this ISO 8601 instant (local time when "
                                         "no offset is given), within 3 days of now")
        parser.add_argument("--dry-run", action="store_true",
                            help="count what is due, write nothing")

    def handle(self, *args, at=None, dry_run=False, **options):
        now = timezone.now()
        if at:
            try:
                when = dt.datetime.fromisoformat(at)
            except ValueError:
                raise CommandError(f"--at {at!r}: not an ISO 8601 date and time "
                                   "(e.g. 2026-03-09T18:00).") from None
            if timezone.is_naive(when):
                when = timezone.make_aware(when)
            try:
                check_at(when, now)
            except ValueError as error:
                raise CommandError(str(error)) from None
            now = when
        result = queue_due(now, dry_run=dry_run)
        verb = "would be queued" if dry_run else "queued"
        for code, due in result.due.items():
            self.stdout.write(f"{code}: {due} due, {result.created.get(code, 0)} "
                              f"message(s) {verb}")
        for code in result.skipped:
            self.stderr.write(f"{code}: its audience is not registered: nobody gets it")
        self.stdout.write(f"{sum(result.created.values())} message(s) {verb} at "
                          f"{timezone.localtime(now).isoformat()}")
