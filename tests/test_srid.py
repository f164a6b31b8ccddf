"""The SRID promise (issue 12): the storage CRS is GUICHET_SRID everywhere. No migration names
an SRID of its own (service_requests' first migration said 32188: under another GUICHET_SRID
every report was a 500); a system check refuses a CRS that is not projected in metres, and one
that differs from the geometry columns already in the database. `make test` runs the spatial and
request tests a second time under another SRID (Makefile: SRID_CHECK)."""
import re
from pathlib import Path

import pytest
from django.db import connection, transaction

from core.checks import geometry_columns_match_the_srid, srid_is_projected_in_metres

ROOT = Path(__file__).resolve().parent.parent


def test_no_migration_names_an_srid_of_its_own():
    hard_coded = [f"{path.relative_to(ROOT)}: {match.group(0)}"
                  for path in ROOT.glob("*/migrations/*.py")
                  for match in re.finditer(r"srid\s*=\s*\d+", path.read_text())]
    assert hard_coded == []


@pytest.mark.parametrize("srid, problem", [
    (4326, "guichet.E002"),  # degrees: a 300 m radius would be 300 degrees
    (2263, "guichet.E002"),  # New York State Plane: projected, in US feet
    (999999, "guichet.E001"),
    (32188, None), (32187, None), (32618, None),
])
def test_the_storage_crs_must_be_projected_in_metres(settings, srid, problem):
    settings.GUICHET_SRID = srid
    assert [e.id for e in srid_is_projected_in_metres()] == ([problem] if problem else [])


@pytest.mark.django_db
def test_a_database_in_another_crs_is_refused_before_anything_is_written(settings):
    assert geometry_columns_match_the_srid(databases=["default"]) == []
    other = 32188 if settings.GUICHET_SRID != 32188 else 32618
    with transaction.atomic():
        with connection.cursor() as cursor:  # as if the town had been loaded in another CRS
            cursor.execute("ALTER TABLE geo_street ALTER COLUMN geom TYPE "
                           f"geometry(MultiLineString, {other}) USING ST_Transform(geom, {other})")
        errors = geometry_columns_match_the_srid(databases=["default"])
        transaction.set_rollback(True)
    assert [e.id for e in errors] == ["guichet.E003"]
    assert "geo_street.geom" in errors[0].msg and f"GUICHET_SRID={other}" in errors[0].hint
