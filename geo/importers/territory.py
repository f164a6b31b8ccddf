"""Load the municipality's boundary from any GIS file (`import_territory`).

A new boundary that differs from the one loaded under the same name by more than `max_share`
of its area (the symmetric difference: what it gains and loses) is refused unless `force`: the
wrong layer or another town's file must not move the territory every other import checks
against."""
import shapely
from django.db import transaction
from django.utils.translation import gettext as _

from core.importers import ImportFailed, ImportReport
from core.importers.sync import DEFAULT_MAX_SHARE
from geo.models import Territory

from .gisfile import read_gis_file, to_geos


def import_territory(path, *, name: str, code: str = "", commit: bool = False,
                     source_srid: int | None = None, layer: str | None = None,
                     force: bool = False, max_share: float = DEFAULT_MAX_SHARE) -> ImportReport:
    report = ImportReport()
    gdf = read_gis_file(path, report, source_srid=source_srid, layer=layer)
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
            old = shapely.from_wkb(bytes(territory.geom.wkb))
            share = shapely.symmetric_difference(old, union).area / old.area if old.area else 1
            if share > max_share and not force:
                raise ImportFailed(_(
                    "This boundary differs from the territory %(name)s already loaded by "
                    "%(share)d %% of its area (more than %(max)d %%). Check that it is the "
                    "right file and layer; if it is, run the command again with --force.")
                    % {"name": name, "share": round(share * 100),
                       "max": round(max_share * 100)})
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
