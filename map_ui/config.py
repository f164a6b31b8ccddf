"""The map configuration a page emits (JSON, read by map_ui/static/map_ui/basemap.js): where the
town's basemap is served (our vector tiles, their glyphs, the renderers' files), the territory's
outline, and the online base layer of LEAFLET_CONFIG (the one place online tiles are configured,
also used by django-leaflet's admin and form widgets)."""
import json

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _

from geo.models import Territory

from . import tiles

# The territory's version: its row's id and xmin (the transaction that wrote this version of the
# row: any UPDATE, or a delete and a new row, changes it). A subquery, so that a page can read it
# with its own query (the property page does); `territory_key()` reads it alone.
TERRITORY_KEY_SQL = ("(SELECT t.id::text || '.' || t.xmin::text "
                     f"FROM {Territory._meta.db_table} t ORDER BY t.id LIMIT 1)")  # .current()
# The outline as the map draws it (WGS84, 6 decimals), for one version of the row.
_OUTLINE_SQL = ("SELECT t.id::text || '.' || t.xmin::text, "
                "ST_AsGeoJSON(ST_Transform(t.geom, 4326), 6, 0) "
                f"FROM {Territory._meta.db_table} t WHERE t.id = %s")
CACHE_PREFIX = "map_ui:territory:"


def territory_key() -> str | None:
    """The current territory's version (None: no territory), one light query (no geometry)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {TERRITORY_KEY_SQL}")
        return cursor.fetchone()[0]


def outline_cache_key(key: str) -> str:
    """The cache key of the outline for version `key` of territory_key(), for a page that reads
    it in one get_many with its other entries."""
    return CACHE_PREFIX + key


def territory_outline(key: str | None, hits: dict | None = None) -> dict | None:
    """The territory's outline (GeoJSON in WGS84) for version `key` of territory_key(): from
    Django's cache, else transformed and written by PostGIS once per version (the polygon can
    have tens of thousands of vertices; it changes about never). `hits`: what the caller read
    of the cache with outline_cache_key(key) among its keys (None: read here)."""
    if key is None:
        return None
    name = outline_cache_key(key)
    found = hits.get(name) if hits is not None else cache.get(name)
    if found is not None:
        return json.loads(found)
    with connection.cursor() as cursor:
        cursor.execute(_OUTLINE_SQL, [int(key.split(".")[0])])
        row = cursor.fetchone()
    if row is None:  # deleted since the key was read
        return None
    # Stored under the version actually read (a write in between gives a newer key).
    cache.set(outline_cache_key(row[0]), row[1], timeout=None)
    return json.loads(row[1])


def base_layer() -> tuple[str, str]:
    """The online tile layer's URL and attribution, from LEAFLET_CONFIG["TILES"] (empty: the
    map draws the town's own data only, offline)."""
    tiles = settings.LEAFLET_CONFIG.get("TILES") or []
    if not tiles:
        return "", ""
    _name, url, options = tiles[0]
    return url, options.get("attribution", "")


def basemap() -> dict:
    """Where the basemap's renderers find the town's vector tiles (a {z}/{x}/{y} template), its
    zooms, the glyphs of its labels and the files of MapLibre GL (built by `make js`)."""
    vendor = "map_ui/vendor/"
    return {
        "renderer": settings.GUICHET_BASEMAP_RENDERER,
        "tiles": reverse("basemap-tile", args=[0, 0, 0]).replace("0/0/0", "{z}/{x}/{y}"),
        "minZoom": tiles.MIN_ZOOM,
        "maxZoom": tiles.MAX_ZOOM,
        # static() would escape the braces of MapLibre's placeholders.
        "glyphs": static("map_ui/glyphs/") + "{fontstack}/{range}.pbf",
        "css": static("map_ui/basemap.css"),
        "maplibre": {"js": static(vendor + "maplibre-gl-csp.js"),
                     "worker": static(vendor + "maplibre-gl-csp-worker.js"),
                     "css": static(vendor + "maplibre-gl.css"),
                     "leaflet": static(vendor + "leaflet-maplibre-gl.js")},
    }


_UNREAD = object()


def map_labels() -> dict:
    """The map libraries' words in the active language (map_ui/static/map_ui/map-words.js)."""
    return {
        "zoomIn": _("Zoom in"), "zoomOut": _("Zoom out"), "layers": _("Layers"),
        "draw": {
            "cancel": _("Cancel"), "cancelTitle": _("Cancel drawing"),
            "finish": _("Finish"), "finishTitle": _("Finish drawing"),
            "undo": _("Delete last point"), "undoTitle": _("Delete last point drawn"),
            "polygon": _("Draw an area"), "polyline": _("Draw a line"),
            "rectangle": _("Draw a rectangle"), "circle": _("Draw a circle"),
            "marker": _("Place a point"),
            "shapeStart": _("Click to start drawing the area."),
            "shapeContinue": _("Click to continue drawing the area."),
            "shapeEnd": _("Click the first point to close the area."),
            "lineStart": _("Click to start drawing the line."),
            "lineContinue": _("Click to continue drawing the line."),
            "lineEnd": _("Click the last point to finish the line."),
            "lineError": _("The line cannot cross itself."),
            "rectangleStart": _("Click and drag to draw a rectangle."),
            "release": _("Release the mouse to finish drawing."),
            "markerStart": _("Click the map to place the point."),
        },
    }


def map_base(territory_key_value=_UNREAD, hits: dict | None = None) -> dict:
    """The configuration every map page shares. `territory_key_value`: territory_key() when the
    caller read it already (in its own query, TERRITORY_KEY_SQL), else read here; `hits`: see
    territory_outline."""
    key = territory_key() if territory_key_value is _UNREAD else territory_key_value
    tile_url, attribution = base_layer()
    return {
        "basemap": basemap(),
        "atUrl": reverse("property-at"),
        "territory": territory_outline(key, hits),
        "tileUrl": tile_url,
        "attribution": attribution or settings.GUICHET_TILE_ATTRIBUTION,
        "labels": map_labels(),
    }
