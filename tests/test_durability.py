"""Durable by default (issue 11): the bundled cluster (scripts/db.sh) keeps fsync and
synchronous_commit on, so that a report answered "accepted" survives a crash; only the tests'
own database turns synchronous_commit off (tests/conftest.py)."""
import pytest
from django.db import connection


@pytest.mark.django_db
def test_the_cluster_is_durable_and_only_the_test_database_is_not():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('fsync'), current_setting('full_page_writes')")
        assert cursor.fetchone() == ("on", "on")
        # The cluster's own configuration files, whatever a database or session overrides.
        cursor.execute("SELECT name, setting FROM pg_file_settings WHERE applied AND name IN "
                       "('fsync', 'synchronous_commit', 'full_page_writes')")
        assert [row for row in cursor.fetchall() if row[1] != "on"] == []
        cursor.execute("SELECT setconfig FROM pg_db_role_setting s JOIN pg_database d "
                       "ON d.oid = s.setdatabase WHERE d.datname = 'guichet'")
        assert all("synchronous_commit=off" not in (row[0] or []) for row in cursor.fetchall())
