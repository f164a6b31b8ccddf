import datetime as dt
from argparse import ArgumentTypeError

from collections_schedule.importers.zones import LAYOUTS, import_zones
from core.importers.command import ImportCommand


def iso_date(value):
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ArgumentTypeError(f"not a date (YYYY-MM-DD): {value}") from None


class Command(ImportCommand):
    help = ("Import a stream's collection zones from a GIS file as a new draft zone set "
            "(check it, then activate it). Compared with the previous import of the same file "
            "for the stream: zones no longer in it are reported, and a file that drops or "
            "changes more than --max-change of them is refused unless --force. "
            "`manage.py inspect FILE` lists the layers and fields to name.")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--stream", required=True, help="Slug of a collection stream.")
        parser.add_argument("--name", required=True, help="Name of the new zone set.")
        parser.add_argument("--layout", choices=LAYOUTS, default="guichet",
                            help="guichet: code, name, rrules, dtstart, starts_at, ends_at "
                                 "(what export_zones writes); published: the day as text, "
                                 "as in Montréal's collection sectors (SECTEUR, MESSAGE_FR).")
        parser.add_argument("--code-field", "--id-field", dest="code_field",
                            help="Field with the zone code, the zone's identifier "
                                 "(default: SECTEUR, then code).")
        parser.add_argument("--text-field", help="published: field with the collection day "
                                                 "as text (default: MESSAGE_FR, then MESSAGE_EN).")
        parser.add_argument("--exception-field",
                            help="published: field with exceptions, reported to be entered by "
                                 "hand (default: EXCEPTION_FR, then EXCEPTION_EN).")
        parser.add_argument("--start", type=iso_date,
                            help="published: YYYY-MM-DD; each zone is first collected on the "
                                 "first of its weekdays on or after this date (default: today). "
                                 "For every-other-week zones it also fixes the collection "
                                 "weeks: give the date of a known collection.")
        parser.add_argument("--srid", type=int, help="CRS of the file when it does not say.")
        parser.add_argument("--layer", help="Layer to read, in a source of several layers "
                                            "(GeoPackage, File Geodatabase, folder).")

    def handle(self, *args, **opts):
        self.run_importer(import_zones, opts["file"], stream=opts["stream"], name=opts["name"],
                          commit=opts["commit"], layout=opts["layout"],
                          code_field=opts["code_field"], text_field=opts["text_field"],
                          exception_field=opts["exception_field"], source_srid=opts["srid"],
                          start=opts["start"], layer=opts["layer"], force=opts["force"],
                          max_share=opts["max_change"] / 100)
