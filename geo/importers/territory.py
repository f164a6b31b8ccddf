"""Load the municipality's boundary from any GIS file (`import_territory`)."""
import shapely
from django.db import transaction
from django.utils.translation import gettext as _

from core.importers import ImportFailed, ImportReport
from geo.models import Territory

from .gisfile import read_gis_file, to_geos


def import_territory(path, *, name: str, code: str = "", commit: bool = False,
                     source_srid: int | None = None) -> ImportReport:
    report = ImportReport()
    gdf = read_gis_file(path, report, source_srid=source_srid)
    polygons = [g for g in gdf.geometry if g is not None and g.geom_type in ("Polygon",
                                                                             "MultiPolygon")]
    if not polygons:
        raise ImportFailed(_("The file holds no polygon: a territory is an area."))
    union = shapely.union_all(polygons)
    if union.geom_type == "Polygon":
        union = shapely.MultiPolygon([union])
    geom = to_geos(union)
    with transaction.atomic():
        territory = Territory.objects.filter(name=name).first()
        if territory:
            territory.geom, territory.code = geom, code or territory.code
            territory.save()
            report.updated += 1
        else:
            Territory.objects.create(name=name, code=code, geom=geom, source=str(path))
            report.created += 1
        report.notes.append(_("Area: %(km2).2f km²") % {"km2": union.area / 1e6})
        report.committed = commit
        if not commit:
            transaction.set_rollback(True)
    return report
