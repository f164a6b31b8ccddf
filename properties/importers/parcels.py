"""Import cadastral parcels (lots) from any GIS file (`import_parcels`), upserted by lot number."""
import shapely
from django.db import transaction
from django.utils.translation import gettext as _

from core.importers.report import ImportFailed, ImportReport
from geo.importers.gisfile import read_gis_file, territory_filter, to_geos
from properties.models import Parcel

LOT_FIELDS = ("lot_number", "NO_LOT", "no_lot", "lot", "LOT", "numero_lot")


def import_parcels(path, *, commit=False, lot_field=None, source_srid=None) -> ImportReport:
    report = ImportReport()
    gdf = read_gis_file(path, report, source_srid=source_srid)
    lot_field = lot_field or next((f for f in LOT_FIELDS if f in gdf.columns), None)
    if not lot_field or lot_field not in gdf.columns:
        raise ImportFailed(_("No lot number field found: name it with --lot-field (tried %(f)s).")
                           % {"f": ", ".join(LOT_FIELDS)})
    inside = territory_filter(report)
    existing = set(Parcel.objects.values_list("lot_number", flat=True))
    rows = {}
    for n, (lot, geom) in enumerate(zip(gdf[lot_field], gdf.geometry, strict=True), start=1):
        ref = _("feature %(n)d") % {"n": n}
        lot = "".join(c for c in str(lot or "") if c.isdigit())
        if not lot:
            report.skip(ref, _("no lot number"))
        elif geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
            report.skip(ref, _("not a polygon"))
        elif inside is not None and not inside(geom):
            report.skip(ref, _("outside the territory"))
        elif lot in rows:
            report.skip(ref, _("lot %(lot)s appears twice") % {"lot": lot})
        else:
            if geom.geom_type == "Polygon":
                geom = shapely.MultiPolygon([geom])
            rows[lot] = Parcel(lot_number=lot, geom=to_geos(geom),
                               source=str(path).rsplit("/", 1)[-1])
    with transaction.atomic():
        Parcel.objects.bulk_create(rows.values(), batch_size=2000, update_conflicts=True,
                                   unique_fields=["lot_number"], update_fields=["geom", "source"])
        report.updated = len(existing & rows.keys())
        report.created = len(rows) - report.updated
        report.committed = commit
        if not commit:
            transaction.set_rollback(True)
    return report
