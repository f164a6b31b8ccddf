"""Read an OpenStreetMap file whole, whatever its format, as one list of features: the OSM
reference ("node/123", "way/456", "relation/789"), every tag unpacked into a dict, and a shapely
geometry in the storage CRS.

- .osm.pbf, .osm (XML, also .gz/.bz2) and .o5m: pyosmium, node locations kept for the ways,
  multipolygon relations assembled into areas by osmium's area assembler.
- overpass JSON (`[out:json]`): `out geom` (ways and relation members carry their geometry),
  `out body` with the nodes (`>; out skel`), or `out center`.
- GeoJSON written from OSM: overpass-turbo's export (tags as properties, the reference in
  "@id"), osmtogeojson ("id": "way/456"), GDAL/ogr2ogr (osm_id, osm_way_id and the tags packed
  in "other_tags"), QGIS QuickOSM (osm_type and osm_id).

A closed way is an area when its tags say so (building, leisure, amenity, landuse... and not
a highway, a barrier or a waterway unless area=yes), the rule overpass-turbo and osmium follow.
Geometries are normalized (shapely.normalize), so that one element read from two formats is the
same geometry.
"""
import json
import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import shapely
from django.conf import settings
from django.utils.translation import gettext as _

from core.importers import ImportFailed, ImportReport

from .gisfile import read_gis_file, repair

OSM_REF = re.compile(r"^(node|way|relation)/[0-9]+$")
OSMIUM_SUFFIXES = (".pbf", ".osm", ".o5m", ".osm.gz", ".osm.bz2")
SNIFF_BYTES = 4096
AREA_KEYS = {"building", "landuse", "leisure", "amenity", "natural", "shop", "tourism",
             "historic", "man_made", "military", "office", "craft", "place", "boundary",
             "aeroway", "healthcare", "sport", "parking", "public_transport", "club",
             "emergency", "playground", "area:highway", "building:part", "water"}
LINEAR_KEYS = {"highway", "barrier", "waterway", "railway", "route", "power", "aerialway",
               "cycleway", "footway"}
AREA_RELATIONS = {"multipolygon", "boundary"}
# GeoJSON properties that are not OSM tags (identifiers and bookkeeping of the exporters)
NOT_TAGS = {"id", "@id", "osm_id", "osm_way_id", "osm_type", "full_id", "other_tags",
            "geometry", "z_order"}
HSTORE_PAIR = re.compile(r'"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"')


@dataclass
class OsmFile:
    """What was read: the features, the format's name, and whether it is an OSM export at
    all (a GeoJSON whose features carry no OSM reference is not)."""

    features: list  # (ref, tags, geometry in the storage CRS)
    kind: str
    elements: int  # tagged elements (or features) in the file
    is_osm: bool = True


def read_osm_file(path, report: ImportReport, source_srid: int | None = None) -> OsmFile:
    path = Path(path)
    if not path.exists():
        raise ImportFailed(_("File not found: %(path)s") % {"path": path})
    if path.stat().st_size == 0:
        raise ImportFailed(_("The file %(name)s is empty.") % {"name": path.name})
    name = path.name.lower()
    head = _head(path)
    if name.endswith(OSMIUM_SUFFIXES) or (name.endswith(".xml") and b"<osm" in head):
        return _read_osmium(path, report)
    if name.endswith((".json", ".geojson")) and _is_overpass_json(head):
        return _read_overpass(path, report)
    return _read_geojson(path, report, source_srid)


def _head(path):
    with open(path, "rb") as fh:
        return fh.read(SNIFF_BYTES)


def _is_overpass_json(head: bytes) -> bool:
    """Overpass writes "version", "generator", "osm3s" then "elements"; a GeoJSON has
    "features". Decided on the first bytes, never by reading a whole file."""
    text = head.lstrip()
    return text.startswith(b"{") and b'"elements"' in text and b'"features"' not in text


# -- pbf / XML: pyosmium -------------------------------------------------------------------


def _read_osmium(path, report):
    import osmium

    wkb = osmium.geom.WKBFactory()
    raw = []  # (ref, tags, shapely geometry in lon/lat)
    relations = {}  # relation id: tags, for those whose area osmium could not assemble
    assembled = {}  # relation id: its area
    elements = 0
    try:
        processor = osmium.FileProcessor(str(path)).with_locations().with_areas()
        for obj in processor:
            if obj.is_area():
                if not obj.from_way():  # a relation's area: its tags are the relation's own
                    assembled[obj.orig_id()] = shapely.from_wkb(wkb.create_multipolygon(obj))
                continue
            if not obj.tags:
                continue
            elements += 1
            tags = dict(obj.tags)
            if obj.is_node():
                if obj.location.valid():
                    raw.append((f"node/{obj.id}", tags,
                                shapely.Point(obj.location.lon, obj.location.lat)))
                else:
                    report.skip(f"node/{obj.id}", _("no coordinates in the file"))
            elif obj.is_way():
                coords = [(n.lon, n.lat) for n in obj.nodes if n.location.valid()]
                ends = obj.nodes[0].ref == obj.nodes[-1].ref if len(obj.nodes) else False
                _add_way(raw, report, f"way/{obj.id}", tags, coords, ends)
            elif obj.is_relation():
                relations[obj.id] = tags
    except RuntimeError as exc:
        raise ImportFailed(_("%(name)s is not a readable OpenStreetMap file (%(error)s).")
                           % {"name": path.name, "error": exc}) from exc
    for rel_id, tags in relations.items():
        if rel_id in assembled:
            raw.append((f"relation/{rel_id}", tags, assembled[rel_id]))
        else:
            _relation_without_area(raw, report, f"relation/{rel_id}", tags, None)
    kind = "OSM PBF" if path.name.lower().endswith(".pbf") else "OSM XML"
    return OsmFile(_project(raw, report), kind, elements)


# -- overpass JSON -------------------------------------------------------------------------


def _read_overpass(path, report):
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        elements = doc["elements"]
        if not isinstance(elements, list):
            raise TypeError("elements")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise ImportFailed(_("%(name)s is not a readable OpenStreetMap file (%(error)s).")
                           % {"name": path.name, "error": exc}) from exc
    nodes = {e.get("id"): (e["lon"], e["lat"]) for e in elements
             if isinstance(e, dict) and e.get("type") == "node" and "lat" in e and "lon" in e}
    ways = {}
    for e in elements:
        if isinstance(e, dict) and e.get("type") == "way":
            ways[e.get("id")] = (_way_coords(e, nodes), _way_closed(e))
    raw, tagged = [], 0
    for e in elements:
        if not isinstance(e, dict) or not e.get("tags") or e.get("type") not in (
                "node", "way", "relation"):
            continue
        tagged += 1
        ref = f"{e['type']}/{e.get('id')}"
        tags = {str(k): str(v) for k, v in e["tags"].items()}
        center = e.get("center")
        if e["type"] == "node":
            if "lat" in e and "lon" in e:
                raw.append((ref, tags, shapely.Point(e["lon"], e["lat"])))
            else:
                report.skip(ref, _("no coordinates in the file"))
        elif e["type"] == "way":
            coords, closed = ways[e.get("id")]
            if not coords and center:
                raw.append((ref, tags, shapely.Point(center["lon"], center["lat"])))
            else:
                _add_way(raw, report, ref, tags, coords, closed)
        else:
            geom = None
            if tags.get("type") in AREA_RELATIONS:
                geom = _assemble(e.get("members") or [], ways)
            if geom is not None:
                raw.append((ref, tags, geom))
            else:
                _relation_without_area(raw, report, ref, tags, center)
    return OsmFile(_project(raw, report), "overpass JSON", tagged)


def _way_coords(way, nodes):
    geometry = way.get("geometry")
    if geometry:  # out geom; a vertex outside the query's box is null
        return [(p["lon"], p["lat"]) for p in geometry if p]
    return [nodes[r] for r in way.get("nodes") or [] if r in nodes]


def _way_closed(way):
    refs = way.get("nodes") or []
    if refs:
        return len(refs) > 3 and refs[0] == refs[-1]
    geometry = [p for p in way.get("geometry") or [] if p]
    return len(geometry) > 3 and geometry[0] == geometry[-1]


def _assemble(members, ways):
    """A multipolygon from its member ways: the faces of the outer rings less those of the
    inner ones (rings split over several ways are joined by polygonize)."""
    lines = {"outer": [], "inner": []}
    for m in members:
        if m.get("type") != "way":
            continue
        coords = ([(p["lon"], p["lat"]) for p in m["geometry"] if p] if m.get("geometry")
                  else ways.get(m.get("ref"), ([], False))[0])
        if len(coords) >= 2:
            lines["inner" if m.get("role") == "inner" else "outer"].append(
                shapely.LineString(coords))
    if not lines["outer"]:
        return None
    outer = shapely.union_all(shapely.get_parts(shapely.polygonize(lines["outer"])))
    if outer.is_empty:
        return None
    if lines["inner"]:
        inner = shapely.union_all(shapely.get_parts(shapely.polygonize(lines["inner"])))
        outer = outer.difference(inner)
    # a MultiPolygon always, as osmium's area assembler gives it
    parts = [p for p in shapely.get_parts(outer) if p.geom_type == "Polygon"]
    return shapely.MultiPolygon(parts) if parts else None


# -- GeoJSON written from OSM --------------------------------------------------------------


def _read_geojson(path, report, source_srid):
    gdf = read_gis_file(path, report, source_srid=source_srid)
    features, with_ref = [], 0
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    for n, (row, geom) in enumerate(zip(gdf[columns].to_dict("records"), gdf.geometry.values,
                                        strict=True), start=1):
        ref = _geojson_ref(row, geom)
        if ref is None:
            report.skip(_("feature %(n)d") % {"n": n}, _("no OpenStreetMap identifier"))
            continue
        with_ref += 1
        tags = {k: v for k, v in row.items()
                if isinstance(v, str) and k not in NOT_TAGS and not k.startswith("@")}
        if isinstance(row.get("other_tags"), str):  # GDAL's OSM driver packs the rest here
            tags.update(_hstore(row["other_tags"]))
        features.append((ref, tags, None if geom is None else shapely.normalize(geom)))
    kind = "GeoJSON (OSM)" if with_ref else "GeoJSON"
    return OsmFile(features, kind, len(gdf), is_osm=with_ref > 0)


def _geojson_ref(row, geom):
    for key in ("@id", "id"):
        value = row.get(key)
        if isinstance(value, str) and OSM_REF.match(value):
            return value
    osm_type, osm_id = row.get("osm_type"), _int(row.get("osm_id"))
    if osm_type in ("node", "way", "relation") and osm_id is not None:  # QuickOSM
        return f"{osm_type}/{osm_id}"
    if "other_tags" in row:  # GDAL's OSM driver: the layer (geometry) says the type
        way_id = _int(row.get("osm_way_id"))
        if way_id is not None:
            return f"way/{way_id}"
        if osm_id is not None and geom is not None:
            kind = {"Point": "node", "LineString": "way"}.get(geom.geom_type, "relation")
            return f"{kind}/{osm_id}"
    return None


def _int(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _hstore(text):
    unescape = lambda s: s.replace('\\"', '"').replace("\\\\", "\\")  # noqa: E731
    return {unescape(k): unescape(v) for k, v in HSTORE_PAIR.findall(text)}


# -- shared --------------------------------------------------------------------------------


def is_area(tags) -> bool:
    """Is a closed way an area (a park, a building) rather than a loop (a street, a fence)?"""
    if tags.get("area") == "no":
        return False
    if tags.get("area") == "yes":
        return True
    if any(k in tags for k in LINEAR_KEYS):
        return False
    return any(k in tags for k in AREA_KEYS)


def _add_way(raw, report, ref, tags, coords, closed):
    if len(coords) < 2:
        report.skip(ref, _("no coordinates in the file"))
        return
    if closed and len(coords) >= 4 and is_area(tags):
        raw.append((ref, tags, shapely.Polygon(coords)))
    else:
        raw.append((ref, tags, shapely.LineString(coords)))


def _relation_without_area(raw, report, ref, tags, center):
    """A relation that is not an area (a route, a site...) has no geometry of its own here;
    only said when its tags would have made it something the import keeps."""
    if center:
        raw.append((ref, tags, shapely.Point(center["lon"], center["lat"])))
    elif tags.get("type") in AREA_RELATIONS:
        report.skip(ref, _("a multipolygon whose rings could not be assembled"))


def _project(raw, report):
    if not raw:
        return []
    refs, tags, geoms = zip(*raw, strict=True)
    frame = gpd.GeoDataFrame({"ref": refs}, geometry=list(geoms), crs=4326)
    frame = repair(frame.to_crs(epsg=settings.GUICHET_SRID), report)
    # normalized (ring start and orientation): the same element from two formats is equal
    return list(zip(refs, tags, shapely.normalize(frame.geometry.values), strict=True))
