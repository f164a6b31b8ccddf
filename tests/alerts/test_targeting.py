"""Targeting (issue 13, part 1): the properties an alert reaches, for a polygon, a list of
collection zones and a buffer, compared with an independent computation: shapely and pyproj over
the demo's source files (parcels-generated.geojson, zones-garbage-generated.geojson), the
properties' address points read as WKT. No PostGIS predicate on the expected side.

A property is reached when its parcel (the union of its lots) intersects the area, else its
address point does. Boundaries: the application's geometries went through GDAL's reprojection
and PostGIS's buffer (16 segments a quarter circle), so what lies within a hair of the edge
(1 cm; for a buffer, the gap between the circle and its polygon) is left out of the comparison
and counted, and must be rare."""
import json
import math

import pytest
import shapely
from django.conf import settings
from django.contrib.gis.db.models.functions import AsWKT
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from shapely.geometry import shape

from alerts import selectors, targeting
from alerts.models import Alert
from collections_schedule.models import Zone
from properties.models import Property
from tests import independent

pytestmark = pytest.mark.django_db
SRID = settings.GUICHET_SRID
EDGE = 0.01


@pytest.fixture(scope="module")
def homes(django_db_setup, django_db_blocker):
    """{matricule: shapely geometry where the property is: its parcel from the source file (union
    of its lots), else its address point}."""
    parcels = independent.parcels()
    out = {}
    with django_db_blocker.unblock():
        rows = (Property.objects.filter(retired_roll_year=None)
                .annotate(point=AsWKT("address_point"))
                .values_list("matricule", "lots", "point"))
        for matricule, lots, point in rows:
            shapes = [parcels[lot] for lot in lots if lot in parcels]
            if shapes:
                out[matricule] = shapely.union_all(shapes)
            elif point:
                out[matricule] = shapely.from_wkt(point)
    return out


def compare(got: set, homes: dict, inside, outside):
    """`inside(geom)` and `outside(geom)`: surely reached / surely not. The rest is the edge."""
    surely_in = {m for m, g in homes.items() if inside(g)}
    surely_out = {m for m, g in homes.items() if outside(g)}
    edge = set(homes) - surely_in - surely_out
    assert surely_in, "the test area reaches nothing: the comparison would be vacuous"
    assert surely_in <= got, sorted(surely_in - got)[:10]
    assert not (got & surely_out), sorted(got & surely_out)[:10]
    assert len(edge) <= max(2, len(surely_in) // 100), len(edge)
    return surely_in


def reached(area) -> set:
    return set(selectors.properties_reached(area).values_list("matricule", flat=True))


def geos(shp):
    return GEOSGeometry(shp.wkt, srid=SRID)


def test_polygon_clipped_to_the_territory_reaches_the_same_properties(homes):
    territory = independent.territory()
    xmin, ymin, xmax, ymax = territory.bounds
    # A quadrilateral over the middle of the town, crossing the boundary on one side.
    drawn = shapely.Polygon([(xmin + (xmax - xmin) * 0.31 + 0.37, ymin - 500),
                             (xmin + (xmax - xmin) * 0.62 + 0.41, ymin - 500),
                             (xmin + (xmax - xmin) * 0.58 + 0.13, ymin + (ymax - ymin) * 0.7),
                             (xmin + (xmax - xmin) * 0.35 + 0.29, ymin + (ymax - ymin) * 0.66)])
    area = targeting.resolve_area(target=Alert.Target.POLYGON, drawn=geos(drawn))
    clipped = drawn.intersection(territory)
    assert abs(area.area - clipped.area) / clipped.area < 0.001
    inner, outer = clipped.buffer(-EDGE), clipped.buffer(EDGE)
    compare(reached(area), homes, inner.intersects, lambda g: not outer.intersects(g))
    rows = selectors.reached_rows(area)
    assert len(rows) == len(reached(area)) == selectors.properties_reached(area).count()


def test_zone_list_reaches_the_same_properties(homes):
    fc = json.loads((independent.DEMO / "zones-garbage-generated.geojson").read_text())
    code = fc["features"][0]["properties"]["code"]
    zone = independent.project(shape(fc["features"][0]["geometry"]))
    ids = list(Zone.objects.filter(zone_set__stream__slug="garbage", zone_set__status="active",
                                   code=code).values_list("pk", flat=True))
    assert len(ids) == 1
    area = targeting.resolve_area(target=Alert.Target.ZONES, zone_ids=ids)
    inner, outer = zone.buffer(-EDGE), zone.buffer(EDGE)
    compare(reached(area), homes, inner.intersects, lambda g: not outer.intersects(g))


@pytest.mark.parametrize("metres", [150, 400])
def test_buffer_around_a_point_reaches_the_same_properties(homes, metres):
    territory = independent.territory()
    centre = territory.representative_point()
    point = shapely.Point(centre.x + 0.37, centre.y + 0.41)
    area = targeting.resolve_area(target=Alert.Target.BUFFER, drawn=geos(point), buffer_m=metres)
    # The buffer is a polygon inscribed in the circle: 16 segments a quarter circle fall short
    # of it by at most r (1 - cos(pi / 64)).
    gap = metres * (1 - math.cos(math.pi / 64)) + EDGE
    compare(reached(area), homes, lambda g: g.distance(point) < metres - gap,
            lambda g: g.distance(point) > metres + EDGE)


def test_buffer_around_a_line(homes):
    name, line = next((n, ln) for n, ln in independent.streets() if ln.length > 300)
    area = targeting.resolve_area(target=Alert.Target.BUFFER, drawn=geos(line), buffer_m=50)
    gap = 50 * (1 - math.cos(math.pi / 64)) + EDGE
    compare(reached(area), homes, lambda g: g.distance(line) < 50 - gap,
            lambda g: g.distance(line) > 50 + EDGE)


def test_streets_reach_the_lots_along_them():
    from geo.models import Street

    name = Street.objects.exclude(name="").values_list("name", flat=True).first()
    area = targeting.resolve_area(target=Alert.Target.STREETS, streets=[name])
    lines = shapely.union_all([ln for n, ln in independent.streets() if n == name])
    assert reached(area)
    for matricule in reached(area):
        prop = Property.objects.get(matricule=matricule)
        where = shapely.from_wkt((prop.parcel or prop.address_point).wkt)
        assert where.distance(lines) <= targeting.STREET_BUFFER_M + 1


def test_territory_reaches_every_property_inside(homes):
    area = targeting.resolve_area(target=Alert.Target.TERRITORY)
    territory = independent.territory()
    inner = territory.buffer(-EDGE)
    got = reached(area)
    assert {m for m, g in homes.items() if inner.intersects(g)} <= got


@pytest.mark.parametrize("kwargs, code", [
    ({"target": "polygon", "drawn": "far"}, "outside_territory"),
    ({"target": "polygon", "drawn": None}, "empty_target"),
    ({"target": "zones", "zone_ids": []}, "empty_target"),
    ({"target": "streets", "streets": []}, "empty_target"),
    ({"target": "streets", "streets": ["Rue qui n'existe pas"]}, "unknown_street"),
    ({"target": "buffer", "drawn": "centre", "buffer_m": 5}, "bad_distance"),
    ({"target": "buffer", "drawn": "centre", "buffer_m": 50_000}, "bad_distance"),
    ({"target": "buffer", "drawn": None, "buffer_m": 100}, "empty_target"),
])
def test_bad_targets_are_refused_with_a_reason(kwargs, code):
    territory = independent.territory()
    xmin, ymin, xmax, ymax = territory.bounds
    if kwargs.get("drawn") == "far":  # a square 3 km east of the town
        kwargs["drawn"] = geos(shapely.box(xmax + 3000, ymin, xmax + 4000, ymin + 1000))
    elif kwargs.get("drawn") == "centre":
        kwargs["drawn"] = geos(territory.representative_point())
    with pytest.raises(ValidationError) as error:
        targeting.resolve_area(**kwargs)
    assert error.value.code == code
    assert error.value.messages[0]


def test_geojson_from_the_map_is_read_in_wgs84():
    geom = targeting.parse_geojson(json.dumps({"type": "Point", "coordinates": [-73.99, 45.37]}),
                                   kinds=("Point",))
    assert geom.srid == SRID
    with pytest.raises(ValidationError):
        targeting.parse_geojson("{not json", kinds=("Polygon",))
    with pytest.raises(ValidationError):
        targeting.parse_geojson(json.dumps({"type": "Point", "coordinates": [-73.99, 45.37]}),
                                kinds=("Polygon",))
