"""Import an OpenStreetMap extract (overpass-turbo GeoJSON, tags as flat properties and the
OSM id in "@id"): places by the tag table in osm_tags.csv, named streets, and address points."""
import csv
from pathlib import Path

import shapely
from django.db import transaction
from django.utils.translation import gettext as _

from core.importers import ImportFailed, ImportReport
from geo.addresses import normalize
from geo.models import AddressPoint, Place, PlaceCategory, Street

from .gisfile import read_gis_file, territory_filter, to_geos

TAG_TABLE = Path(__file__).with_name("osm_tags.csv")
STREET_KINDS = {"motorway", "trunk", "primary", "secondary", "tertiary", "unclassified",
                "residential", "living_street", "pedestrian", "service", "trunk_link",
                "primary_link", "secondary_link", "tertiary_link"}
PRIVATE = {"private", "no", "customers"}


def load_tag_table(path=TAG_TABLE) -> list[tuple[str, str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        return [(r["key"], r["value"], r["category"]) for r in rows]


def import_osm(path, *, commit: bool = False, tag_table=TAG_TABLE,
               source_srid: int | None = None) -> ImportReport:
    report = ImportReport()
    path = Path(path)
    gdf = read_gis_file(path, report, source_srid=source_srid)
    rules = load_tag_table(tag_table)
    categories = {c.slug: c for c in PlaceCategory.objects.all()}
    missing = {cat for _k, _v, cat in rules} - set(categories)
    if missing:
        raise ImportFailed(_("The tag table names unknown categories: %(c)s")
                           % {"c": ", ".join(sorted(missing))})
    inside = territory_filter(report)
    srid = gdf.crs.to_epsg()
    counts = {"places": 0, "streets": 0, "addresses": 0}
    columns = set(gdf.columns)

    with transaction.atomic():
        for row in gdf.to_dict("records"):
            geom = row.get("geometry")
            osm_id = row.get("@id") or row.get("osm_id") or row.get("id")
            ref = f"{osm_id}"
            tags = {k: v for k, v in row.items() if k in columns and isinstance(v, str)}
            if geom is None or geom.is_empty or not osm_id:
                continue
            category = next((c for k, v, c in rules if tags.get(k) == v), None)
            is_street = (tags.get("highway") in STREET_KINDS and tags.get("name")
                         and geom.geom_type in ("LineString", "MultiLineString"))
            has_address = tags.get("addr:housenumber") and tags.get("addr:street")
            if not (category or is_street or has_address):
                continue
            if inside is not None and not inside(geom):
                report.skip(ref, _("outside the territory"))
                continue
            if category and tags.get("access") not in PRIVATE:
                _upsert_place(report, categories[category], str(osm_id), tags, geom, srid)
                counts["places"] += 1
            if is_street:
                lines = shapely.MultiLineString([geom]) if geom.geom_type == "LineString" else geom
                Street.objects.update_or_create(source_id=str(osm_id), defaults={
                    "name": tags["name"], "kind": tags["highway"],
                    "geom": to_geos(lines)})
                counts["streets"] += 1
            if has_address:
                point = geom if geom.geom_type == "Point" else geom.representative_point()
                label = f"{tags['addr:housenumber']} {tags['addr:street']}"
                AddressPoint.objects.update_or_create(source_id=str(osm_id), defaults={
                    "civic_number": tags["addr:housenumber"], "street": tags["addr:street"],
                    "city": tags.get("addr:city", ""), "search_text": normalize(label),
                    "geom": to_geos(point)})
                counts["addresses"] += 1
        report.notes.append(_("Places: %(places)d, streets: %(streets)d, address points: "
                              "%(addresses)d") % counts)
        report.committed = commit
        if not commit:
            transaction.set_rollback(True)
    return report


def _upsert_place(report, category, osm_id, tags, geom, srid):
    address = ""
    if tags.get("addr:housenumber") and tags.get("addr:street"):
        address = f"{tags['addr:housenumber']} {tags['addr:street']}"
    if geom.geom_type not in ("Point", "Polygon", "MultiPolygon"):
        geom = geom.centroid
    _obj, created = Place.objects.update_or_create(
        source="osm", source_id=osm_id, category=category,
        defaults={"name": tags.get("name", "")[:255], "address": address,
                  "geom": to_geos(geom)})
    if created:
        report.created += 1
    else:
        report.updated += 1
