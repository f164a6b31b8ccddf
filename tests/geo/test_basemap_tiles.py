"""The basemap's vector tiles (/tuiles/<z>/<x>/<y>.pbf, map_ui.tiles and properties.tiles): valid
Mapbox Vector Tiles whose layers hold what the demo's source files put there. The expected
streets, parcels and civic numbers are computed with shapely + pyproj from data/pincourt/
(tests/independent.py), in the tile's own coordinates, not read back from the database. Also:
bad coordinates are refused at once, tiles are bounded (zoom range, layers by zoom, bytes), and
answered with cache headers, an ETag and gzip. Run in both storage CRSs (make test)."""
import gzip
import json
import math
import time

import mapbox_vector_tile
import pytest
import shapely
from django.conf import settings
from pyproj import Transformer
from shapely.geometry import box, shape

from map_ui import tiles
from tests import independent

pytestmark = pytest.mark.django_db

EXTENT = 4096
WORLD = 2 * math.pi * 6378137
TO_MERCATOR = Transformer.from_crs(settings.GUICHET_SRID, 3857, always_xy=True)
WGS84_TO_MERCATOR = Transformer.from_crs(4326, 3857, always_xy=True)


def tile_of(lon, lat, z):
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def to_tile_units(geom_srid, z, x, y):
    """A projected (storage CRS) geometry in tile (z, x, y)'s units, y down, as in the tile."""
    size = WORLD / 2 ** z
    minx, maxy = -WORLD / 2 + x * size, WORLD / 2 - y * size

    def convert(coords):
        import numpy as np

        mx, my = TO_MERCATOR.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([(mx - minx) / size * EXTENT, (maxy - my) / size * EXTENT])

    return shapely.transform(geom_srid, convert)


INNER = box(0, 0, EXTENT, EXTENT)
BUFFERED = box(-tiles.BUFFER, -tiles.BUFFER, EXTENT + tiles.BUFFER, EXTENT + tiles.BUFFER)
# Where the demo's houses are: the middle of its generated parcels.
_CENTRE = shapely.union_all(list(independent.parcels().values())).centroid


def centre_tile(z):
    lon, lat = Transformer.from_crs(settings.GUICHET_SRID, 4326, always_xy=True).transform(
        _CENTRE.x, _CENTRE.y)
    return (z, *tile_of(lon, lat, z))


def fetch(client, z, x, y, **headers):
    return client.get(f"/tuiles/{z}/{x}/{y}.pbf", headers=headers)


def decode(body: bytes) -> dict:
    return mapbox_vector_tile.decode(body, default_options={"y_coord_down": True})


def osm_address_points():
    """[(housenumber, projected point)] of the OSM address points inside the territory, the
    first of each address (OSM maps "149 Rue Briardale" twice: the roll has one address, found
    at its first point)."""
    area = independent.territory()
    out = {}
    for f in json.loads((independent.DEMO / independent.OSM_FILES[0]).read_text())["features"]:
        tags = f["properties"]
        number = tags.get("addr:housenumber")
        if number and f["geometry"]["type"] == "Point":
            point = independent.project(shape(f["geometry"]))
            if area.contains(point):
                out.setdefault((number, tags.get("addr:street")), point)
    return [(number, point) for (number, _street), point in out.items()]


def test_a_close_tile_holds_the_streets_parcels_and_civic_numbers_of_the_source_files(client):
    z, x, y = centre_tile(16)
    response = fetch(client, z, x, y)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    layers = decode(response.content)
    assert {"streets", "parcels", "addresses"} <= set(layers)
    assert all(layer["extent"] == EXTENT for layer in layers.values())

    # Streets: every named road of the OSM file crossing the tile, by name (pieces merged); none
    # that does not come within the tile's buffer.
    shown = {f["properties"].get("name") for f in layers["streets"]["features"]} - {None}
    inside = {name for name, line in independent.streets()
              if to_tile_units(line, z, x, y).intersects(INNER)}
    near = {name for name, line in independent.streets()
            if to_tile_units(line, z, x, y).intersects(BUFFERED)}
    assert inside and inside <= shown <= near

    # Parcels: the area the generated lots cover inside the tile, within 1 % (the tile's grid).
    lots = shapely.union_all([to_tile_units(g, z, x, y) for g in independent.parcels().values()])
    expected = lots.intersection(INNER).area
    drawn = shapely.union_all([shape(f["geometry"]).buffer(0)
                               for f in layers["parcels"]["features"]]).intersection(INNER).area
    assert expected > 0.2 * INNER.area
    assert drawn == pytest.approx(expected, rel=0.01)

    # Civic numbers: each OSM address point inside the tile shows its number, at its place
    # (within a tile unit, ~6 cm at this zoom... of rounding).
    numbers = {}
    for f in layers["addresses"]["features"]:
        numbers.setdefault(f["properties"]["number"], []).append(shape(f["geometry"]))
    points = [(n, to_tile_units(p, z, x, y)) for n, p in osm_address_points()]
    expected_inside = [(n, p) for n, p in points if INNER.contains(p)]
    assert len(expected_inside) > 20
    for number, point in expected_inside:
        assert any(q.distance(point) <= 1.5 for q in numbers.get(number, [])), number
    assert set(numbers) <= {n for n, p in points if BUFFERED.contains(p)}


def test_layers_by_zoom_and_bounded_tiles(client):
    """Parcels from zoom 14, civic numbers from 16, minor streets from 13; every tile over the
    demo small and quick."""
    for z in range(tiles.MIN_ZOOM, tiles.MAX_ZOOM + 1):
        _, x, y = centre_tile(z)
        started = time.perf_counter()
        response = fetch(client, z, x, y)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200
        assert len(response.content) < 64 * 1024 and elapsed < 1.0, (z, len(response.content))
        layers = decode(response.content) if response.content else {}
        assert ("parcels" in layers) == (z >= 14), z
        assert ("addresses" in layers) == (z >= 16), z
        streets = layers.get("streets", {"features": []})["features"]
        kinds = {f["properties"]["kind"] for f in streets}
        assert "residential" not in kinds or z >= 13, z
        assert kinds, z  # the town's major roads show from the least zoom


def test_landmarks_are_named_and_bus_stops_are_not(client):
    z, x, y = centre_tile(14)
    layers = decode(fetch(client, z, x, y).content)
    labels = layers["place_labels"]["features"]
    categories = {f["properties"]["category"] for f in labels}
    assert {"park", "school"} <= categories and "transit" not in categories
    assert all(f["properties"]["name"] and f["properties"]["colour"].startswith("#")
               for f in labels)
    assert layers["places"]["features"]  # parks, schools... as areas


@pytest.mark.parametrize("path", [
    "/tuiles/17/0/0.pbf",  # past the last zoom
    "/tuiles/9/0/0.pbf",  # before the first
    "/tuiles/12/4096/0.pbf",  # x outside the zoom's grid
    "/tuiles/12/0/4096.pbf",
    "/tuiles/14/99999999999999999999/1.pbf",
    "/tuiles/-1/0/0.pbf",
    "/tuiles/a/b/c.pbf",
    "/tuiles/14/1/1.png",
])
def test_bad_coordinates_are_refused_at_once(client, path):
    started = time.perf_counter()
    response = client.get(path)
    assert response.status_code == 404
    assert time.perf_counter() - started < 0.5


def test_cache_headers_etag_and_gzip(client):
    z, x, y = centre_tile(15)
    plain = fetch(client, z, x, y)
    assert plain["Cache-Control"] == "public, max-age=3600"
    assert "Accept-Encoding" in plain["Vary"]
    etag = plain["ETag"]
    again = fetch(client, z, x, y, if_none_match=etag)
    assert again.status_code == 304 and not again.content
    zipped = fetch(client, z, x, y, accept_encoding="gzip, br")
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert len(zipped.content) < len(plain.content)
    assert client.post(f"/tuiles/{z}/{x}/{y}.pbf").status_code == 405


def test_an_empty_tile_is_an_empty_answer(client):
    # Zoom 12 over the middle of the Atlantic: nothing of the town there.
    response = fetch(client, 12, *tile_of(-40.0, 40.0, 12))
    assert response.status_code == 200 and response.content == b""
