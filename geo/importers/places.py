"""Import places of one category from any GIS file (`import_places`)."""
from django.db import transaction
from django.utils.translation import gettext as _

from core.importers import ImportFailed, ImportReport
from geo.models import Place, PlaceCategory

from .gisfile import read_gis_file, territory_filter, to_geos

NAME_FIELDS = ("name", "nom", "NOM", "Name", "NAME", "toponyme")
ADDRESS_FIELDS = ("address", "adresse", "ADRESSE", "Address")


def import_places(path, *, category: str, commit: bool = False, source_srid: int | None = None,
                  id_field: str | None = None, name_field: str | None = None,
                  layer: str | None = None) -> ImportReport:
    report = ImportReport()
    try:
        cat = PlaceCategory.objects.get(slug=category)
    except PlaceCategory.DoesNotExist:
        known = ", ".join(PlaceCategory.objects.values_list("slug", flat=True))
        raise ImportFailed(_("Unknown category %(slug)s. Known categories: %(known)s")
                           % {"slug": category, "known": known}) from None
    gdf = read_gis_file(path, report, source_srid=source_srid, layer=layer)
    if id_field and id_field not in gdf.columns:
        raise ImportFailed(_("The file has no field %(field)s.") % {"field": id_field})
    name_field = name_field or next((f for f in NAME_FIELDS if f in gdf.columns), None)
    address_field = next((f for f in ADDRESS_FIELDS if f in gdf.columns), None)
    inside = territory_filter(report)
    source = f"file:{gdf.attrs.get('source_name') or str(path).rsplit('/', 1)[-1]}"

    seen = {}  # source_id: the feature that has it
    with transaction.atomic():
        for n, row in enumerate(gdf.itertuples(index=False), start=1):
            geom = row.geometry
            ref = _("feature %(n)d") % {"n": n}
            if geom is None or geom.is_empty:
                report.skip(ref, _("no geometry"))
                continue
            if inside is not None and not inside(geom):
                report.skip(ref, _("outside the territory"))
                continue
            if geom.geom_type not in ("Point", "Polygon", "MultiPolygon", "MultiPoint"):
                report.skip(ref, _("unsupported geometry type %(t)s") % {"t": geom.geom_type})
                continue
            source_id = str(getattr(row, id_field)) if id_field else f"#{n}"
            if source_id in seen:  # would overwrite the first one's place
                report.skip(ref, _("identifier %(id)s already used by feature %(n)d")
                            % {"id": source_id, "n": seen[source_id]})
                continue
            seen[source_id] = n
            values = {
                "name": _text(getattr(row, name_field, "") if name_field else ""),
                "address": _text(getattr(row, address_field, "") if address_field else ""),
                "geom": to_geos(geom),
            }
            _obj, created = Place.objects.update_or_create(
                source=source, source_id=source_id, category=cat, defaults=values)
            if created:
                report.created += 1
            else:
                report.updated += 1
        report.committed = commit
        if not commit:
            transaction.set_rollback(True)
    return report


def _text(value):
    if value is None or (isinstance(value, float) and value != value):  # NaN
        return ""
    return str(value)[:255]
