"""Civic address points from any GIS file (`import_addresses`): a municipal address layer, Adresses
Québec, a CSV of lon/lat... with the clerk's field names (`--number-field`, `--street-field`,
`--id-field`, `--city-field`).

All or nothing; a dry run unless commit. Each point keeps its `source`, so OpenStreetMap's points
and a town's own layer live side by side, and a new file of the same source retires the points it
no longer holds (core.importers.sync.Syncer: reported, removed on --commit; a file that would
delete or change more than --max-change of them is refused unless --force)."""
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from core.importers import ImportFailed, ImportReport
from core.importers.sync import DEFAULT_MAX_SHARE, Syncer
from geo.addresses import normalize
from geo.models import AddressPoint

from .gisfile import read_gis_file, territory_filter, to_geos
from .mapping import field_list, joined, require_fields, text

BATCH = 1000


def import_addresses(path, *, number_field: str, street_field: str, commit: bool = False,
                     id_field: str | None = None, city_field: str | None = None,
                     layer: str | None = None, source_srid: int | None = None,
                     source: str | None = None, force: bool = False,
                     max_share: float = DEFAULT_MAX_SHARE) -> ImportReport:
    """`street_field` may name several fields, comma-separated ("TYPE_VOIE,LIEN_VOIE,NOM_VOIE"),
    joined with spaces. Without `id_field`, a point is identified by its address (number,
    street and city): two points with the same address are then reported as duplicates."""
    report = ImportReport()
    path = Path(path)
    if not number_field or not street_field:
        raise ImportFailed(_("Give the fields of the civic number and of the street with "
                             "--number-field and --street-field."))
    street_fields = field_list(street_field)
    gdf = read_gis_file(path, report, source_srid=source_srid, layer=layer)
    require_fields(gdf, number_field=[number_field], street_field=street_fields,
                   id_field=[id_field] if id_field else [],
                   city_field=[city_field] if city_field else [])
    inside = territory_filter(report)
    source = source or f"file:{path.name}"

    with transaction.atomic():
        rows = AddressPoint.objects.filter(source=source)
        existing = {p.source_id: p for p in rows}
        sync = Syncer(rows, "source_id", report, _("address points"), max_share=max_share,
                      force=force)
        new, changed = [], []
        for n, row in enumerate(gdf.to_dict("records"), start=1):
            ref = _("feature %(n)d") % {"n": n}
            number = text(row.get(number_field), 20)
            street = joined(row, street_fields)
            city = text(row.get(city_field), 100) if city_field else ""
            key = (text(row.get(id_field), 100) if id_field
                   else normalize(f"{number} {street} {city}")[:100])
            if id_field and key:
                ref = f"{ref} ({id_field} {key})"
            point = _point(row.get("geometry"))
            if point is None:
                report.skip(ref, _("no point geometry"))
                continue
            if not number or not street:
                report.skip(ref, _("no civic number or no street"))
                continue
            if not key:
                report.skip(ref, _("no identifier"))
                continue
            if inside is not None and not inside(point):
                report.skip(ref, _("outside the territory"))
                continue
            values = {"civic_number": number, "street": street, "city": city,
                      "search_text": normalize(f"{number} {street}")[:300]}
            old = existing.get(key)
            differs = old is not None and _differs(old, values, point)
            if not sync.seen(key, changed=differs):
                continue
            if old is None:
                new.append(AddressPoint(source=source, source_id=key, geom=to_geos(point),
                                        **values))
                report.created += 1
            elif differs:
                for name, value in values.items():
                    setattr(old, name, value)
                old.geom = to_geos(point)
                changed.append(old)
                report.updated += 1
        AddressPoint.objects.bulk_create(new, batch_size=BATCH)
        AddressPoint.objects.bulk_update(
            changed, ["civic_number", "street", "city", "search_text", "geom"], batch_size=BATCH)
        unchanged = len(sync.seen_keys) - report.created - report.updated
        sync.finish(commit=commit)
        report.notes.append(_("Address points of source %(source)s: %(new)d new, %(changed)d "
                              "changed, %(same)d unchanged") % {
            "source": source, "new": report.created, "changed": report.updated,
            "same": unchanged})
        report.committed = commit
        if not commit:
            transaction.set_rollback(True)
    return report


def _point(geom):
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type == "MultiPoint" and len(geom.geoms) == 1:
        return geom.geoms[0]
    return geom if geom.geom_type == "Point" else None


def _differs(old, values, point) -> bool:
    if any(getattr(old, name) != value for name, value in values.items()):
        return True
    return abs(old.geom.x - point.x) > 0.001 or abs(old.geom.y - point.y) > 0.001
