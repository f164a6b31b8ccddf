"""Reads of the reference geography that other apps need as one named question."""
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection

from .models import Street

STRETCH_M = 100  # a stretch of street: about a block
STREET_SEARCH_M = 150  # farther than this from any street, the place falls back to a grid cell


# A line in one orientation and from one start whatever the source's, so that the stretches do
# not move when an importer reverses a line or starts a loop elsewhere: an open line from its
# lower endpoint (by x, then y); a closed one (a loop street) as GEOS normalizes a polygon's
# ring (from its lowest vertex, clockwise).
_CANONICAL = (
    "CASE WHEN ST_IsClosed({g}) AND ST_NPoints({g}) >= 4 "
    "THEN ST_ExteriorRing(ST_Normalize(ST_MakePolygon({g}))) "
    "WHEN (ST_X(ST_StartPoint({g})), ST_Y(ST_StartPoint({g}))) > "
    "(ST_X(ST_EndPoint({g})), ST_Y(ST_EndPoint({g}))) THEN ST_Reverse({g}) ELSE {g} END")


def stretch_sql(point_sql: str) -> str:
    """SQL answering one row (geom, name) for the point `point_sql` (an SQL expression in the
    storage CRS): along the nearest street line (a part of a multi-line street, from its lower
    endpoint) within
    STREET_SEARCH_M, the middle of the STRETCH_M-long stretch the point faces (the last
    stretch of a line may be shorter), with the street's name; without a street nearby, the
    centre of the STRETCH_M grid cell holding the point, without a name."""
    half = STRETCH_M / 2
    return f"""(
    SELECT geom, name FROM (
        SELECT 0 AS rank,
               ST_LineInterpolatePoint(line, (lo + least(lo + {STRETCH_M}, len)) / 2 / len)
                   AS geom,
               name
        FROM (SELECT line, name, len,
                     floor(ST_LineLocatePoint(line, {point_sql}) * len / {STRETCH_M})
                         * {STRETCH_M} AS lo
              FROM (SELECT {_CANONICAL.format(g="part.geom")} AS line, s.name,
                           ST_Length(part.geom) AS len
                    FROM {Street._meta.db_table} s, LATERAL ST_Dump(s.geom) part
                    WHERE ST_DWithin(s.geom, {point_sql}, {STREET_SEARCH_M})
                      AND ST_Length(part.geom) > 0
                    ORDER BY part.geom <-> {point_sql}, s.id LIMIT 1) nearest) along
        UNION ALL
        SELECT 1, ST_Translate(ST_SnapToGrid(ST_Translate({point_sql}, -{half}, -{half}),
                                             {STRETCH_M}), {half}, {half}), ''
        ORDER BY rank LIMIT 1) stretch)"""


def street_stretch(point) -> tuple:
    """(point, street name) standing for `point` where its exact place must not be shown
    (stretch_sql). `point` in the storage CRS; so is the answer."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_AsEWKT(geom), name FROM "
                       + stretch_sql("%(point)s::geometry") + " s",
                       {"point": point.hexewkb.decode()})
        ewkt, name = cursor.fetchone()
    return GEOSGeometry(ewkt), name or ""
