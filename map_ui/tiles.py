"""The basemap's vector tiles (Mapbox Vector Tile 2.1), written by PostGIS in one statement.

A tile holds one MVT layer per registered TileLayer that shows at its zoom. A layer is a SELECT
over the town's own tables with the placeholders {env} (the tile's square in Web Mercator, for
ST_AsMVTGeom) and {box} (the same square, widened by the tile buffer, in the storage CRS, for the
GiST index: `geom && {box}`); the tile's zoom is the parameter %(z)s. Its first column is
`geom`, already through mvt_geom(). The storage SRID is read from the models, never written here.

map_ui draws the layers of geo (streets, places: `map_ui.tiles` registers them below); another
app registers its own from its AppConfig.ready() (properties: parcels and civic numbers), so
that this module depends on no domain app above it (the house plan).

Tiles are drawn 512 pixels wide (MapLibre's vector tiles; the canvas renderer does the same), so
tile zoom z shows at map (Leaflet) zoom z + 1. Bounds: tiles exist for zooms MIN_ZOOM..MAX_ZOOM
only (the map overzooms the last one), each layer from its own min_zoom, so that no tile holds a
big town's parcels: from zoom 14, a tile is about 1.7 km wide here, ~3,700 parcels (90 KB) in
the bench's densest layout, where a zoom 13 tile would hold 15,000 (350 KB). ST_AsMVTGeom
quantizes every geometry to the tile's grid (EXTENT), which bounds the vertices too."""
from dataclasses import dataclass

from django.db import connection

from geo.models import Place, PlaceCategory, Street

MIN_ZOOM = 10
MAX_ZOOM = 16
EXTENT = 4096
BUFFER = 64  # tile units around the tile kept, so that lines and labels join across tiles

# Roads drawn below tile zoom 13 (the others, residential and smaller, from zoom 13).
MAJOR_ROADS = ("motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link",
               "secondary", "secondary_link", "tertiary", "tertiary_link")


@dataclass(frozen=True)
class TileLayer:
    name: str
    sql: str
    min_zoom: int = MIN_ZOOM


_LAYERS: dict[str, TileLayer] = {}


def register(layer: TileLayer) -> None:
    """Add (or replace, by name) a layer; tiles stack layers in registration order."""
    _LAYERS[layer.name] = layer


def layers() -> list[TileLayer]:
    return list(_LAYERS.values())


def mvt_geom(column: str) -> str:
    """`column` (a geometry in the storage CRS) as tile coordinates, clipped to the buffer."""
    return f"ST_AsMVTGeom(ST_Transform({column}, 3857), {{env}}, {EXTENT}, {BUFFER}, true)"


def _srid() -> int:
    return Street._meta.get_field("geom").srid


def tile_sql(z: int) -> str | None:
    """The statement writing tile (z, x, y) (parameters z, x, y), None when no layer shows at
    zoom z. Every layer's ST_AsMVT is concatenated: an MVT is a sequence of layers."""
    shown = [layer for layer in _LAYERS.values() if z >= layer.min_zoom]
    if not shown:
        return None
    margin = BUFFER / EXTENT
    parts = []
    for layer in shown:
        body = layer.sql.format(env="t.env", box="t.box")
        parts.append(f"(SELECT coalesce(ST_AsMVT(l, '{layer.name}', {EXTENT}, 'geom'), ''::bytea)"
                     f" FROM ({body}) l WHERE l.geom IS NOT NULL)")
    return (f"WITH t AS (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS env, "
            f"ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => {margin}), "
            f"{_srid()}) AS box) "
            f"SELECT {' || '.join(parts)} FROM t")


def valid(z: int, x: int, y: int) -> bool:
    return MIN_ZOOM <= z <= MAX_ZOOM and 0 <= x < 2 ** z and 0 <= y < 2 ** z


def tile(z: int, x: int, y: int) -> bytes:
    """Tile (z, x, y) as MVT bytes (empty: nothing there). Call with valid() coordinates."""
    sql = tile_sql(z)
    if sql is None:
        return b""
    with connection.cursor() as cursor:
        cursor.execute(sql, {"z": z, "x": x, "y": y})
        return bytes(cursor.fetchone()[0])


# Places not named on the map (a bus stop's name is its intersection: the streets say it).
UNLABELLED_CATEGORIES = ("transit",)

# geo's layers. Streets: one feature per street name and kind in the tile (its pieces merged,
# so that its name is written along the longest run, not on every OSM segment); places: their
# shapes (parks, schools, pitches... with their category's colour) and a label point each.
register(TileLayer("streets", f"""
    SELECT {mvt_geom("ST_LineMerge(ST_CollectionExtract(ST_Collect(s.geom), 2))")} AS geom,
           NULLIF(s.name, '') AS name, s.kind
    FROM {Street._meta.db_table} s
    WHERE s.geom && {{box}} AND (%(z)s >= 13 OR s.kind IN {MAJOR_ROADS!r})
    GROUP BY s.name, s.kind"""))
register(TileLayer("places", f"""
    SELECT {mvt_geom("p.geom")} AS geom, c.slug AS category, c.color AS colour
    FROM {Place._meta.db_table} p JOIN {PlaceCategory._meta.db_table} c ON c.id = p.category_id
    WHERE p.geom && {{box}} AND GeometryType(p.geom) IN ('POLYGON', 'MULTIPOLYGON')""",
                       min_zoom=11))
register(TileLayer("place_labels", f"""
    SELECT {mvt_geom("ST_PointOnSurface(p.geom)")} AS geom, p.name, c.slug AS category,
           c.color AS colour
    FROM {Place._meta.db_table} p JOIN {PlaceCategory._meta.db_table} c ON c.id = p.category_id
    WHERE p.geom && {{box}} AND p.name <> ''
      AND c.slug NOT IN {UNLABELLED_CATEGORIES + ("",)!r}""", min_zoom=13))
