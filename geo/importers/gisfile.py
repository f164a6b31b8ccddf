"""Read any GIS file OGR reads (GeoJSON, Shapefile, GeoPackage, File Geodatabase, a folder of
Shapefiles, CSV with coordinates...) into a GeoDataFrame in the storage CRS, with invalid
geometries repaired and 3-D or measured ones flattened, both counted.

The GIS importers share one vocabulary for the file's shape (the command options): `--layer` for
a source of several layers (read only when named: a multi-layer file without it is refused with
the list of its layers), `--id-field` for the stable identifier of a feature, and the fields each
importer reads (`--lot-field`, `--category-field`...), checked against the layer's columns
(`require_field`). `inspect_file` (manage.py inspect) shows a clerk what to name."""
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio.raw
import shapely
import shapely.errors
from django.conf import settings
from django.utils.translation import gettext as _
from pyogrio.errors import DataLayerError, DataSourceError

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
    layer, layer_count = resolve_layer(path, layer)
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
    gdf = _read(path, report, **kwargs)
    if gdf.geometry is None or len(gdf) == 0:
        raise ImportFailed(_("The file %(name)s holds no feature.") % {"name": path.name})
    gdf.attrs.update(layer=layer, layer_count=layer_count)
    flatten(gdf, report)
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


def resolve_layer(path, layer):
    """(the layer to read, how many layers the source has). A source of several layers is read
    only by the layer's name, or when only one of them has geometries; never the first one
    by default (a GeoPackage's first layer may be anything)."""
    try:
        layers = _list_layers(path)
    except (DataSourceError, DataLayerError, ValueError, RuntimeError) as exc:
        raise ImportFailed(_("%(name)s is not a readable GIS file (%(error)s).")
                           % {"name": path.name, "error": exc}) from exc
    names = [str(name) for name, _geometry in layers]
    if layer is not None:
        if layer not in names:
            raise ImportFailed(_("%(name)s has no layer %(layer)s. Its layers: %(layers)s.")
                               % {"name": path.name, "layer": layer,
                                  "layers": _layer_list(layers)})
        return layer, len(names)
    spatial = [str(name) for name, geometry in layers if geometry is not None]
    if len(names) > 1 and len(spatial) != 1:
        raise ImportFailed(_("%(name)s holds %(n)d layers: name the one to read with --layer. "
                             "Its layers: %(layers)s. Nothing was saved.")
                           % {"name": path.name, "n": len(names), "layers": _layer_list(layers)})
    return (spatial[0] if len(names) > 1 else None), len(names)


def _list_layers(path):
    with warnings.catch_warnings():  # a measured layer is read as 2-D, and counted (_read)
        warnings.filterwarnings("ignore", message="Measured")
        return pyogrio.list_layers(path)


def _layer_list(layers):
    return ", ".join(f"{name} ({geometry or _('no geometry')})" for name, geometry in layers)


def columns(gdf) -> list[str]:
    """The layer's attribute columns (not its geometry)."""
    return [str(c) for c in gdf.columns if c != gdf.geometry.name]


def require_field(gdf, field, option):
    """`field` (named with the command's `option`), refused with the layer's columns when the
    layer has no such column."""
    have = columns(gdf)
    if field not in have:
        raise ImportFailed(_("The file has no field %(field)s (given with %(option)s). Its "
                             "fields: %(fields)s.")
                           % {"field": field, "option": option, "fields": ", ".join(have)})
    return field


def flatten(gdf, report: ImportReport):
    """3-D (Z) geometries to 2-D, counted in the report: the storage columns are 2-D, and a
    town's plan has no use for the elevation. Measured (M) ones were flattened while reading
    (pyogrio drops M, see `_read`)."""
    geoms = gdf.geometry.values
    with_z = ~shapely.is_missing(geoms) & shapely.has_z(geoms)
    if with_z.any():
        gdf.loc[with_z, gdf.geometry.name] = shapely.force_2d(geoms[with_z])
        report.flattened += int(with_z.sum())
    return gdf


def _read(path, report=None, **kwargs):
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            gdf = gpd.read_file(path, **kwargs)
    except shapely.errors.GEOSException as exc:  # a geometry GEOS cannot build
        n = _first_unreadable_geometry(path, kwargs)
        if n is not None and "LinearRing" in str(exc):
            raise ImportFailed(_ring_message(n, path)) from exc
        raise ImportFailed(_("%(name)s is not a readable GIS file (%(error)s).")
                           % {"name": path.name, "error": exc}) from exc
    except (DataSourceError, ValueError, RuntimeError, shapely.errors.ShapelyError) as exc:
        raise ImportFailed(_("%(name)s is not a readable GIS file (%(error)s).")
                           % {"name": path.name, "error": exc}) from exc
    measured = any("Measured (M) geometry" in str(w.message) for w in caught)
    if measured and report is not None:  # pyogrio read the layer's geometries without their M
        report.flattened += int((~shapely.is_missing(gdf.geometry.values)).sum())
    for w in caught:
        if "Measured (M) geometry" not in str(w.message):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return gdf


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



INSPECT_FEATURES = 200  # sample values come from the first features only, never the whole file
INSPECT_VALUES = 5


def inspect_file(path, layer=None, *, max_features=INSPECT_FEATURES,
                 max_values=INSPECT_VALUES) -> list[dict]:
    """What a clerk needs to write an import's options, per layer: its name, geometry type,
    CRS, feature count, and each field with its type and the first distinct values met in the
    first `max_features` features. Bounded: the file is opened, never read whole (a GeoJSON's
    feature count is GDAL's, which scans it once without keeping it)."""
    path = Path(path)
    if not path.exists():
        raise ImportFailed(_("File not found: %(path)s") % {"path": path})
    try:
        layers = _list_layers(path)
    except (DataSourceError, DataLayerError, ValueError, RuntimeError) as exc:
        raise ImportFailed(_("%(name)s is not a readable GIS file (%(error)s).")
                           % {"name": path.name, "error": exc}) from exc
    names = [str(name) for name, _geometry in layers]
    if layer is not None and layer not in names:
        raise ImportFailed(_("%(name)s has no layer %(layer)s. Its layers: %(layers)s.")
                           % {"name": path.name, "layer": layer, "layers": _layer_list(layers)})
    out = []
    for name in ([layer] if layer is not None else names):
        kwargs = {"layer": name}
        if path.suffix.lower() == ".csv":
            kwargs.update(CSV_COORDINATE_OPTIONS)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                info = pyogrio.read_info(path, force_feature_count=True, **kwargs)
                sample = pyogrio.read_dataframe(path, max_features=max_features,
                                                read_geometry=False, **kwargs)
        except (DataSourceError, DataLayerError, ValueError, RuntimeError) as exc:
            raise ImportFailed(_("%(name)s is not a readable GIS file (%(error)s).")
                               % {"name": path.name, "error": exc}) from exc
        fields = []
        for field, dtype in zip(info["fields"], info["dtypes"], strict=True):
            values = []
            for value in sample[field] if field in sample.columns else []:
                if value is None or (isinstance(value, float) and value != value):
                    continue
                text = str(value)[:60]
                if text not in values:
                    values.append(text)
                if len(values) >= max_values:
                    break
            fields.append({"name": str(field), "type": str(dtype), "samples": values})
        geometry_type = info["geometry_type"]
        if geometry_type and any("Measured" in str(w.message) for w in caught):
            geometry_type += " M"  # pyogrio says "Point" for "Point M": read as 2-D
        out.append({"name": name, "geometry_type": geometry_type,
                    "crs": info["crs"], "features": info["features"],
                    "sampled": len(sample), "fields": fields})
    return out
