"""The cached coordinate transformation gives pyproj's answer, in place or as a copy, from
several threads at once (gunicorn runs threaded workers)."""
import random
from concurrent.futures import ThreadPoolExecutor

from django.contrib.gis.geos import Point, Polygon
from pyproj import Transformer

from geo.geometry import transformed

TO_MTM8 = Transformer.from_crs(4326, 32188, always_xy=True)


def _random_points(n, seed):
    rng = random.Random(seed)
    return [(rng.uniform(-74.2, -73.5), rng.uniform(45.2, 45.7)) for _ in range(n)]


def test_points_match_pyproj_in_place_and_as_a_copy():
    for lon, lat in _random_points(50, seed=1):
        expected = TO_MTM8.transform(lon, lat)
        point = Point(lon, lat, srid=4326)
        copy = transformed(point, 32188, clone=True)
        assert (point.x, point.y, point.srid) == (lon, lat, 4326)  # the original is untouched
        assert copy.srid == 32188
        assert abs(copy.x - expected[0]) < 1e-6 and abs(copy.y - expected[1]) < 1e-6
        transformed(point, 32188)
        assert point.srid == 32188 and (point.x, point.y) == (copy.x, copy.y)
        back = transformed(point, 4326, clone=True)
        assert abs(back.x - lon) < 1e-9 and abs(back.y - lat) < 1e-9


def test_threads_each_get_the_right_answer():
    points = _random_points(400, seed=2)

    def run(chunk):
        return [transformed(Point(lon, lat, srid=4326), 32188, clone=True).coords
                for lon, lat in chunk]

    with ThreadPoolExecutor(4) as pool:
        results = [c for part in pool.map(run, [points[i::4] for i in range(4)]) for c in part]
    expected = [TO_MTM8.transform(lon, lat) for i in range(4) for lon, lat in points[i::4]]
    assert all(abs(a[0] - b[0]) < 1e-6 and abs(a[1] - b[1]) < 1e-6
               for a, b in zip(results, expected, strict=True))


def test_a_polygon_is_transformed_vertex_by_vertex():
    ring = [(-73.99, 45.38), (-73.98, 45.38), (-73.98, 45.39), (-73.99, 45.38)]
    moved = transformed(Polygon(ring, srid=4326), 32188, clone=True)
    for (x, y), (lon, lat) in zip(moved.coords[0], ring, strict=True):
        ex, ey = TO_MTM8.transform(lon, lat)
        assert abs(x - ex) < 1e-6 and abs(y - ey) < 1e-6
