"""System checks of the storage CRS (issue 12, "the SRID promise"): GUICHET_SRID must be a
projected CRS in metres (distances, buffers and areas are computed in it), and the geometry
columns already in the database must be in it. `manage.py check` runs the first; `migrate` (and
`check --database default`) the second, before anything is written."""
from django.apps import apps
from django.conf import settings
from django.contrib.gis.db.models import GeometryField
from django.core import checks
from django.db import DatabaseError, connections


@checks.register()
def srid_is_projected_in_metres(app_configs=None, **kwargs):
    from django.contrib.gis.gdal import GDALException, SpatialReference

    srid = settings.GUICHET_SRID
    try:
        srs = SpatialReference(srid)
    except (GDALException, TypeError, ValueError):
        return [checks.Error(f"GUICHET_SRID={srid!r} is not a known EPSG code.",
                             hint="Set GUICHET_SRID to the projected CRS of the town's maps, "
                                  "e.g. 32188 (NAD83 / MTM zone 8).", id="guichet.E001")]
    if not srs.projected or srs.units[1].lower() not in ("metre", "meter"):
        return [checks.Error(
            f"GUICHET_SRID={srid} ({srs.name}) is not a projected CRS in metres: distances "
            f"and areas would be wrong.",
            hint="Choose the town's projected CRS in metres: an MTM zone (EPSG:32181-32190, "
                 "2943-2952) or a UTM zone (EPSG:326xx, 269xx).", id="guichet.E002")]
    return []


@checks.register(checks.Tags.database)
def geometry_columns_match_the_srid(app_configs=None, databases=None, **kwargs):
    if not databases:
        return []
    wanted = {(model._meta.db_table, field.column): field.srid
              for model in apps.get_models() for field in model._meta.concrete_fields
              if isinstance(field, GeometryField)}
    errors = []
    for alias in databases:
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT f_table_name, f_geometry_column, srid FROM geometry_columns "
                               "WHERE f_table_schema = current_schema()")
                found = cursor.fetchall()
        except DatabaseError:  # no PostGIS yet, or no database: migrate will say so
            continue
        for table, column, srid in found:
            expected = wanted.get((table, column))
            if expected is not None and srid not in (0, expected):
                errors.append(checks.Error(
                    f"{table}.{column} is stored in EPSG:{srid}, not in GUICHET_SRID={expected}.",
                    hint=f"Set GUICHET_SRID={srid} for this database, or load the town into a "
                         f"new database with GUICHET_SRID={expected}.", id="guichet.E003"))
    return errors
