"""The test database is a real PostGIS one (the project's local cluster, or DATABASE_URL), loaded
once per session with the Pincourt demo through the real importers."""
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
DEMO = Path(__file__).parent.parent / "data" / "pincourt"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from demo.loader import demo_loaded, load_demo

    with django_db_blocker.unblock():
        # Speed over durability for the throw-away test database only (the cluster itself is
        # durable: scripts/db.sh); new connections (the e2e site's threads) inherit it.
        from django.db import connection

        name = connection.ops.quote_name(connection.settings_dict["NAME"])
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
            cursor.execute(f"ALTER DATABASE {name} SET synchronous_commit = off")
        if not demo_loaded():
            load_demo(log=lambda *args: None)


@pytest.fixture
def data_dir():
    return DATA


@pytest.fixture
def demo_dir():
    return DEMO


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in French, the site's default: a request to /en/... leaves English
    active in the thread, and reverse() would then build /en/ URLs for the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _clear_cache_committed():
    """cache.clear() from a thread of its own (its own connection, autocommit). In the test's
    transaction the DELETE would lock the rows until the test ends, and a site thread writing
    one of those keys (a sign-in throttle count) would wait for it."""
    import threading

    def run():
        from django.core.cache import cache
        from django.db import connection

        try:
            cache.clear()
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()


@pytest.fixture
def clear_shared_cache(django_db_blocker):
    """A function that empties the default cache (a table of the test database) for the
    servers that tests run in threads or processes."""
    def clear():
        with django_db_blocker.unblock():
            _clear_cache_committed()
    return clear


@pytest.fixture(autouse=True)
def _no_cache_rows_left(request, django_db_blocker):
    """The default cache is a table of the test database (CACHE_URL=dbcache://...). A test in a
    transaction leaves nothing in it (rolled back), but a test whose server commits (the e2e
    site, live_server, transactional_db) would leave sign-in throttle counts to the next ones."""
    yield
    if {"transactional_db", "live_server", "site_url"} & set(request.fixturenames):
        with django_db_blocker.unblock():
            _clear_cache_committed()
