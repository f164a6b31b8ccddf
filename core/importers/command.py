"""What every import command shares: --commit, the report, bad input as a clean CommandError."""
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from .report import ImportFailed


class ImportCommand(BaseCommand):
    # No system checks: they load every URLconf, hence every view and what it imports (pandas,
    # geopandas: over 200 MB before the first byte of the file is read). An importer needs its
    # models only; `manage.py check` and the deployment run the checks.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--commit", action="store_true",
                            help="Save the changes (without it: a dry run that saves nothing).")
        parser.add_argument("--force", action="store_true",
                            help="Accept a file that deletes or changes more than --max-change "
                                 "of the rows already loaded from this source.")
        parser.add_argument("--max-change", type=int, default=30, metavar="PERCENT",
                            choices=range(0, 101),
                            help="The share of rows already loaded that a file may delete or "
                                 "change without --force (default 30).")

    def run_importer(self, func, *args, **kwargs):
        # A whole town's file is not a web request: no statement timeout (settings:
        # GUICHET_STATEMENT_TIMEOUT_MS) for this command's connection.
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
        try:
            report = func(*args, **kwargs)
        except ImportFailed as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(report.render())
        return report
