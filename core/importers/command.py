"""What every import command shares: --commit, the report, bad input as a clean CommandError."""
from django.core.management.base import BaseCommand, CommandError

from .report import ImportFailed


class ImportCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--commit", action="store_true",
                            help="Save the changes (without it: a dry run that saves nothing).")

    def run_importer(self, func, *args, **kwargs):
        try:
            report = func(*args, **kwargs)
        except ImportFailed as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(report.render())
        return report
