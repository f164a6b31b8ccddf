"""Issue the access codes printed on the tax bills, to a CSV file for the bill printer."""
import csv
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Prefetch

from citizens.services import find_property, issue_access_code
from properties.models import CivicAddress, Property

EXISTS = "%s exists: choose a new file (it would hold secrets)."


class Command(BaseCommand):
    help = ("Issue a new access code for each property (or those named, or those without one) "
            "and write them to a CSV file (matricule;adresse;code_acces) for the tax bills. "
            "A new code replaces the previous one. Only the codes' hashes are kept: the file "
            "is the only copy. A dry run unless --commit.")

    def add_arguments(self, parser):
        parser.add_argument("output", help="The CSV file to write (must not exist).")
        parser.add_argument("--matricule", action="append", default=[],
                            help="Only this property (repeat for several).")
        parser.add_argument("--missing-only", action="store_true",
                            help="Only the properties that have no code yet.")
        parser.add_argument("--commit", action="store_true",
                            help="Issue the codes (without it: say how many, change nothing).")

    def handle(self, *args, output, matricule, missing_only, commit, **opts):
        output = Path(output)
        if output.exists():
            raise CommandError(EXISTS % output) from None
        properties = self._properties(matricule, missing_only)
        count = len(properties)
        if not commit:
            self.stdout.write(f"Dry run: {count} access codes would be issued to {output}. "
                              "Nothing changed; add --commit.")
            return
        try:  # created here, exclusively: the cleanup below only ever removes our own file
            descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise CommandError(EXISTS % output) from None
        try:
            with transaction.atomic():
                self._write(descriptor, properties)
        except BaseException:
            output.unlink(missing_ok=True)  # codes that were not stored must not be printed
            raise
        self.stdout.write(f"{count} access codes issued to {output}.")

    def _properties(self, matricules, missing_only):
        queryset = Property.objects.order_by("matricule").prefetch_related(
            Prefetch("addresses", queryset=CivicAddress.objects.order_by("pk")))
        if matricules:
            found = []
            for typed in matricules:
                prop = find_property(typed)
                if prop is None:
                    raise CommandError(f"No property has the matricule {typed!r}.")
                found.append(prop.pk)
            queryset = queryset.filter(pk__in=found)
        if missing_only:
            queryset = queryset.filter(access_code__isnull=True)
        return list(queryset)

    def _write(self, descriptor, properties):
        with os.fdopen(descriptor, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(["matricule", "adresse", "code_acces"])
            for prop in properties:
                address = next(iter(prop.addresses.all()), None)
                writer.writerow([prop.matricule, str(address or ""),
                                 issue_access_code(property=prop)])
            handle.flush()
            os.fsync(handle.fileno())
