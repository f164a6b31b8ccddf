"""An alert's target resolved into the area it reaches: one multipolygon in the storage CRS,
computed by PostGIS from the kind and its inputs.

- territory: the municipality's boundary (geo.Territory);
- polygon: the area drawn or imported, clipped to the territory (one wholly outside is refused);
- zones: the union of the collection zones chosen;
- buffer: a point or a line grown by `buffer_m` metres (BUFFER_MIN_M to BUFFER_MAX_M);
- streets: the centre lines of the streets named (geo.Street, every segment of that name) grown
  by STREET_BUFFER_M metres on each side: a street's width plus the front of its lots, so that
  the parcels along it (or their address points) are reached and the next street's are not.
"""
import json

from django.conf import settings
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from collections_schedule.models import Zone
from geo.geometry import OutsideProjection, transformed
from geo.models import Street, Territory

STREET_BUFFER_M = 30
BUFFER_MIN_M, BUFFER_MAX_M = 10, 5000
MAX_VERTICES = 5000  # of an area drawn or imported
MAX_STREETS = 200
MAX_ZONES = 200

_TERRITORY = (f"(SELECT t.geom FROM {Territory._meta.db_table} t "
              "ORDER BY t.id LIMIT 1)")  # Territory.objects.current()


def parse_geojson(text: str, *, kinds: tuple[str, ...]):
    """A GeoJSON geometry (or feature) in WGS 84, from the map or pasted, as a geometry in the
    storage CRS; a clear message when it cannot be used."""
    try:
        data = json.loads(text)
        if data.get("type") == "FeatureCollection" and len(data.get("features") or []) == 1:
            data = data["features"][0]
        geometry = GEOSGeometry(json.dumps(data.get("geometry", data)), srid=4326)
    except (ValueError, TypeError, AttributeError, GEOSException):
        raise ValidationError(_("The geometry could not be read: draw it again on the map or "
                                "paste a GeoJSON geometry in WGS 84 (longitude, latitude)."),
                              code="bad_geometry") from None
    if geometry.geom_type not in kinds:
        raise ValidationError(_("This target needs a %(kinds)s, not a %(kind)s.")
                              % {"kinds": " / ".join(kinds), "kind": geometry.geom_type},
                              code="bad_geometry")
    if geometry.num_coords > MAX_VERTICES:
        raise ValidationError(_("The geometry has more than %(n)d points: simplify it.")
                              % {"n": MAX_VERTICES}, code="bad_geometry")
    if not geometry.valid:
        geometry = geometry.make_valid()
    try:
        return transformed(geometry, settings.GUICHET_SRID, clone=True)
    except OutsideProjection:
        raise ValidationError(_("The geometry is far from the municipality: check that it is "
                                "in longitude, latitude (WGS 84)."), code="outside") from None


def _one(sql: str, params: list):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _multipolygon(hex_ewkb) -> MultiPolygon | None:
    if hex_ewkb is None:
        return None
    geom = GEOSGeometry(hex_ewkb)
    if geom.empty:
        return None
    return geom if isinstance(geom, MultiPolygon) else MultiPolygon(geom, srid=geom.srid)


def _polygons(expression: str) -> str:
    """SQL: the polygonal part of `expression` as a valid multipolygon, hex EWKB."""
    return f"ST_AsHEXEWKB(ST_Multi(ST_CollectionExtract(ST_MakeValid({expression}), 3)))"


def territory_area() -> MultiPolygon:
    row = _one(f"SELECT {_polygons(_TERRITORY)}", [])
    area = _multipolygon(row[0]) if row else None
    if area is None:
        raise ValidationError(_("No territory is loaded."), code="no_territory")
    return area


def polygon_area(drawn) -> MultiPolygon:
    row = _one(f"SELECT {_polygons(f'ST_Intersection(%s::geometry, {_TERRITORY})')}",
               [drawn.hexewkb.decode()])
    area = _multipolygon(row[0])
    if area is None or area.area < 1:
        raise ValidationError(_("The area is outside the territory of the municipality: draw "
                                "it over the town."), code="outside_territory")
    return area


def zones_area(zone_ids) -> MultiPolygon:
    ids = [int(z) for z in zone_ids][:MAX_ZONES]
    if not ids:
        raise ValidationError(_("Choose at least one collection zone."), code="empty_target")
    row = _one(f"SELECT {_polygons('ST_Union(z.geom)')} FROM {Zone._meta.db_table} z "
               "WHERE z.id = ANY(%s)", [ids])
    area = _multipolygon(row[0])
    if area is None:
        raise ValidationError(_("Choose at least one collection zone."), code="empty_target")
    return area


def buffer_area(drawn, metres) -> MultiPolygon:
    if drawn is None:
        raise ValidationError(_("Click a point or draw a line on the map, or type an address."),
                              code="empty_target")
    if drawn.geom_type not in ("Point", "LineString", "MultiLineString", "MultiPoint"):
        raise ValidationError(_("A distance is measured around a point or a line."),
                              code="bad_geometry")
    if metres is None or not BUFFER_MIN_M <= metres <= BUFFER_MAX_M:
        raise ValidationError(_("The distance must be between %(min)d m and %(max)d m.")
                              % {"min": BUFFER_MIN_M, "max": BUFFER_MAX_M}, code="bad_distance")
    row = _one(f"SELECT ST_Intersects(%s::geometry, {_TERRITORY}), "
               f"{_polygons('ST_Buffer(%s::geometry, %s, 16)')}",
               [drawn.hexewkb.decode(), drawn.hexewkb.decode(), metres])
    if not row[0]:
        raise ValidationError(_("The point or line is outside the territory of the "
                                "municipality."), code="outside_territory")
    return _multipolygon(row[1])


def streets_area(names) -> MultiPolygon:
    names = sorted({n.strip() for n in names if n and n.strip()})[:MAX_STREETS]
    if not names:
        raise ValidationError(_("Choose at least one street."), code="empty_target")
    row = _one(f"SELECT {_polygons('ST_Union(ST_Buffer(s.geom, %s, 4))')}, "
               "array_agg(DISTINCT s.name) "
               f"FROM {Street._meta.db_table} s WHERE s.name = ANY(%s)",
               [STREET_BUFFER_M, names])
    unknown = sorted(set(names) - set(row[1] or []))
    if unknown:
        raise ValidationError(_("No street is named %(names)s.")
                              % {"names": ", ".join(unknown)}, code="unknown_street")
    return _multipolygon(row[0])


def resolve_area(*, target, drawn=None, zone_ids=(), buffer_m=None, streets=()):
    """The area a target of kind `target` reaches (a multipolygon in the storage CRS)."""
    from .models import Alert

    if target == Alert.Target.TERRITORY:
        return territory_area()
    if target == Alert.Target.POLYGON:
        if drawn is None:
            raise ValidationError(_("Draw the area on the map or paste it as GeoJSON."),
                                  code="empty_target")
        if drawn.geom_type not in ("Polygon", "MultiPolygon"):
            raise ValidationError(_("An area is a polygon: draw it with the polygon or "
                                    "rectangle tool."), code="bad_geometry")
        return polygon_area(drawn)
    if target == Alert.Target.ZONES:
        return zones_area(zone_ids)
    if target == Alert.Target.BUFFER:
        return buffer_area(drawn, buffer_m)
    if target == Alert.Target.STREETS:
        return streets_area(streets)
    raise ValidationError(_("Choose a target."), code="empty_target")


def street_names() -> list[str]:
    """The names of the town's streets, for the streets target."""
    return list(Street.objects.exclude(name="").order_by("name")
                .values_list("name", flat=True).distinct())
