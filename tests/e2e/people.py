"""People for the display and reflow browser tests (issue 14): a citizen who owns the demo
property (verified link: the dashboard's card and the tax account) and made three public
reports, and a clerk. The site's threads commit outside the test's transaction, so they are
made, and removed afterwards, from a thread of their own (its own connection, autocommit)."""
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

PASSWORD = "x-Citoyenne-2026!"
CATEGORIES = Path(__file__).parents[2] / "data" / "pincourt" / "request-categories.json"
# A long address, as a map click far from a civic number gives: the tables must wrap it.
LONG_ADDRESS = ("Boulevard Cardinal-Léger entre la 5e Avenue et la 7e Avenue, "
                "en face du 140 Chemin Duhamel, Pincourt")


@dataclass(frozen=True)
class People:
    citizen: str  # e-mail addresses
    clerk: str
    property_id: int
    link_id: str


def in_thread(function, *args):
    result = []

    def run():
        from django.db import connection

        try:
            result.append(function(*args))
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    return result[0] if result else None


def _make(tag) -> People:
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    from citizens.models import PropertyLink
    from demo.access_code import demo_property
    from service_requests import services
    from service_requests.importers.categories import load_categories
    from service_requests.models import Category

    emails = {}
    for role, staff in (("citizen", False), ("clerk", True)):
        email = f"e2e-display-{role}-{tag}@example.org"
        user = get_user_model().objects.create_user(
            username=f"display-{role}-{tag}", email=email, password=PASSWORD, is_staff=staff,
            first_name="Dominique", last_name=f"Affichage{tag}")
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
        emails[role] = user
    prop = demo_property()
    link = PropertyLink.objects.create(
        user=emails["citizen"], property=prop, role=PropertyLink.Role.OWNER,
        status=PropertyLink.Status.VERIFIED, method=PropertyLink.Method.CODE)
    if not Category.objects.filter(code="nid-de-poule").exists():
        load_categories(CATEGORIES)
    pothole = Category.objects.get(code="nid-de-poule")
    point = prop.address_point or prop.parcel.point_on_surface
    for size in ("petit", "moyen", "grand"):
        services.submit_request(category=pothole, point=point, description="Essai d'affichage.",
                                answers={"taille": size}, user=emails["citizen"],
                                address=LONG_ADDRESS, public=True)
    return People(emails["citizen"].email, emails["clerk"].email, prop.pk, str(link.pk))


def _remove(tag):
    from django.contrib.auth import get_user_model

    from citizens.models import LinkAttempt, PropertyLink
    from service_requests.models import ServiceRequest

    people = get_user_model().objects.filter(username__endswith=f"-{tag}",
                                             username__startswith="display-")
    ServiceRequest.objects.filter(reporter__in=people).delete()
    PropertyLink.objects.filter(user__in=people).delete()
    LinkAttempt.objects.filter(user__in=people).delete()
    people.delete()


@pytest.fixture
def people(site_url, clear_shared_cache):
    clear_shared_cache()  # allauth's rate limits (the site's threads write them)
    tag = uuid.uuid4().hex[:8]
    yield in_thread(_make, tag)
    in_thread(_remove, tag)


def sign_in(page, site_url, email, prefix=""):
    page.goto(f"{site_url}{prefix}/compte/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/mon-compte/")
