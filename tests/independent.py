"""An independent reading of the demo's source files with shapely + pyproj (no Django, no
PostGIS): what the tests compare the application's answers with."""
import csv
import json
import os
from functools import lru_cache
from pathlib import Path

import shapely
from pyproj import Transformer
from shapely.geometry import shape

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "pincourt"
OSM_FILES = ["pincourt-osm-2022-10-29.geojson", "pincourt-amenities-osm-2022-10-24.geojson"]
SRID = int(os.environ.get("GUICHET_SRID", "32188"))  # as config/settings.py reads it


@lru_cache
def transformer():
    return Transformer.from_crs(4326, SRID, always_xy=True)


def project(geom):
    return shapely.transform(geom, lambda xy: _xy(xy))


def _xy(coords):
    import numpy as np

    x, y = transformer().transform(coords[:, 0], coords[:, 1])
    return np.column_stack([x, y])


@lru_cache
def territory():
    fc = json.loads((DEMO / "territory-generated.geojson").read_text())
    return project(shapely.union_all([shape(f["geometry"]) for f in fc["features"]]))


@lru_cache
def tag_rules():
    path = ROOT / "geo" / "importers" / "osm_tags.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        return [(r["key"], r["value"], r["category"])
                for r in csv.DictReader(line for line in fh if not line.startswith("#"))]


@lru_cache
def osm_places():
    """{(osm id, category): projected geometry} for the tagged features inside the territory."""
    out = {}
    area = territory()
    for name in OSM_FILES:
        for f in json.loads((DEMO / name).read_text())["features"]:
            tags = f["properties"]
            category = next((c for k, v, c in tag_rules() if tags.get(k) == v), None)
            if not category or tags.get("access") in ("private", "no", "customers"):
                continue
            geom = project(shape(f["geometry"]))
            if geom.geom_type not in ("Point", "Polygon", "MultiPolygon"):
                geom = geom.centroid
            if area.intersects(geom):
                out[(tags["@id"], category)] = geom
    return out


# The roads a house is addressed on (OSM highway values; footways and paths are not).
ROAD_KINDS = {"motorway", "trunk", "primary", "secondary", "tertiary", "unclassified",
              "residential", "living_street", "pedestrian", "service", "trunk_link",
              "primary_link", "secondary_link", "tertiary_link"}


@lru_cache
def streets():
    """[(name, projected LineString)]: each line of the named roads touching the territory."""
    out = []
    area = territory()
    for name in OSM_FILES:
        for f in json.loads((DEMO / name).read_text())["features"]:
            tags = f["properties"]
            if tags.get("highway") not in ROAD_KINDS or not tags.get("name"):
                continue
            geom = project(shape(f["geometry"]))
            if geom.geom_type not in ("LineString", "MultiLineString") or not area.intersects(geom):
                continue
            out.extend((tags["name"], line) for line in getattr(geom, "geoms", [geom]))
    return out


@lru_cache
def parcels():
    fc = json.loads((DEMO / "parcels-generated.geojson").read_text())
    return {f["properties"]["lot_number"]: project(shape(f["geometry"])) for f in fc["features"]}


def places_within(origin, metres=300):
    """[(osm id, category, distance m)] of the places within `metres` of `origin`."""
    return sorted(((osm_id, cat, origin.distance(g)) for (osm_id, cat), g in osm_places().items()
                   if origin.distance(g) <= metres), key=lambda t: t[2])
