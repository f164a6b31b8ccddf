"""The map configuration a page emits (JSON, read by map_ui/static/map_ui/basemap.js): where the
town's own layers are served, the territory's outline, and the base layer of LEAFLET_CONFIG (the
one place tiles are configured, also used by django-leaflet's admin and form widgets)."""
import json

from django.conf import settings
from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.urls import reverse

from geo.models import Territory


def base_layer() -> tuple[str, str]:
    """The online tile layer's URL and attribution, from LEAFLET_CONFIG["TILES"] (empty: the
    map draws the town's own data only, offline)."""
    tiles = settings.LEAFLET_CONFIG.get("TILES") or []
    if not tiles:
        return "", ""
    _name, url, options = tiles[0]
    return url, options.get("attribution", "")


def map_base() -> dict:
    territory = Territory.objects.annotate(
        extent_geojson=AsGeoJSON(Transform("geom", 4326), precision=6)).current()
    tile_url, attribution = base_layer()
    return {
        "streetsUrl": reverse("street-list") + "?page_size=1000",
        "parcelsUrl": reverse("property-list"),
        "atUrl": reverse("property-at"),
        "territory": json.loads(territory.extent_geojson) if territory else None,
        "tileUrl": tile_url,
        "attribution": attribution or settings.GUICHET_TILE_ATTRIBUTION,
    }
