"""Street centre lines from any GIS file (`import_streets`): a town's road network layer, AQréseau's
segments... with the clerk's field names (`--name-field`, `--id-field`,
`--kind-field`). All or nothing, a dry run unless commit; each line keeps its `source`, and a new
file of the same source retires the lines it no longer holds (core.importers.sync.Syncer)."""
from pathlib import Path

import shapely
from django.db import transaction
from django.utils.translation import gettext as _

from core.importers import ImportFailed, ImportReport
from core.importers.sync import DEFAULT_MAX_SHARE, Syncer
from geo.models import Street

from .gisfile import columns, read_gis_file, territory_filter, to_geos
from .mapping import field_list, guess_field, joined, require_fields, text

NAME_FIELDS = ("name", "nom", "NOM_VOIE", "NOM_RUE", "ODONYME", "nom_topo")
BATCH = 1000


def import_streets(path, *, name_field: str | None = None, id_field: str | None = None,
                   kind_field: str | None = None, commit: bool = False,
                   layer: str | None = None, source_srid: int | None = None,
                   source: str | None = None, force: bool = False,
                   max_share: float = DEFAULT_MAX_SHARE) -> ImportReport:
    """`name_field` may name several fields, comma-separated ("TYPE_VOIE,NOM_VOIE"). Without
    `id_field`, a line is identified by its rank in the file: a re-import of the same file
    updates it, but a file in another order would replace every line."""
    report = ImportReport()
    path = Path(path)
    gdf = read_gis_file(path, report, source_srid=source_srid, layer=layer)
    name_fields = field_list(name_field) or [f for f in [guess_field(gdf, NAME_FIELDS)] if f]
    if not name_fields:
        raise ImportFailed(_("%(name)s has no street name field among %(known)s: give it with "
                             "--name-field. Its fields: %(columns)s. Nothing was saved.") % {
            "name": path.name, "known": ", ".join(NAME_FIELDS),
            "columns": ", ".join(columns(gdf))})
    require_fields(gdf, name_field=name_fields, id_field=[id_field] if id_field else [],
                   kind_field=[kind_field] if kind_field else [])
    inside = territory_filter(report)
    source = source or f"file:{path.name}"
    if not id_field:
        report.notes.append(_("No --id-field: each line is identified by its rank in the file."))

    with transaction.atomic():
        rows = Street.objects.filter(source=source)
        existing = {s.source_id: s for s in rows}
        sync = Syncer(rows, "source_id", report, _("streets"), max_share=max_share, force=force)
        new, changed = [], []
        for n, row in enumerate(gdf.to_dict("records"), start=1):
            ref = _("feature %(n)d") % {"n": n}
            key = text(row.get(id_field), 100) if id_field else f"#{n}"
            if id_field and key:
                ref = f"{ref} ({id_field} {key})"
            lines = _lines(row.get("geometry"))
            if lines is None:
                geom = row.get("geometry")
                report.skip(ref, _("not a line (%(type)s)") % {
                    "type": geom.geom_type if geom is not None else _("no geometry")})
                continue
            if not key:
                report.skip(ref, _("no identifier"))
                continue
            if inside is not None and not inside(lines):
                report.skip(ref, _("outside the territory"))
                continue
            values = {"name": joined(row, name_fields),
                      "kind": text(row.get(kind_field), 40) if kind_field else ""}
            old = existing.get(key)
            differs = old is not None and (
                any(getattr(old, k) != v for k, v in values.items())
                or not shapely.equals_exact(shapely.from_wkb(bytes(old.geom.wkb)), lines, 0.001))
            if not sync.seen(key, changed=differs):
                continue
            if old is None:
                new.append(Street(source=source, source_id=key, geom=to_geos(lines), **values))
                report.created += 1
            elif differs:
                old.name, old.kind, old.geom = values["name"], values["kind"], to_geos(lines)
                changed.append(old)
                report.updated += 1
        Street.objects.bulk_create(new, batch_size=BATCH)
        Street.objects.bulk_update(changed, ["name", "kind", "geom"], batch_size=BATCH)
        sync.finish(commit=commit)
        report.committed = commit
        if not commit:
            transaction.set_rollback(True)
    return report


def _lines(geom):
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type == "LineString":
        return shapely.MultiLineString([geom])
    return geom if geom.geom_type == "MultiLineString" else None
