"""A citizen links their library card in a real browser, sees their loans (the overdue one
marked), renews one and sees its new due date; another is on hold for another reader and says
so. The site talks SIP2 to a local library system (tests/library/ils.py). axe-core finds no
serious or critical violation on the pages."""
import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import formats, translation
from playwright.sync_api import expect

from tests.e2e.people import PASSWORD, in_thread, sign_in
from tests.library.conftest import ALICE_CARD, ALICE_PIN, point_at
from tests.library.ils import FakeIls

pytestmark = [pytest.mark.django_db, pytest.mark.e2e]


def _serious(page):
    results = Axe().run(page)
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def _make(email):
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username=email.split("@")[0], email=email,
                                                password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)


def _remove(email):
    from django.contrib.auth import get_user_model

    from core.models import AccessLog
    from library.models import CardAttempt, LibraryCard

    users = get_user_model().objects.filter(email=email)
    LibraryCard.objects.filter(user__in=users).delete()
    CardAttempt.objects.filter(user__in=users).delete()
    AccessLog.objects.filter(subject__in=users).delete()
    users.delete()


@pytest.fixture
def reader(site_url, clear_shared_cache, settings):
    clear_shared_cache()
    ils = FakeIls().start()
    point_at(settings, ils.port)
    settings.GUICHET_LIBRARY_TIMEOUT_S = 2.0
    email = f"e2e-lectrice-{uuid.uuid4().hex[:8]}@example.org"
    in_thread(_make, email)
    yield email, ils
    in_thread(_remove, email)
    ils.stop()


def test_link_a_card_see_the_loans_renew_one(page, site_url, reader):
    email, ils = reader
    sign_in(page, site_url, email)
    page.get_by_role("link", name="Lier une carte de bibliothèque").click()
    assert _serious(page) == []
    page.get_by_label("Numéro de la carte").fill(ALICE_CARD)
    page.get_by_label("NIP").fill(ALICE_PIN)
    page.get_by_role("button", name="Lier la carte").click()
    loans = page.get_by_test_id("loan")
    expect(loans).to_have_count(3)
    overdue = loans.filter(has_text="Les Misérables, tome 1")
    expect(overdue).to_contain_text("en retard")
    expect(page.get_by_test_id("holds")).to_contain_text("Écume des jours")
    assert _serious(page) == []
    before = ils.items["31000000000101"].due
    loans.filter(has_text="Le Petit Prince").get_by_role("button").click()
    after = ils.items["31000000000101"].due
    assert after > before
    with translation.override("fr"):
        day = formats.date_format(after.date(), "DATE_FORMAT")
    expect(page.get_by_role("status")).to_contain_text(f"Renouvelé jusqu’au {day}")
    expect(loans.filter(has_text="Le Petit Prince").get_by_test_id("due")).to_have_text(day)
    loans.filter(has_text="Maria Chapdelaine").get_by_role("button").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Non renouvelable : réservé pour une autre personne.")
    assert _serious(page) == []
    page.goto(f"{site_url}/mon-compte/")
    expect(page.get_by_test_id("library-line")).to_contain_text("3 prêts")
    assert not page.js_errors
