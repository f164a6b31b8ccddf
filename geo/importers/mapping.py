"""What the address and street importers share: the file's fields named by the clerk checked
against the layer's columns (the error lists them), and a field's value as text."""

from .gisfile import columns, require_field


def field_list(value: str | None) -> list[str]:
    """"TYPE_VOIE,NOM_VOIE" -> ["TYPE_VOIE", "NOM_VOIE"] (a street written over several
    fields, as Quebec's municipal address layers do); None -> []."""
    return [f.strip() for f in (value or "").split(",") if f.strip()]


def require_fields(gdf, **options) -> None:
    """Each option (`number_field=["NO_CIVIQUE"]`...) names fields the layer must have
    (gisfile.require_field: the error names the option, the field and the layer's columns)."""
    for option, fields in options.items():
        for name in fields:
            require_field(gdf, name, "--" + option.replace("_", "-"))


def guess_field(gdf, candidates) -> str | None:
    have = {c.lower(): c for c in columns(gdf)}
    return next((have[c.lower()] for c in candidates if c.lower() in have), None)


def text(value, max_length=255) -> str:
    """A field's value as text: blank for a missing value (None, NaN), "12" for 12.0 (a civic
    number stored as a real number, as Shapefiles often do)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())[:max_length]


def joined(row, fields, max_length=255) -> str:
    return " ".join(t for t in (text(row.get(f)) for f in fields) if t)[:max_length]
