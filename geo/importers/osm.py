"""Import an OpenStreetMap extract: places by the tag table in osm_tags.csv, named streets, and
address points (addr:housenumber and addr:street), from any OSM format (osm_formats.py: .osm.pbf,
.osm XML, overpass JSON, overpass-turbo GeoJSON...), the tags unpacked the same way for all.

The OSM rows are kept in step with the extract (core.importers.sync.Syncer): the places of
source "osm", and the streets and address points whose source_id is an OSM reference
(node/123, way/456, relation/789). What the new extract no longer holds is reported and, on
--commit, removed; an extract that would delete or change more than --max-change of them is
refused unless --force. Several files (a town's extracts of different queries) are read as one
extract; an element in two of them is read once, from the first.

An import that keeps nothing is an error with its reason: a GeoJSON that is not an OSM export
(the generic commands take those), an extract of another town, a file with no feature of use."""
import csv
from pathlib import Path

import shapely
from django.db import transaction
from django.utils.translation import gettext as _

from core.importers import ImportFailed, ImportReport
from core.importers.sync import DEFAULT_MAX_SHARE, Syncer
from geo.addresses import normalize
from geo.models import AddressPoint, Place, PlaceCategory, Street

from .gisfile import territory_filter, to_geos
from .osm_formats import OSM_REF, read_osm_file

TAG_TABLE = Path(__file__).with_name("osm_tags.csv")
STREET_KINDS = {"motorway", "trunk", "primary", "secondary", "tertiary", "unclassified",
                "residential", "living_street", "pedestrian", "service", "trunk_link",
                "primary_link", "secondary_link", "tertiary_link"}
PRIVATE = {"private", "no", "customers"}
OSM_REF_SQL = OSM_REF.pattern  # a POSIX regular expression too: PostgreSQL's ~ reads it
GEOMETRY_TOLERANCE = 0.001  # metres: a stored geometry equal within this is unchanged


def load_tag_table(path=TAG_TABLE) -> list[tuple[str, str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        return [(r["key"], r["value"], r["category"]) for r in rows]


def osm_streets():
    """The streets this importer owns: source "osm" (import_streets writes its own source)."""
    return Street.objects.filter(source="osm", source_id__regex=OSM_REF_SQL)


def osm_address_points():
    return AddressPoint.objects.filter(source="osm", source_id__regex=OSM_REF_SQL)


def osm_places():
    return Place.objects.filter(source="osm")


def import_osm(paths, *, commit: bool = False, tag_table=TAG_TABLE,
               source_srid: int | None = None, force: bool = False,
               max_share: float = DEFAULT_MAX_SHARE) -> ImportReport:
    """Import one extract, given as one file or several (read as one)."""
    paths = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    report = ImportReport()
    rules = load_tag_table(tag_table)
    categories = {c.slug: c for c in PlaceCategory.objects.all()}
    missing = {cat for _k, _v, cat in rules} - set(categories)
    if missing:
        raise ImportFailed(_("The tag table names unknown categories: %(c)s")
                           % {"c": ", ".join(sorted(missing))})
    files = []
    for path in paths:
        read = read_osm_file(path, report, source_srid=source_srid)
        if not read.is_osm:
            raise ImportFailed(_not_osm_message(path, read.elements))
        files.append((path, read))
        report.notes.append(_("%(name)s: %(format)s, %(n)d tagged elements read")
                            % {"name": path.name, "format": read.kind, "n": read.elements})
    inside = territory_filter(report)

    with transaction.atomic():
        run = _Run(report, rules, categories, inside, force=force, max_share=max_share)
        for _path, read in files:
            run.read(read.features)
        if not run.kept:
            raise ImportFailed(run.why_nothing([p for p, _r in files], tag_table))
        for syncer in run.syncers.values():
            syncer.finish(commit=commit)
        report.notes.append(_("Places: %(places)d, streets: %(streets)d, address points: "
                              "%(addresses)d") % run.counts)
        if run.unchanged:
            report.notes.append(_("Unchanged: %(n)d") % {"n": run.unchanged})
        if run.again:
            report.notes.append(_("Elements also in an earlier file of the extract, read "
                                  "once: %(n)d") % {"n": run.again})
        report.committed = commit
        if not commit:
            transaction.set_rollback(True)
    return report


def _not_osm_message(path, n):
    return _("%(name)s is not an OpenStreetMap export: none of its %(n)d features has an "
             "OpenStreetMap identifier (node/..., way/... or relation/..., as overpass-turbo "
             "writes in \"@id\"). A town's own layers are imported with import_streets (street "
             "centre lines), import_addresses (civic address points) or import_places (places "
             "of one category). Nothing was saved.") % {"name": path.name, "n": n}


class _Run:
    """One import: the rows already loaded from OSM, what the extract holds, the counts."""

    def __init__(self, report, rules, categories, inside, *, force, max_share):
        self.report, self.rules, self.categories, self.inside = report, rules, categories, inside
        options = {"report": report, "force": force, "max_share": max_share}
        self.syncers = {
            "places": Syncer(osm_places(), "source_id", label=_("places"), **options),
            "streets": Syncer(osm_streets(), "source_id", label=_("streets"), **options),
            "addresses": Syncer(osm_address_points(), "source_id", label=_("address points"),
                                **options),
        }
        self.rows = {"places": {}, "streets": {}, "addresses": {}}
        for kind, queryset in (("places", osm_places()), ("streets", osm_streets()),
                               ("addresses", osm_address_points())):
            for row in queryset.order_by("pk"):
                self.rows[kind].setdefault(row.source_id, row)
        self.counts = {"places": 0, "streets": 0, "addresses": 0}
        self.unchanged = self.again = self.useful = self.outside = 0
        self.earlier_files = set()

    @property
    def kept(self):
        return sum(self.counts.values())

    def read(self, features):
        this_file = set()
        for ref, tags, geom in features:
            if ref in self.earlier_files:
                self.again += 1
                continue
            if geom is None or geom.is_empty:
                continue
            category = next((c for k, v, c in self.rules if tags.get(k) == v), None)
            is_street = (tags.get("highway") in STREET_KINDS and tags.get("name")
                         and geom.geom_type in ("LineString", "MultiLineString"))
            has_address = tags.get("addr:housenumber") and tags.get("addr:street")
            if not (category or is_street or has_address):
                continue
            self.useful += 1
            if ref in this_file:
                self.report.skip(ref, _("the same identifier appears more than once in the "
                                        "file; only its first row was read"))
                continue
            this_file.add(ref)
            if self.inside is not None and not self.inside(geom):
                self.outside += 1
                self.report.skip(ref, _("outside the territory"))
                continue
            if category and tags.get("access") not in PRIVATE:
                self._place(ref, self.categories[category], tags, geom)
            if is_street:
                lines = shapely.MultiLineString([geom]) if geom.geom_type == "LineString" else geom
                self._save("streets", Street, ref, {
                    "name": tags["name"][:255], "kind": tags["highway"][:40],
                    "geom": to_geos(lines)})
            if has_address:
                point = geom if geom.geom_type == "Point" else geom.representative_point()
                label = f"{tags['addr:housenumber']} {tags['addr:street']}"
                self._save("addresses", AddressPoint, ref, {
                    "civic_number": tags["addr:housenumber"][:20],
                    "street": tags["addr:street"][:255], "city": tags.get("addr:city", "")[:100],
                    "search_text": normalize(label)[:300], "geom": to_geos(point)})
        self.earlier_files |= this_file

    def _place(self, ref, category, tags, geom):
        address = ""
        if tags.get("addr:housenumber") and tags.get("addr:street"):
            address = f"{tags['addr:housenumber']} {tags['addr:street']}"[:255]
        if geom.geom_type not in ("Point", "Polygon", "MultiPolygon"):
            geom = geom.centroid
        self._save("places", Place, ref, {
            "category_id": category.pk, "name": tags.get("name", "")[:255], "address": address,
            "geom": to_geos(geom)}, source="osm")

    def _save(self, kind, model, ref, values, **identity):
        self.counts[kind] += 1
        row = self.rows[kind].get(ref)
        if row is None:
            self.syncers[kind].seen(ref)
            self.rows[kind][ref] = model.objects.create(source_id=ref, **identity, **values)
            self.report.created += 1
            return
        changed = [k for k, v in values.items() if not _same(getattr(row, k), v)]
        self.syncers[kind].seen(ref, changed=bool(changed))
        if not changed:
            self.unchanged += 1
            return
        for k in changed:
            setattr(row, k, values[k])
        row.save(update_fields=changed)
        self.report.updated += 1

    def why_nothing(self, paths, tag_table):
        names = ", ".join(p.name for p in paths)
        if not self.useful:
            return _("No element of %(name)s is a named street (highway and name), an address "
                     "(addr:housenumber and addr:street) or a place of the tag table "
                     "(%(table)s): nothing to import. Nothing was saved.") % {
                "name": names, "table": Path(tag_table).name}
        if self.outside and self.outside == self.useful:
            return _("None of the %(n)d streets, addresses and places of %(name)s is inside "
                     "the territory: is it the extract of another town? Nothing was saved.") % {
                "n": self.useful, "name": names}
        reasons = "; ".join(f"{reason} ({len(refs)})"
                            for reason, refs in self.report.skipped_by_reason().items())
        return _("Nothing of %(name)s could be imported: %(reasons)s. Nothing was saved.") % {
            "name": names, "reasons": reasons or "-"}


def _same(old, new):
    if hasattr(new, "equals_exact"):  # a geometry: equal within a millimetre
        return (old is not None and old.geom_type == new.geom_type
                and old.equals_exact(new, GEOMETRY_TOLERANCE))
    return old == new
