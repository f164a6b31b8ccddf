"""import_osm on OpenStreetMap in its native formats (issue 12 item 3): a real extract of
Helsinki (tests/data/README.md) as .osm.pbf, .osm XML and overpass JSON (`out geom`, and `out
body` with its nodes, derived here from the XML), and as GDAL writes it (other_tags packed).

What must be imported is computed from the .osm XML with lxml, a reader that shares nothing with
the importer (osmium, shapely's polygonize); the .osm.pbf is also read by GDAL's OSM driver
(pyogrio). The same extract in every format gives the same rows, to the millimetre."""
import json

import pyogrio
import pytest
import shapely
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.core.management import CommandError, call_command
from lxml import etree
from pyproj import Transformer

from core.importers import ImportFailed
from geo.importers.osm import STREET_KINDS, import_osm, load_tag_table
from geo.models import AddressPoint, Place, Street, Territory
from tests.test_importer_corpus import snapshot

pytestmark = pytest.mark.django_db
PRIVATE = {"private", "no", "customers"}


@pytest.fixture
def helsinki(data_dir, no_leisure_groups):
    return {"pbf": data_dir / "osm_helsinki_kaisaniemi.osm.pbf",
            "xml": data_dir / "osm_helsinki_kaisaniemi.osm",
            "overpass": data_dir / "osm_helsinki_kaisaniemi_overpass.json"}


def _xml(path):
    root = etree.parse(str(path)).getroot()
    nodes = {n.get("id"): (float(n.get("lon")), float(n.get("lat")))
             for n in root.iter("node")}

    def tags(el):
        return {t.get("k"): t.get("v") for t in el.iter("tag")}
    return root, nodes, tags


def expected(path):
    """{kind: set of OSM references} the import must hold, read from the .osm XML."""
    root, _nodes, tags = _xml(path)
    rules = load_tag_table()
    out = {"streets": set(), "addresses": set(), "places": set()}
    for el in root:
        if el.tag not in ("node", "way", "relation"):
            continue
        t = tags(el)
        ref = f"{el.tag}/{el.get('id')}"
        if el.tag == "relation" and t.get("type") != "multipolygon":
            continue
        refs = [nd.get("ref") for nd in el.iter("nd")]
        closed_area = len(refs) > 3 and refs[0] == refs[-1] and t.get("area") == "yes"
        if (el.tag == "way" and t.get("highway") in STREET_KINDS and t.get("name")
                and not closed_area):
            out["streets"].add(ref)
        if t.get("addr:housenumber") and t.get("addr:street"):
            out["addresses"].add(ref)
        if any(t.get(k) == v for k, v, _c in rules) and t.get("access") not in PRIVATE:
            out["places"].add(ref)
    return out


OSM_REF = r"^(node|way|relation)/[0-9]+$"


def osm_streets():
    return Street.objects.filter(source_id__regex=OSM_REF)


def osm_address_points():
    return AddressPoint.objects.filter(source_id__regex=OSM_REF)


def osm_places():
    return Place.objects.filter(source="osm")


def stored():
    return {"streets": set(osm_streets().values_list("source_id", flat=True)),
            "addresses": set(osm_address_points().values_list("source_id", flat=True)),
            "places": set(osm_places().values_list("source_id", flat=True))}


def rows():
    return {"streets": set(osm_streets().values_list("source_id", "name", "kind")),
            "addresses": set(osm_address_points().values_list(
                "source_id", "civic_number", "street", "city")),
            "places": set(osm_places().values_list("source_id", "name", "category__slug",
                                                   "address"))}


def helsinki_territory(path):
    """The town served becomes Helsinki: the extract's nodes, 100 m around (the test's
    transaction puts Pincourt back)."""
    _root, nodes, _tags = _xml(path)
    to_srid = Transformer.from_crs(4326, settings.GUICHET_SRID, always_xy=True)
    points = shapely.MultiPoint([to_srid.transform(lon, lat) for lon, lat in nodes.values()])
    area = shapely.MultiPolygon([points.envelope.buffer(100, join_style="mitre")])
    Territory.objects.filter(pk=Territory.objects.current().pk).update(
        geom=GEOSGeometry(area.wkt, srid=settings.GUICHET_SRID))


def test_every_format_gives_what_the_xml_holds_and_the_same_rows(helsinki, tmp_path):
    helsinki_territory(helsinki["xml"])
    want = expected(helsinki["xml"])
    assert all(want.values())  # streets, address points, places: each kind is there
    pincourt = sum(len(v) for v in stored().values())
    report = import_osm(helsinki["pbf"], commit=True, force=True)
    assert stored() == want
    assert report.created == sum(len(v) for v in want.values())
    assert report.retired == pincourt  # the demo's rows: another town's extract, forced
    first = rows()
    for name in ("xml", "overpass"):
        again = import_osm(helsinki[name], commit=True)
        assert (again.created, again.updated, again.retired) == (0, 0, 0), (name, again.render())
        assert rows() == first
    body = _overpass_out_body(helsinki["xml"], tmp_path / "out_body.json")
    again = import_osm(body, commit=True)
    assert (again.created, again.updated, again.retired) == (0, 0, 0), again.render()


def _overpass_out_body(xml, target):
    """The XML as overpass writes `[out:json]; nwr(...); out body; >; out skel qt;`: ways with
    node ids only, every node with its coordinates (lxml, not the derivation script)."""
    root, _nodes, tags = _xml(xml)
    elements = []
    for el in root:
        if el.tag == "node":
            node = {"type": "node", "id": int(el.get("id")), "lat": float(el.get("lat")),
                    "lon": float(el.get("lon"))}
            elements.append({**node, "tags": tags(el)} if tags(el) else node)
        elif el.tag == "way":
            elements.append({"type": "way", "id": int(el.get("id")),
                             "nodes": [int(nd.get("ref")) for nd in el.iter("nd")],
                             "tags": tags(el)})
        elif el.tag == "relation":
            elements.append({"type": "relation", "id": int(el.get("id")),
                             "members": [{"type": m.get("type"), "ref": int(m.get("ref")),
                                          "role": m.get("role")} for m in el.iter("member")],
                             "tags": tags(el)})
    target.write_text(json.dumps({"version": 0.6, "elements": elements}))
    return target


def test_the_pbf_is_read_whole_streets_and_areas_as_gdal_reads_them(helsinki):
    """The finding: only GDAL's `points` layer used to be read. GDAL's OSM driver, reading
    the same .osm.pbf layer by layer, finds the same named streets and the same park."""
    helsinki_territory(helsinki["xml"])
    call_command("import_osm", str(helsinki["pbf"]), "--commit", "--force")
    lines = pyogrio.read_dataframe(helsinki["pbf"], layer="lines")
    gdal_streets = {f"way/{i}" for i in lines[lines.highway.isin(STREET_KINDS)
                                              & lines["name"].notna()].osm_id}
    assert gdal_streets == stored()["streets"]
    areas = pyogrio.read_dataframe(helsinki["pbf"], layer="multipolygons").to_crs(
        settings.GUICHET_SRID)
    park = areas[areas.osm_id == "6627217"].geometry.iloc[0]
    place = osm_places().get(source_id="relation/6627217")
    assert place.name == "Kaisaniemen puisto" and place.category.slug == "park"
    assert place.geom.area == pytest.approx(park.area, rel=1e-6)


def test_a_geojson_written_by_gdal_has_its_other_tags_unpacked(helsinki, tmp_path):
    helsinki_territory(helsinki["xml"])
    points = pyogrio.read_dataframe(helsinki["pbf"], layer="points")
    target = tmp_path / "points.geojson"
    pyogrio.write_dataframe(points, target, driver="GeoJSON")
    import_osm(target, commit=True, force=True)
    want = expected(helsinki["xml"])
    assert stored()["addresses"] == {r for r in want["addresses"] if r.startswith("node/")}
    assert stored()["places"] == {r for r in want["places"] if r.startswith("node/")}


def test_an_extract_of_another_town_is_refused_with_that_reason(helsinki):
    before = snapshot()
    with pytest.raises(CommandError) as err:
        call_command("import_osm", str(helsinki["pbf"]), "--commit")
    assert "territoire" in str(err.value) and "autre ville" in str(err.value)
    assert snapshot() == before


def test_a_geojson_that_is_not_an_osm_export_is_refused_naming_the_commands(data_dir):
    """Streets with `name`, address points with `street` and `number`: used to be "0 created,
    0 skipped", exit 0."""
    before = snapshot()
    with pytest.raises(CommandError) as err:
        call_command("import_osm", str(data_dir / "osm_not_an_export.geojson"), "--commit")
    message = str(err.value)
    assert all(word in message for word in ("OpenStreetMap", "import_streets",
                                            "import_addresses")), message
    assert snapshot() == before


def test_an_osm_file_with_nothing_of_use_is_refused(tmp_path, helsinki):
    doc = json.loads(helsinki["overpass"].read_text())
    doc["elements"] = [e for e in doc["elements"] if e["tags"].get("natural") == "tree"]
    assert doc["elements"]
    path = tmp_path / "trees.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ImportFailed, match="rien à importer|nothing to import"):
        import_osm(path, commit=True)


@pytest.mark.parametrize("name", ["truncated.osm.pbf", "truncated.osm", "truncated.json"])
def test_a_broken_osm_file_is_refused_with_a_message(tmp_path, helsinki, name):
    source = {"truncated.osm.pbf": "pbf", "truncated.osm": "xml",
              "truncated.json": "overpass"}[name]
    data = helsinki[source].read_bytes()
    path = tmp_path / name
    path.write_bytes(data[: len(data) // 2])
    before = snapshot()
    with pytest.raises(CommandError) as err:
        call_command("import_osm", str(path), "--commit")
    assert "OpenStreetMap" in str(err.value) and "Traceback" not in str(err.value)
    assert snapshot() == before
