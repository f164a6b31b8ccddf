"""The site's Content-Security-Policy (no 'unsafe-inline' scripts or styles, images from us and
the tile host only) breaks nothing: the main pages, signed out, as a citizen, as staff and in the
admin's map editor, load without a single violation (the `page` fixture fails the test on one,
reported by the `securitypolicyviolation` event or the console) and their maps draw."""
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.people import in_thread as _in_thread
from tests.e2e.test_reporting import PASSWORD, _sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.e2e]


def _make_admin(tag):
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    email = f"e2e-csp-{tag}@example.org"
    user = get_user_model().objects.create_superuser(
        username=f"csp-{tag}", email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return email


def _remove_admin(tag):
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(username=f"csp-{tag}").delete()


@pytest.fixture
def admin_email(site_url, clear_shared_cache):
    clear_shared_cache()  # allauth's rate limits
    tag = uuid.uuid4().hex[:8]
    yield _in_thread(_make_admin, tag)
    _in_thread(_remove_admin, tag)


def _map_drawn(page, selector):
    the_map = page.locator(selector)
    expect(the_map.locator(".leaflet-map-pane")).to_have_count(1)
    expect(the_map.locator("path.leaflet-interactive, .leaflet-marker-icon").first).to_be_attached()


def test_public_pages_keep_the_policy_and_draw_their_maps(page, site_url):
    from properties.models import Property

    response = page.goto(site_url + "/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    # The home map: the basemap's tiles (fetched, decoded, drawn) are its only layer.
    expect(page.locator("#town-map")).to_have_attribute("data-basemap-ready", "1")

    prop = Property.objects.exclude(parcel=None).exclude(addresses=None).order_by("pk").first()
    page.goto(f"{site_url}/propriete/{prop.pk}/")
    _map_drawn(page, "#property-map")
    # A stream's or category's colour arrives as data-colour, applied by core/colours.js.
    for element in page.locator("[data-colour]").all():
        assert element.evaluate("e => e.style.getPropertyValue('--c')") == \
            element.get_attribute("data-colour")

    page.goto(site_url + "/signaler/")
    expect(page.locator("#report-map .leaflet-map-pane")).to_have_count(1)
    page.goto(site_url + "/signalements/")
    expect(page.locator("#reports-map .leaflet-map-pane")).to_have_count(1)

    page.goto(site_url + "/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Guichet API")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    assert not page.js_errors


def test_signed_in_staff_and_admin_map_editor(page, site_url, admin_email):
    from collections_schedule.models import Zone

    _sign_in(page, site_url, admin_email)  # lands on the dashboard (/mon-compte/)
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.goto(site_url + "/personnel/demandes/")
    expect(page.locator("#queue-map .leaflet-map-pane")).to_have_count(1)

    zone = Zone.objects.order_by("pk").first()
    # The admin's zone editor: django-leaflet's inline script and style, with the nonce.
    response = page.goto(f"{site_url}/admin/collections_schedule/zone/{zone.pk}/change/")
    assert response.status == 200
    assert "'nonce-" in response.headers["content-security-policy"]
    expect(page.locator(".leaflet-container .leaflet-map-pane")).to_have_count(1)
    expect(page.locator(".leaflet-container path.leaflet-interactive").first).to_be_attached()

    # The staff page that splits a zone draws with the same widget.
    page.goto(f"{site_url}/personnel/collectes/zones/{zone.pk}/diviser/")
    expect(page.locator(".leaflet-container .leaflet-map-pane")).to_have_count(1)
    expect(page.locator(".leaflet-draw")).to_have_count(1)
    assert not page.js_errors
