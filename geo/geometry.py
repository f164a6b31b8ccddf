"""Shapely <-> GeoDjango, without loading geopandas (services import this on every request)."""
import threading
from functools import lru_cache

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


# A projected CRS stays usable a little beyond its official area (a town near the edge of an
# MTM zone, 3 degrees wide, may keep the neighbouring zone's CRS); farther, PROJ may still answer
# numbers, but they mean nothing for the town: such a place is refused, in every CRS alike.
AREA_OF_USE_MARGIN_DEGREES = 1.0


@lru_cache(maxsize=8)
def area_of_use(srid: int) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) in degrees where the CRS `srid` may be used, widened by
    AREA_OF_USE_MARGIN_DEGREES; None when PROJ does not say (then nothing is refused)."""
    from pyproj import CRS

    area = CRS.from_epsg(srid).area_of_use
    if area is None:
        return None
    m = AREA_OF_USE_MARGIN_DEGREES
    return area.west - m, area.south - m, area.east + m, area.north + m


def transformed(geom, srid: int, clone: bool = False):
    """`geom` in `srid`. GeoDjango's `transform(srid)` builds a new transformation each time
    (~10 ms: PROJ reads its database); this one is built once per thread and pair of CRS, then
    costs ~0.1 ms. (Per thread: GDAL transformations are not thread-safe; gunicorn threads.)
    From WGS 84, a geometry outside the target CRS's area of use is refused (OutsideProjection),
    not turned into meaningless coordinates."""
    if geom.srid == 4326 and srid != 4326:
        bounds = area_of_use(srid)
        if bounds is not None:
            west, south, east, north = bounds
            x1, y1, x2, y2 = geom.extent
            if x1 < west or x2 > east or y1 < south or y2 > north:
                raise OutsideProjection(f"outside the area of use of EPSG:{srid}")
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
