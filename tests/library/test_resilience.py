"""Never slow, never down because of the library: the circuit breaker (its state in the shared
cache), the record page when the system is down, slow or answers garbage, and the dashboard,
which never calls the library's system, rendering with the message at its usual speed."""
import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from library import resilience
from library.connectors.base import IlsUnavailable
from library.models import LibraryCard
from tests.library.conftest import ALICE_CARD, ALICE_PIN, point_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(client, make_citizen, ils):
    """A citizen with her home (a property card on the dashboard, as usual) and her card."""
    from citizens.models import PropertyLink
    from properties.models import Property

    user = make_citizen("alice.panne@example.org")
    PropertyLink.objects.create(user=user, property=Property.objects.exclude(parcel=None)
                                .order_by("pk")[3], role="owner", status="verified",
                                method="code")
    client.force_login(user)
    client.post(reverse("library:card_add"),
                {"holder": "me", "barcode": ALICE_CARD, "pin": ALICE_PIN})
    return user, LibraryCard.objects.get(user=user)


def test_the_breaker_opens_after_n_failures_and_then_calls_nothing(ils, settings):
    settings.GUICHET_LIBRARY_BREAKER_FAILURES = 3
    ils.mode = "garbage"
    for _ in range(3):
        with pytest.raises(IlsUnavailable):
            resilience.call("patron_info", ALICE_CARD, ALICE_PIN)
    assert resilience.is_open() and ils.connections == 3
    ils.mode = "ok"
    with pytest.raises(IlsUnavailable):  # open: not even tried
        resilience.call("patron_info", ALICE_CARD, ALICE_PIN)
    assert ils.connections == 3


def test_half_open_one_failure_reopens_one_success_closes(ils, settings):
    settings.GUICHET_LIBRARY_BREAKER_FAILURES = 2
    ils.mode = "garbage"
    for _ in range(2):
        with pytest.raises(IlsUnavailable):
            resilience.call("patron_info", ALICE_CARD, ALICE_PIN)
    cache.delete(resilience.OPEN)  # as when GUICHET_LIBRARY_BREAKER_OPEN_S has passed
    with pytest.raises(IlsUnavailable):
        resilience.call("patron_info", ALICE_CARD, ALICE_PIN)
    assert resilience.is_open()  # one failure after a trip opens it again at once
    cache.delete(resilience.OPEN)
    ils.mode = "ok"
    assert resilience.call("patron_info", ALICE_CARD, ALICE_PIN).pin_ok
    assert not resilience.failing() and cache.get(resilience.TRIPPED) is None


def test_the_breakers_state_is_the_shared_caches(ils):
    """Another worker process opened it: this one, reading the same cache, calls nothing."""
    cache.set(resilience.OPEN, True, 60)  # what another process's _failed() writes
    with pytest.raises(IlsUnavailable):
        resilience.call("patron_info", ALICE_CARD, ALICE_PIN)
    assert ils.connections == 0


@pytest.mark.parametrize("trouble", ["down", "slow", "garbage"])
def test_the_record_page_says_so_and_the_dashboard_never_waits_for_the_library(
        client, alice, ils, settings, closed_port, trouble):
    user, card = alice
    dashboard = reverse("portal:dashboard")

    def fetch(url, n=3):
        for _ in range(n):
            response = client.get(url)
            assert response.status_code == 200
        return response.content.decode()

    client.get(dashboard)  # warm up
    page = fetch(dashboard)  # the card's line from the cache (a healthy system)
    assert "3 prêts" in page
    if trouble == "down":
        point_at(settings, closed_port)
    elif trouble == "slow":
        ils.mode, ils.delay = "slow", 2.0  # far past the 0.5 s timeout
    else:
        ils.mode = "garbage"
    resilience.forget_record(card.pk)  # the cached record has run out
    started = time.perf_counter()
    record = client.get(reverse("library:record", args=[card.pk]))
    # it gave up before the slow system's answer (2 s): the timeout, not the library, decides
    assert time.perf_counter() - started < 2.0
    assert record.status_code == 200
    html = record.content.decode()
    assert "Le système de la bibliothèque ne répond pas; réessayez plus tard." in html
    assert "Supprimer mon compte" not in html and "Retirer cette carte" in html  # the rest
    connections = ils.connections
    page = fetch(dashboard)
    assert 'data-testid="library-unavailable"' in page
    assert "Mes propriétés" in page and "Mes demandes" in page  # the rest of the dashboard
    # The dashboard never calls the library: it reads the short cache only (its speed with the
    # library down is measured in bench/library_dashboard.py, not here).
    assert ils.connections == connections
    me = client.get("/api/me/").json()
    assert me["library"][0]["status"] == "unavailable"


def test_the_dashboard_reads_the_cache_only_whether_the_system_answers_or_not(client, alice,
                                                                            ils, settings):
    """The states bench/library_dashboard.py times, checked without timing them: the record
    cached, the line shows the loans, the system up or down; the record expired, the line says
    to open the card while nothing is known to fail, and that the system does not answer once
    the record page has opened the breaker. The dashboard never connects to the system."""
    user, card = alice
    ils.mode, ils.delay = "slow", 0.02  # answers each message late, within the 0.5 s timeout

    def line():
        page = client.get(reverse("portal:dashboard"))
        assert page.status_code == 200
        [text] = [part.split("</li>")[0] for part in
                  page.content.decode().split('data-testid="library-line"')[1:]]
        return text

    connections = ils.connections
    assert "3 prêts" in line()
    resilience.forget_record(card.pk)  # expired: no background refresh, the record page reads it
    assert "ouvrez la carte pour voir ses prêts" in line()
    assert ils.connections == connections
    assert client.get(reverse("library:record", args=[card.pk])).status_code == 200
    assert ils.connections > connections and "3 prêts" in line()  # read again, cached
    ils.stop()  # down: its port closed
    assert "3 prêts" in line()  # still cached
    resilience.forget_record(card.pk)
    for _ in range(settings.GUICHET_LIBRARY_BREAKER_FAILURES):
        page = client.get(reverse("library:record", args=[card.pk])).content.decode()
        assert "ne répond pas" in page
    assert resilience.is_open()
    assert 'data-testid="library-unavailable"' in line()
