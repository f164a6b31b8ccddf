from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from collections_schedule.importers.zones_export import FORMATS, export_zones
from collections_schedule.models import ZoneSet


class Command(BaseCommand):
    help = ("Export a zone set as GeoJSON (WGS 84), GeoPackage or a zipped shapefile (both in "
            "the storage CRS), in the layout import_zones reads back.")

    def add_arguments(self, parser):
        parser.add_argument("zone_set_id", type=int)
        parser.add_argument("--format", choices=FORMATS, default="geojson")
        parser.add_argument("-o", "--output",
                            help="File to write (default: zones-<stream>-<id>.<ext> here).")

    def handle(self, *args, **opts):
        try:
            zone_set = ZoneSet.objects.select_related("stream").get(pk=opts["zone_set_id"])
        except ZoneSet.DoesNotExist:
            raise CommandError(_("No zone set %(id)d.") % {"id": opts["zone_set_id"]}) from None
        content, filename, _content_type = export_zones(zone_set, opts["format"])
        path = Path(opts["output"] or filename)
        path.write_bytes(content)
        n = zone_set.zones.count()
        self.stdout.write(ngettext("%(n)d zone written to %(path)s.",
                                   "%(n)d zones written to %(path)s.", n)
                          % {"n": n, "path": path})
