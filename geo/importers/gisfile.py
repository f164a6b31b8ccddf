"""Read any GIS file OGR reads (GeoJSON, Shapefile, GeoPackage, CSV with coordinates...) into a
GeoDataFrame in the storage CRS, with invalid geometries repaired and counted."""
from pathlib import Path

import geopandas as gpd
import shapely
from django.conf import settings
from django.utils.translation import gettext as _
from pyogrio.errors import DataSourceError

from core.importers import ImportFailed, ImportReport
from geo.geometry import to_geos  # noqa: F401  (re-exported for the importers)

CSV_COORDINATE_OPTIONS = {
    "X_POSSIBLE_NAMES": "lon,longitude,lng,x,long",
    "Y_POSSIBLE_NAMES": "lat,latitude,y",
    "KEEP_GEOM_COLUMNS": "NO",
}


def read_gis_file(path, report: ImportReport, source_srid: int | None = None, layer=None):
    path = Path(path)
    if not path.exists():
        raise ImportFailed(_("File not found: %(path)s") % {"path": path})
    if path.stat().st_size == 0:
        raise ImportFailed(_("The file %(name)s is empty.") % {"name": path.name})
    kwargs = {"engine": "pyogrio", "layer": layer}
    if path.suffix.lower() in (".geojson", ".json"):
        # GDAL types "07:00" as an OGR Time, which pyogrio drops (with a log line): dates and
        # times come as text, and each importer parses the fields it expects.
        kwargs["DATE_AS_STRING"] = "YES"
    if path.suffix.lower() == ".csv":
        kwargs.update(CSV_COORDINATE_OPTIONS)
        source_srid = source_srid or 4326  # coordinates in a CSV are lon/lat unless told
    try:
        gdf = gpd.read_file(path, **{k: v for k, v in kwargs.items() if v is not None})
    except (DataSourceError, ValueError, RuntimeError) as exc:
        raise ImportFailed(_("%(name)s is not a readable GIS file (%(error)s).")
                           % {"name": path.name, "error": exc}) from exc
    if gdf.geometry is None or len(gdf) == 0:
        raise ImportFailed(_("The file %(name)s holds no feature.") % {"name": path.name})
    if gdf.crs is None:
        if not source_srid:
            raise ImportFailed(
                _("%(name)s does not say its coordinate system: give it with "
                  "--srid (e.g. 4326 for longitude/latitude).") % {"name": path.name})
        gdf = gdf.set_crs(epsg=source_srid)
    elif source_srid:
        gdf = gdf.set_crs(epsg=source_srid, allow_override=True)
    gdf = gdf.to_crs(epsg=settings.GUICHET_SRID)
    return repair(gdf, report)


def repair(gdf, report: ImportReport):
    geoms = gdf.geometry.values
    present = ~shapely.is_missing(geoms)
    invalid = present & ~shapely.is_valid(geoms)
    if invalid.any():
        fixed = shapely.make_valid(geoms[invalid])
        # make_valid may return a collection with stray lines; keep the polygonal part
        gdf.loc[invalid, gdf.geometry.name] = [_polygonal_or_self(g) for g in fixed]
        report.repaired += int(invalid.sum())
    return gdf


def _polygonal_or_self(geom):
    if geom.geom_type == "GeometryCollection":
        polys = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        if polys:
            return shapely.union_all(polys)
    return geom


def territory_filter(report: ImportReport):
    """A predicate: does a shapely geometry (storage CRS) touch the territory? None when no
    territory is loaded yet (then nothing is skipped, and the report says so)."""
    from geo.models import Territory

    territory = Territory.objects.current()
    if territory is None:
        report.notes.append(_("No territory loaded: no feature was checked against it."))
        return None
    shape = shapely.from_wkb(bytes(territory.geom.wkb))
    shapely.prepare(shape)
    return lambda geom: shape.intersects(geom)

