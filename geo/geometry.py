"""Shapely <-> GeoDjango, without loading geopandas (services import this on every request)."""
import shapely
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry


def to_geos(geom, srid=None):
    """A shapely geometry as a GEOSGeometry in the storage CRS (through WKB, no precision loss)."""
    return GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=srid or settings.GUICHET_SRID)
