"""Send the scheduled alerts whose time has come. Run every minute (cron or a systemd timer):

    * * * * *  cd /srv/guichet && .venv/bin/python manage.py send_scheduled_alerts
"""
from django.core.management.base import BaseCommand

from alerts.services import send_due_alerts


class Command(BaseCommand):
    help = "Send the scheduled alerts whose time has come."

    def handle(self, *args, **options):
        sent = send_due_alerts()
        self.stdout.write(f"{len(sent)} alert(s) sent")
