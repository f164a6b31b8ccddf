"""Import cadastral parcels (lots) from any GIS file (`import_parcels`), upserted by lot number.

A parcels file is the town's whole cadastre: the lots the table holds and the file no longer
does are reported, and removed with --commit; a file that would remove or change more than
--max-change of the lots already loaded (a sector's extract, the wrong layer) is refused unless
--force (core.importers.sync.Syncer)."""
from pathlib import Path

import shapely
from django.db import transaction
from django.utils.translation import gettext as _

from core.importers.report import ImportFailed, ImportReport
from core.importers.sync import DEFAULT_MAX_SHARE, Syncer
from geo.importers.gisfile import read_gis_file, require_field, territory_filter, to_geos
from properties.models import Parcel

LOT_FIELDS = ("lot_number", "NO_LOT", "no_lot", "lot", "LOT", "numero_lot")
SAME_GEOMETRY_M = 0.001  # a re-read lot within 1 mm of the stored one is unchanged


def import_parcels(path, *, commit=False, lot_field=None, source_srid=None, layer=None,
                   force=False, max_share=DEFAULT_MAX_SHARE) -> ImportReport:
    report = ImportReport()
    gdf = read_gis_file(path, report, source_srid=source_srid, layer=layer)
    if lot_field:
        require_field(gdf, lot_field, "--lot-field")
    else:
        lot_field = next((f for f in LOT_FIELDS if f in gdf.columns), None)
    if not lot_field:
        raise ImportFailed(_("No lot number field found: name it with --lot-field (tried "
                             "%(f)s). Its fields: %(fields)s.")
                           % {"f": ", ".join(LOT_FIELDS),
                              "fields": ", ".join(str(c) for c in gdf.columns
                                                  if c != gdf.geometry.name)})
    inside = territory_filter(report)
    syncer = Syncer(Parcel.objects.all(), "lot_number", report, _("parcels"),
                    max_share=max_share, force=force)
    stored = dict(Parcel.objects.values_list("lot_number", "geom"))
    source = Path(path).name[:Parcel._meta.get_field("source").max_length]
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
            old = stored.get(lot)
            syncer.seen(lot, changed=old is not None and not shapely.equals_exact(
                shapely.from_wkb(bytes(old.wkb)), geom, tolerance=SAME_GEOMETRY_M))
            rows[lot] = Parcel(lot_number=lot, geom=to_geos(geom), source=source)
    with transaction.atomic():
        syncer.finish(commit=commit)
        Parcel.objects.bulk_create(rows.values(), batch_size=2000, update_conflicts=True,
                                   unique_fields=["lot_number"], update_fields=["geom", "source"])
        report.updated = len(stored.keys() & rows.keys())
        report.created = len(rows) - report.updated
        report.committed = commit
        if not commit:
            transaction.set_rollback(True)
    return report
