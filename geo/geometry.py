"""Shapely <-> GeoDjango, without loading geopandas (services import this on every request)."""
import threading

import shapely
from django.conf import settings
from django.contrib.gis.gdal import CoordTransform, GDALException, SpatialReference
from django.contrib.gis.geos import GEOSGeometry


def to_geos(geom, srid=None):
    """A shapely geometry as a GEOSGeometry in the storage CRS (through WKB, no precision loss)."""
    return GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=srid or settings.GUICHET_SRID)


_local = threading.local()


class OutsideProjection(GDALException, ValueError):
    """A geometry that the target CRS cannot represent (a point in Africa, for the town's
    metric CRS: "Point outside of projection domain"). Callers answer it as a place outside
    the municipality, not as a server error."""


def transformed(geom, srid: int, clone: bool = False):
    """`geom` in `srid`. GeoDjango's `transform(srid)` builds a new transformation each time
    (~10 ms: PROJ reads its database); this one is built once per thread and pair of CRS, then
    costs ~0.1 ms. (Per thread: GDAL transformations are not thread-safe; gunicorn threads.)"""
    cache = getattr(_local, "transforms", None)
    if cache is None:
        cache = _local.transforms = {}
    key = (geom.srid, srid)
    transform = cache.get(key)
    if transform is None:
        transform = cache[key] = CoordTransform(SpatialReference(geom.srid),
                                                SpatialReference(srid))
    try:
        result = geom.transform(transform, clone=clone)
    except GDALException as exc:
        raise OutsideProjection(str(exc)) from exc
    return result if clone else None
