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


@pytest.mark.django_db
def test_no_statement_runs_longer_than_the_setting_but_an_import_command_may(settings):
    """Bounded work per request (issue 11): the connection's statement_timeout comes from
    GUICHET_STATEMENT_TIMEOUT_MS (PostgreSQL then cancels a runaway query, freeing the worker);
    an import command, which is not a request, lifts it for its own connection."""
    from core.importers.command import ImportCommand

    expected = f"{settings.GUICHET_STATEMENT_TIMEOUT_MS // 1000}s"
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == expected
    ImportCommand().run_importer(lambda: type("R", (), {"render": lambda self: ""})())
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"
        cursor.execute(f"SET statement_timeout = {settings.GUICHET_STATEMENT_TIMEOUT_MS}")
