"""A citizen signs up in a real browser, confirms the address from the e-mail the site sent over
SMTP, signs in, links the demo property with its access code and finds its roll entry and tax
balance on the dashboard. axe-core checks every page on the way."""
import datetime as dt
import re
import threading
import uuid

import pytest
from playwright.sync_api import expect

from tests.citizens.conftest import smtp_sink  # noqa: F401 (the SMTP sink fixture)
from tests.e2e.test_property_map import _serious

pytestmark = [pytest.mark.django_db, pytest.mark.e2e]
PASSWORD = "x-Citoyenne-2026!"


def _delete_account(email):
    from django.contrib.auth import get_user_model
    from django.db import connection

    from citizens.models import LinkAttempt

    # The attempts would outlive the account (user SET_NULL) and count against the property
    # in the next session's tests (--reuse-db).
    LinkAttempt.objects.filter(user__email__iexact=email).delete()
    get_user_model().objects.filter(email__iexact=email).delete()
    connection.close()


@pytest.fixture
def address(site_url, clear_shared_cache):
    """A fresh address. The site's thread commits the account outside the test's transaction,
    so it is deleted afterwards, from another thread (its own connection, autocommit)."""
    clear_shared_cache()  # allauth's rate limits (the site's threads write them)
    email = f"e2e-{uuid.uuid4().hex[:10]}@example.org"
    yield email
    cleaner = threading.Thread(target=_delete_account, args=(email,))
    cleaner.start()
    cleaner.join()


def test_sign_up_confirm_by_email_sign_in(page, site_url, smtp_sink, address,  # noqa: F811
                                          settings):
    # The e-mail's links go to the site's public address (GUICHET_SITE_URL): here, this server.
    settings.GUICHET_SITE_URL = site_url
    page.goto(site_url + "/compte/signup/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("#privacy-title")).to_be_visible()
    assert _serious(page) == []

    page.get_by_label("Courriel").first.fill(address)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/compte/confirm-email/")

    [link] = smtp_sink.links(address, "/compte/confirm-email/")
    assert link.startswith(site_url)
    page.goto(link)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/compte/login/")

    assert _serious(page) == []
    page.locator("#id_login").fill(address)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/mon-compte/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert address in page.content()
    assert _serious(page) == []

    _link_the_demo_property(page)
    assert not page.js_errors


def _digits(text: str) -> str:
    """A French amount without its spaces (normal, no-break or thin)."""
    return re.sub(r"[\s\u00a0\u202f]", "", text)


def _expected(prop):
    """The roll value and tax balance, summed from the rows (not through the site's code)."""
    from django.db.models import Sum

    from taxes.models import TaxBill, TaxPayment

    roll = prop.roll_entries.get(roll_year=2026).total_value
    billed = TaxBill.objects.filter(property=prop).aggregate(s=Sum("amount"))["s"]
    paid = TaxPayment.objects.filter(bill__property=prop, paid_on__lte=dt.date.today()) \
        .aggregate(s=Sum("amount"))["s"] or 0
    balance = f"{billed - paid:,.2f}".replace(",", " ").replace(".", ",")
    return f"{roll:,}".replace(",", " ") + " $", balance + " $"


def _link_the_demo_property(page):
    from demo.access_code import DEMO_ACCESS_CODE, demo_property

    prop = demo_property()
    roll, balance = _expected(prop)
    page.get_by_role("link", name="Lier une propriété").click()
    page.wait_for_url("**/mon-compte/proprietes/lier/")
    assert _serious(page) == []
    page.get_by_label("Matricule").fill(prop.matricule.replace("-", ""))
    page.get_by_label("Code d'accès").fill(DEMO_ACCESS_CODE.lower())
    page.get_by_label("propriétaire").check()
    page.get_by_role("button", name="Lier avec le code d'accès").click()
    expect(page.get_by_test_id("link-status")).to_have_text("vérifié")
    assert _serious(page) == []

    page.get_by_role("link", name="Mon compte").first.click()
    card = page.get_by_test_id("property-card")
    expect(card).to_have_count(1)
    assert _digits(roll) in _digits(card.get_by_test_id("card-roll").inner_text())
    assert _digits(balance) in _digits(card.get_by_test_id("card-taxes").inner_text())
    assert _serious(page) == []
