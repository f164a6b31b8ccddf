"""A citizen signs up in a real browser, confirms the address from the e-mail the site sent over
SMTP, and signs in. axe-core checks the sign-up and sign-in pages."""
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

    get_user_model().objects.filter(email__iexact=email).delete()
    connection.close()


@pytest.fixture
def address(site_url):
    """A fresh address. The site's thread commits the account outside the test's transaction,
    so it is deleted afterwards, from another thread (its own connection, autocommit)."""
    from django.core.cache import cache

    cache.clear()  # allauth's rate limits live in this process's cache
    email = f"e2e-{uuid.uuid4().hex[:10]}@example.org"
    yield email
    cleaner = threading.Thread(target=_delete_account, args=(email,))
    cleaner.start()
    cleaner.join()


def test_sign_up_confirm_by_email_sign_in(page, site_url, smtp_sink, address):  # noqa: F811
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
    assert not page.js_errors
