"""A place on the map in words (reverse geocoding): what a report placed by a map click is
called, so that a citizen, a clerk and the public list read "near 140 Chemin Duhamel" or
"Boulevard Cardinal-Léger between 5e Avenue and 7e Avenue" instead of coordinates.

The rules, in order (tests/properties/test_place_names.py checks them against shapely on the
demo's source files):
1. the nearest civic address within NEAR_ADDRESS_M: the roll's (a property's address point; the
   building's, without a unit) or an address point's (geo.AddressPoint), the roll first on a
   tie: "near <address>";
2. else the nearest named street within STREET_SEARCH_M: its line (the same-named lines nearby
   merged, the part nearest the point) and where other named streets meet it; the nearest
   crossing on each side of the point: "<street> between <a> and <b>"; a crossing within
   CORNER_M of the point: "<street> at <a>"; one side only: "<street> near <a>"; none: "<street>";
3. else nothing: the place has no name (open country, the middle of a lake).

`describe` answers a language-neutral dict, stored with the report (ServiceRequest.place) and
written in the reader's language by `label`."""
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import override

from geo.models import AddressPoint, Street
from geo.selectors import STREET_SEARCH_M

from .models import CivicAddress, Property

NEAR_ADDRESS_M = 30  # a click this close to a door is "near" it
CORNER_M = 10  # a click this close to a crossing is "at" it
NETWORK_M = 3000  # the same-named lines merged around the point (a long street's reach)

_ADDRESS = f"""
SELECT label FROM (
    (SELECT a.label, p.address_point <-> %(p)s AS d, 0 AS source
     FROM {Property._meta.db_table} p
     JOIN LATERAL (SELECT CASE WHEN unit <> '' AND starts_with(label, unit || '-')
                               THEN substr(label, length(unit) + 2) ELSE label END AS label
                   FROM {CivicAddress._meta.db_table} c
                   WHERE c.property_id = p.id ORDER BY c.id LIMIT 1) a ON true
     WHERE ST_DWithin(p.address_point, %(p)s, %(near)s)
     ORDER BY p.address_point <-> %(p)s, p.id LIMIT 1)
    UNION ALL
    (SELECT concat_ws(' ', nullif(civic_number, ''), street), geom <-> %(p)s, 1
     FROM {AddressPoint._meta.db_table}
     WHERE ST_DWithin(geom, %(p)s, %(near)s) AND street <> ''
     ORDER BY geom <-> %(p)s, id LIMIT 1)
) found ORDER BY d, source LIMIT 1"""

# The nearest named street's line near the point, how far along it the point is, and where the
# other named streets meet it (every vertex of each intersection: a crossing, or the ends of a
# stretch two names share), each as metres along the line.
_STREET = f"""
WITH nearest AS (
    SELECT name FROM {Street._meta.db_table}
    WHERE name <> '' AND ST_DWithin(geom, %(p)s, %(search)s)
    ORDER BY geom <-> %(p)s, id LIMIT 1),
line AS (
    SELECT part.geom AS g
    FROM (SELECT ST_LineMerge(ST_Collect(d.geom)) AS merged
          FROM {Street._meta.db_table} s, nearest, LATERAL ST_Dump(s.geom) d
          WHERE s.name = nearest.name AND ST_DWithin(s.geom, %(p)s, %(network)s)) m,
         LATERAL ST_Dump(m.merged) part
    ORDER BY part.geom <-> %(p)s LIMIT 1)
SELECT nearest.name, ST_LineLocatePoint(line.g, %(p)s) * ST_Length(line.g), NULL
FROM nearest, line
UNION ALL
SELECT o.name, NULL, ST_LineLocatePoint(line.g, v.geom) * ST_Length(line.g)
FROM line, nearest, {Street._meta.db_table} o,
     LATERAL ST_DumpPoints(ST_Intersection(line.g, o.geom)) v
WHERE o.name <> '' AND o.name <> nearest.name AND ST_Intersects(o.geom, line.g)
  AND ST_DWithin(o.geom, %(p)s, %(network)s)"""


def describe(point) -> dict:
    """The words for `point` (storage CRS): {"kind": "near", "address": ...}, {"kind":
    "between", "street", "from", "to"}, {"kind": "corner" or "street_near", "street",
    "cross"}, {"kind": "street", "street"}, or {} when nothing is near."""
    params = {"p": point.hexewkb.decode(), "near": NEAR_ADDRESS_M,
              "search": STREET_SEARCH_M, "network": NETWORK_M}
    with connection.cursor() as cur:
        cur.execute(_ADDRESS.replace("%(p)s", "%(p)s::geometry"), params)
        row = cur.fetchone()
        if row:
            return {"kind": "near", "address": row[0]}
        cur.execute(_STREET.replace("%(p)s", "%(p)s::geometry"), params)
        rows = cur.fetchall()
    if not rows:
        return {}
    street, at = rows[0][0], rows[0][1]
    return _from_crossings(street, at, [(name, pos) for name, _at, pos in rows[1:]])


def _from_crossings(street: str, at: float, crossings: list[tuple[str, float]]) -> dict:
    """The street rule (module docstring) from the point's and the crossings' positions."""
    corner = min(((abs(pos - at), name) for name, pos in crossings if abs(pos - at) <= CORNER_M),
                 default=None)
    if corner:
        return {"kind": "corner", "street": street, "cross": corner[1]}
    before = max(((pos, name) for name, pos in crossings if pos < at), default=None)
    after = min(((pos, name) for name, pos in crossings if pos > at), default=None)
    if before and after and before[1] != after[1]:
        first, second = sorted([before[1], after[1]])
        return {"kind": "between", "street": street, "from": first, "to": second}
    side = before or after
    if side:
        return {"kind": "street_near", "street": street, "cross": side[1]}
    return {"kind": "street", "street": street}


def label(place: dict, language: str | None = None) -> str:
    """`place` (describe's answer) in words, in `language` or the active language; "" for {}."""
    if language:
        with override(language):
            return label(place)
    kind = (place or {}).get("kind")
    if kind == "near":
        return _("near %(address)s") % {"address": place["address"]}
    if kind == "between":
        return _("%(street)s between %(first)s and %(second)s") % {
            "street": place["street"], "first": place["from"], "second": place["to"]}
    if kind == "corner":
        return _("%(street)s at %(cross)s") % {"street": place["street"],
                                                "cross": place["cross"]}
    if kind == "street_near":
        return _("%(street)s near %(cross)s") % {"street": place["street"],
                                                  "cross": place["cross"]}
    if kind == "street":
        return place["street"]
    return ""
