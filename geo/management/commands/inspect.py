from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.importers import ImportFailed
from geo.importers.gisfile import INSPECT_FEATURES, INSPECT_VALUES, inspect_file


class Command(BaseCommand):
    help = ("Describe a GIS file before importing it: its layers, and for each its geometry "
            "type, coordinate system, feature count, and fields with their types and a few "
            "sample values (from the first features only), to choose --layer, --id-field, "
            "--lot-field, --category-field and write a --category-map.")
    requires_system_checks = []  # as the importers: no URLconf, no geopandas-heavy checks

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--layer", help="Describe this layer only.")
        parser.add_argument("--features", type=int, default=INSPECT_FEATURES,
                            help="Sample values from the first N features (default "
                                 f"{INSPECT_FEATURES}).")
        parser.add_argument("--values", type=int, default=INSPECT_VALUES,
                            help=f"Distinct sample values shown per field (default "
                                 f"{INSPECT_VALUES}).")

    def handle(self, *args, **opts):
        try:
            layers = inspect_file(opts["file"], opts["layer"], max_features=opts["features"],
                                  max_values=opts["values"])
        except ImportFailed as exc:
            raise CommandError(str(exc)) from exc
        if len(layers) > 1:
            self.stdout.write(_("%(n)d layers: name the one to import with --layer.")
                              % {"n": len(layers)})
        for layer in layers:
            self.stdout.write(_("Layer %(name)s: %(geometry)s, %(crs)s, features: %(n)d")
                              % {"name": layer["name"],
                                 "geometry": layer["geometry_type"] or _("no geometry"),
                                 "crs": layer["crs"] or _("coordinate system not given"),
                                 "n": layer["features"]})
            self.stdout.write("  " + _("Fields (sample values from the first %(n)d features):")
                              % {"n": layer["sampled"]})
            for field in layer["fields"]:
                samples = ", ".join(field["samples"]) or "—"
                self.stdout.write(f"    {field['name']} ({field['type']}): {samples}")
