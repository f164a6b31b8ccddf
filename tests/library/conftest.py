"""A library system on a local port (tests/library/ils.py) and the site's settings pointed at
it; citizens with a confirmed e-mail address."""
import socket

import pytest

from tests.library.ils import FakeIls

PASSWORD = "x-Citoyenne-2026!"
ALICE_CARD, ALICE_PIN = "23529000445172", "1234"
BLOCKED_CARD, BLOCKED_PIN = "23529000445180", "0000"
LEA_CARD, LEA_PIN = "23529000445198", "4321"


def point_at(settings, port, **extra):
    settings.GUICHET_LIBRARY_SIP2 = {
        "host": "127.0.0.1", "port": port, "tls": False, "tls_ca": "", "user": "",
        "password": "", "location": "", "institution": "PINCOURT", "terminal_password": "",
        "encoding": "latin-1", "checksums": True, **extra}


@pytest.fixture
def ils(settings):
    server = FakeIls().start()
    point_at(settings, server.port)
    settings.GUICHET_LIBRARY_TIMEOUT_S = 0.5
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def closed_port():
    """A local port nothing listens on (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def make_citizen(django_user_model):
    from allauth.account.models import EmailAddress

    def make(email_address: str):
        user = django_user_model.objects.create_user(
            username=email_address.split("@")[0], email=email_address, password=PASSWORD)
        EmailAddress.objects.create(user=user, email=email_address, primary=True, verified=True)
        return user

    return make


@pytest.fixture(autouse=True)
def _empty_cache(request):
    """The library's breaker and records live in the cache (a table of the test database):
    each test starts with none."""
    if "db" in request.fixturenames or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
        from django.core.cache import cache

        cache.clear()
