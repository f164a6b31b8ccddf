"""Import places from any GIS file (`import_places`): all of one category (`category`), or each
by the value of a type column (`category_field`) through a mapping file (`category_map`) from the
source's values to our category slugs.

The mapping file: a CSV with a header line `value,category` (lines starting with # are
comments), or a JSON object {"value": "category", ...}. A value mapped to an empty category is
deliberately left out (its rows are skipped, counted under that reason). A row whose value the
mapping does not name is skipped and reported, with the count of each such value; it is never
filed under a default category.

The places of one source (the file's name, and its layer in a multi-layer source) are kept in
step with it (core.importers.sync.Syncer): a place the file no longer holds is reported and
removed with --commit; a file that would remove or change more than --max-change of them is
refused unless --force. Without `id_field` a feature is known by its position in the file."""
import csv
import hashlib
import json
from pathlib import Path

import shapely
from django.db import transaction
from django.utils.translation import gettext as _

from core.importers import ImportFailed, ImportReport
from core.importers.sync import DEFAULT_MAX_SHARE, Syncer
from geo.models import Place, PlaceCategory

from .gisfile import read_gis_file, require_field, territory_filter, to_geos

NAME_FIELDS = ("name", "nom", "NOM", "Name", "NAME", "toponyme")
ADDRESS_FIELDS = ("address", "adresse", "ADRESSE", "Address")
# Columns that usually say what a feature is: with --category, a file that has one with several
# values is most likely not all of one category (car parks filed as schools): said in the report.
TYPE_FIELDS = ("type", "TYPE", "Type", "category", "categorie", "catégorie", "CATEGORIE",
               "amenity", "genre", "GENRE", "usage", "USAGE", "nature", "NATURE")
SOURCE_MAX = Place._meta.get_field("source").max_length
SAME_GEOMETRY_M = 0.001  # a re-read geometry within 1 mm of the stored one is unchanged


def import_places(path, *, category: str | None = None, category_field: str | None = None,
                  category_map=None, commit: bool = False, source_srid: int | None = None,
                  id_field: str | None = None, name_field: str | None = None,
                  layer: str | None = None, force: bool = False,
                  max_share: float = DEFAULT_MAX_SHARE) -> ImportReport:
    report = ImportReport()
    categories = {c.slug: c for c in PlaceCategory.objects.all()}
    if bool(category) == bool(category_field):
        raise ImportFailed(_("Give either --category (every place of the file in one category) "
                             "or --category-field with --category-map (each place by the value "
                             "of a type column)."))
    if category_field and not category_map:
        raise ImportFailed(_("--category-field needs --category-map: the file that maps the "
                             "values of %(field)s to the place categories.")
                           % {"field": category_field})
    if category and category not in categories:
        raise ImportFailed(_("Unknown category %(slug)s. Known categories: %(known)s")
                           % {"slug": category, "known": ", ".join(categories)})
    mapping = load_category_map(category_map, categories) if category_field else None
    gdf = read_gis_file(path, report, source_srid=source_srid, layer=layer)
    if id_field:
        require_field(gdf, id_field, "--id-field")
    else:
        report.notes.append(_("No --id-field: each feature is matched with the places already "
                              "loaded from this file by its position in the file."))
    if category_field:
        require_field(gdf, category_field, "--category-field")
    if name_field:
        require_field(gdf, name_field, "--name-field")
    name_field = name_field or next((f for f in NAME_FIELDS if f in gdf.columns), None)
    address_field = next((f for f in ADDRESS_FIELDS if f in gdf.columns), None)
    if category:
        _warn_type_columns(gdf, report, category)
    inside = territory_filter(report)
    source = source_key(gdf.attrs.get("source_name") or Path(path).name,
                        gdf.attrs.get("layer") if gdf.attrs.get("layer_count", 1) > 1 else None)

    rows = Place.objects.filter(source=source)
    if category:
        rows = rows.filter(category=categories[category])
    existing = {r.source_id: r for r in rows.select_related("category")}
    syncer = Syncer(rows, "source_id", report, _("places"), max_share=max_share, force=force)
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
            if mapping is not None:
                value = _value(getattr(row, category_field))
                if value == "":
                    report.skip(ref, _("no value in the field %(field)s")
                                % {"field": category_field})
                    continue
                if value not in mapping:
                    report.skip(ref, _("value “%(value)s” of %(field)s is not in the mapping")
                                % {"value": value, "field": category_field})
                    continue
                if mapping[value] is None:
                    report.skip(ref, _("value “%(value)s” of %(field)s: left out by the mapping")
                                % {"value": value, "field": category_field})
                    continue
                cat = mapping[value]
            else:
                cat = categories[category]
            source_id = _value(getattr(row, id_field)) if id_field else f"#{n}"
            if not source_id:
                report.skip(ref, _("no identifier in the field %(field)s") % {"field": id_field})
                continue
            if source_id in seen:  # would overwrite the first one's place
                report.skip(ref, _("identifier %(id)s already used by feature %(n)d")
                            % {"id": source_id, "n": seen[source_id]})
                continue
            seen[source_id] = n
            values = {"name": _text(getattr(row, name_field, "") if name_field else ""),
                      "address": _text(getattr(row, address_field, "") if address_field else ""),
                      "category": cat}
            place = existing.get(source_id)
            changed = place is not None and _differs(place, values, geom)
            syncer.seen(source_id, changed=changed)
            if place is None:
                Place.objects.create(source=source, source_id=source_id, geom=to_geos(geom),
                                     **values)
                report.created += 1
            else:
                if changed:
                    for key, value in values.items():
                        setattr(place, key, value)
                    place.geom = to_geos(geom)
                    place.save()
                report.updated += 1
        syncer.finish(commit=commit)
        report.committed = commit
        if not commit:
            transaction.set_rollback(True)
    return report


def load_category_map(path, categories: dict) -> dict:
    """{source value: PlaceCategory, or None for a value left out on purpose}, from a CSV
    (`value,category`) or a JSON object. Every category it names must exist."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFailed(_("The mapping file %(name)s cannot be read (%(error)s).")
                           % {"name": path.name, "error": exc}) from exc
    if path.suffix.lower() == ".json":
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportFailed(_("The mapping file %(name)s is not valid JSON (%(error)s).")
                               % {"name": path.name, "error": exc}) from exc
        if not isinstance(raw, dict):
            raise ImportFailed(_("The mapping file %(name)s must be a JSON object "
                                 "whose keys are the values and whose values are the "
                                 "categories.") % {"name": path.name})
        pairs = [(str(k), "" if v is None else str(v)) for k, v in raw.items()]
    else:
        reader = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
        if not reader.fieldnames or not {"value", "category"} <= set(reader.fieldnames):
            raise ImportFailed(_("The mapping file %(name)s must be a CSV whose first line is "
                                 "value,category.") % {"name": path.name})
        pairs = [((r["value"] or "").strip(), (r["category"] or "").strip()) for r in reader]
    unknown = sorted({slug for _value, slug in pairs if slug and slug not in categories})
    if unknown:
        raise ImportFailed(_("The mapping file %(name)s names unknown categories: %(unknown)s. "
                             "Known categories: %(known)s")
                           % {"name": path.name, "unknown": ", ".join(unknown),
                              "known": ", ".join(categories)})
    if not pairs:
        raise ImportFailed(_("The mapping file %(name)s maps no value.") % {"name": path.name})
    return {value.strip(): categories[slug] if slug else None for value, slug in pairs}


def _warn_type_columns(gdf, report, category):
    for field in TYPE_FIELDS:
        if field in gdf.columns:
            values = gdf[field].dropna().astype(str).str.strip()
            counts = values[values != ""].value_counts()
            if len(counts) > 1:
                shown = ", ".join(f"{v} ({n})" for v, n in counts.head(10).items())
                report.notes.append(_(
                    "Warning: every feature is filed under %(category)s, but the field "
                    "%(field)s has %(n)d different values (%(values)s). To file each feature "
                    "by its type, use --category-field %(field)s with --category-map.")
                    % {"category": category, "field": field, "n": len(counts),
                       "values": shown})


def source_key(name: str, layer: str | None) -> str:
    """What Place.source holds for a file (and its layer): within the column's length, a long
    name kept recognisable and unique by a short hash."""
    key = f"file:{name}" + (f":{layer}" if layer else "")
    if len(key) > SOURCE_MAX:
        digest = hashlib.sha1(key.encode()).hexdigest()[:8]
        key = f"{key[:SOURCE_MAX - 9]}~{digest}"
    return key


def _differs(place, values, geom) -> bool:
    if any(getattr(place, key) != value for key, value in values.items()):
        return True
    stored = shapely.from_wkb(bytes(place.geom.wkb))
    return not shapely.equals_exact(stored, geom, tolerance=SAME_GEOMETRY_M)


def _value(value) -> str:
    """A field's value as the text to match: a number read as 12.0 is "12"."""
    if value is None or (isinstance(value, float) and value != value):  # NaN
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _text(value):
    if value is None or (isinstance(value, float) and value != value):  # NaN
        return ""
    return str(value)[:255]
