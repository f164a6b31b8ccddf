"""A place chosen on the map in words (properties.place_names), compared with an independent
reading of the demo's source files by shapely: OpenStreetMap's address points and named roads
(tests/independent.py), the same rules written again here, not the site's code."""
import json
import random

import pytest
import shapely
from django.contrib.gis.geos import Point
from shapely.geometry import shape
from shapely.ops import linemerge

from properties.place_names import describe, label
from tests import independent

pytestmark = pytest.mark.django_db
NEAR, CORNER, SEARCH, NETWORK = 30, 10, 150, 3000


def osm_addresses():
    """[(label, projected point)]: OSM's points with a civic number and a street."""
    out = []
    for name in independent.OSM_FILES:
        for f in json.loads((independent.DEMO / name).read_text())["features"]:
            tags = f["properties"]
            if (f["geometry"]["type"] == "Point" and tags.get("addr:housenumber")
                    and tags.get("addr:street")):
                out.append((f"{tags['addr:housenumber']} {tags['addr:street']}",
                            independent.project(shape(f["geometry"]))))
    return out


def expected(p, addresses, streets):
    """The rules of the module's docstring, on the source files; None when the answer hangs
    on a tie (two candidates within a metre), which the test skips."""
    near = sorted((p.distance(g), text) for text, g in addresses if p.distance(g) <= NEAR)
    if near:
        if len(near) > 1 and near[1][0] - near[0][0] < 1 and near[1][1] != near[0][1]:
            return None
        return {"kind": "near", "address": near[0][1]}
    if any(p.distance(g) <= NEAR + 1 for _t, g in addresses):
        return None
    named = sorted((p.distance(line), name) for name, line in streets
                   if p.distance(line) <= SEARCH)
    if not named:
        return {}
    if len(named) > 1 and named[1][0] - named[0][0] < 1 and named[1][1] != named[0][1]:
        return None
    street = named[0][1]
    merged = linemerge([line for name, line in streets
                        if name == street and p.distance(line) <= NETWORK])
    line = min(getattr(merged, "geoms", [merged]), key=p.distance)
    at = line.project(p)
    crossings = []
    for name, other in streets:
        if name == street or p.distance(other) > NETWORK or not other.intersects(line):
            continue
        for xy in shapely.get_coordinates(line.intersection(other)):
            crossings.append((name, line.project(shapely.Point(xy))))
    close = sorted((abs(pos - at), name) for name, pos in crossings if abs(pos - at) <= CORNER)
    if close:
        return {"kind": "corner", "street": street, "cross": close[0][1]}
    before = max(((pos, name) for name, pos in crossings if pos < at), default=None)
    after = min(((pos, name) for name, pos in crossings if pos > at), default=None)
    if before and after and before[1] != after[1]:
        first, second = sorted([before[1], after[1]])
        return {"kind": "between", "street": street, "from": first, "to": second}
    if before or after:
        return {"kind": "street_near", "street": street, "cross": (before or after)[1]}
    return {"kind": "street", "street": street}


def test_places_in_words_match_shapely_on_the_demo_files():
    addresses, streets = osm_addresses(), independent.streets()
    area = independent.territory()
    xmin, ymin, xmax, ymax = area.bounds
    rng = random.Random(14)
    compared, kinds = 0, {}
    while compared < 60:
        p = shapely.Point(rng.uniform(xmin, xmax), rng.uniform(ymin, ymax))
        if not area.contains(p):
            continue
        want = expected(p, addresses, streets)
        if want is None:
            continue
        got = describe(Point(p.x, p.y, srid=independent.SRID))
        assert got == want, (p.wkt, got, want)
        compared += 1
        kinds[want.get("kind")] = kinds.get(want.get("kind"), 0) + 1
    # The sample exercised each rule that the demo town has.
    assert kinds.get("near", 0) >= 5 and kinds.get("between", 0) >= 5, kinds


def test_a_click_beside_a_door_names_the_building_not_a_unit():
    """The roll's address of a building with units is "100-92 Boulevard Cardinal-Léger"; a
    click beside it is near the building: "92 Boulevard Cardinal-Léger"."""
    from properties.models import CivicAddress

    unit = CivicAddress.objects.exclude(unit="").exclude(property__address_point=None).first()
    if unit is None:
        pytest.skip("the demo has no unit")
    point = unit.property.address_point.clone()
    point.x += 3
    place = describe(point)
    assert place["kind"] == "near"
    assert place["address"] == unit.label.removeprefix(f"{unit.unit}-")


def test_words_in_each_language_and_nothing_far_from_everything():
    place = {"kind": "between", "street": "5e Avenue", "from": "Boulevard Cardinal-Léger",
             "to": "Rue Shamrock"}
    assert label(place, "fr") == "5e Avenue entre Boulevard Cardinal-Léger et Rue Shamrock"
    assert label(place, "en") == "5e Avenue between Boulevard Cardinal-Léger and Rue Shamrock"
    assert label({"kind": "near", "address": "140 Chemin Duhamel"}, "fr") == (
        "près du 140 Chemin Duhamel")
    assert label({"kind": "near", "address": "140 Chemin Duhamel"}, "en") == (
        "near 140 Chemin Duhamel")
    # Far out in the lake (5 km south of the territory): no words.
    xmin, ymin, _x, _y = independent.territory().bounds
    assert describe(Point(xmin, ymin - 5000, srid=independent.SRID)) == {}
