"""Read any GIS file OGR reads (GeoJSON, Shapefile, GeoPackage, CSV with coordinates...) into a
GeoDataFrame in the storage CRS, with invalid geometries repaired and counted."""
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio.raw
import shapely
import shapely.errors
from django.conf import settings
from django.utils.translation import gettext as _
from pyogrio.errors import DataSourceError

from core.importers import ImportFailed, ImportReport
from geo.geometry import to_geos  # noqa: F401  (re-exported for the importers)

SAMPLE_FEATURES = 1000
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
    kwargs = {k: v for k, v in kwargs.items() if v is not None}
    if path.suffix.lower() == ".csv":
        # Every line of a CSV is a feature, with or without coordinates: a text file that is
        # not one of coordinates would be read whole, line after line, for nothing.
        sample = _read(path, max_features=SAMPLE_FEATURES, **kwargs)
        if len(sample) and sample.geometry.isna().all():
            raise ImportFailed(_("The first %(n)d lines of %(name)s have no geometry: a CSV "
                                 "needs longitude and latitude columns (named lon and lat, or "
                                 "x and y). Nothing was saved.")
                               % {"n": len(sample), "name": path.name})
    gdf = _read(path, **kwargs)
    if gdf.geometry is None or len(gdf) == 0:
        raise ImportFailed(_("The file %(name)s holds no feature.") % {"name": path.name})
    _check_rings(gdf, path)
    if gdf.crs is None:
        if not source_srid:
            raise ImportFailed(
                _("%(name)s does not say its coordinate system: give it with "
                  "--srid (e.g. 4326 for longitude/latitude).") % {"name": path.name})
        gdf = gdf.set_crs(epsg=source_srid)
    elif source_srid:
        gdf = gdf.set_crs(epsg=source_srid, allow_override=True)
    bounds = gdf.total_bounds
    if gdf.crs.is_geographic and not (-180 <= bounds[0] <= bounds[2] <= 180
                                      and -90 <= bounds[1] <= bounds[3] <= 90):
        raise ImportFailed(_wrong_crs(path, gdf.crs, bounds))
    gdf = gdf.to_crs(epsg=settings.GUICHET_SRID)
    if not np.isfinite(gdf.total_bounds).all():  # outside what the projection covers
        raise ImportFailed(_wrong_crs(path, gdf.crs, bounds))
    return repair(gdf, report)


def _read(path, **kwargs):
    try:
        return gpd.read_file(path, **kwargs)
    except shapely.errors.GEOSException as exc:  # a geometry GEOS cannot build
        n = _first_unreadable_geometry(path, kwargs)
        if n is not None and "LinearRing" in str(exc):
            raise ImportFailed(_ring_message(n, path)) from exc
        raise ImportFailed(_("%(name)s is not a readable GIS file (%(error)s).")
                           % {"name": path.name, "error": exc}) from exc
    except (DataSourceError, ValueError, RuntimeError, shapely.errors.ShapelyError) as exc:
        raise ImportFailed(_("%(name)s is not a readable GIS file (%(error)s).")
                           % {"name": path.name, "error": exc}) from exc


def _wrong_crs(path, crs, bounds):
    return (_("The coordinates of %(name)s (%(x).0f, %(y).0f ...) are not in its coordinate "
              "system (%(crs)s): they are not longitude/latitude. Give the file's coordinate "
              "system with --srid (e.g. 2950 for MTM zone 8, 32188 for NAD83 MTM 8). Nothing "
              "was saved.") % {"name": path.name, "x": bounds[0], "y": bounds[1],
                               "crs": crs.to_string()})


def _check_rings(gdf, path):
    """Refuse a polygon with a ring of fewer than 4 points (3 distinct ones, closed): not an
    area, and no repair would say which area was meant."""
    parts, owner = shapely.get_parts(gdf.geometry.values, return_index=True)
    polygons = shapely.get_type_id(parts) == 3
    rings, ring_owner = shapely.get_rings(parts[polygons], return_index=True)
    short = shapely.get_num_coordinates(rings) < 4
    if short.any():
        raise ImportFailed(_ring_message(int(owner[polygons][ring_owner[short][0]]) + 1, path))


def _ring_message(n, path):
    return (_("Feature %(n)d of %(name)s has a polygon ring of fewer than 4 points, or not "
              "closed (a ring needs 3 distinct points, then the first one again): fix or remove "
              "that feature. Nothing was saved.") % {"n": n, "name": path.name})


def _first_unreadable_geometry(path, kwargs):
    """The number (from 1) of the first feature whose geometry GEOS refuses, to name it."""
    options = {k: v for k, v in kwargs.items() if k != "engine"}
    try:
        _meta, _fids, geometries, _fields = pyogrio.raw.read(path, **options)
    except Exception:  # noqa: BLE001 - only to name the feature; the caller reports anyway
        return None
    for n, wkb in enumerate(geometries if geometries is not None else [], start=1):
        try:
            shapely.from_wkb(wkb)
        except shapely.errors.GEOSException:
            return n
    return None


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

