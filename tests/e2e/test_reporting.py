"""The whole loop in a real browser: a citizen clicks the demo map, chooses a category, answers
its question, attaches a photo and sends the report; finds it in "my requests"; a clerk finds it
in the queue and changes its status with a public note; the citizen sees the change and the
e-mail arrives over SMTP. axe-core checks the report form, the queue and the staff page."""
import io
import uuid

import pytest
from django.conf import settings
from PIL import Image
from playwright.sync_api import expect
from pyproj import Transformer

from tests.citizens.conftest import smtp_sink  # noqa: F401 (the SMTP sink fixture)
from tests.e2e.conftest import watch_csp
from tests.e2e.people import in_thread
from tests.e2e.test_property_map import _serious

pytestmark = [pytest.mark.django_db, pytest.mark.e2e]
PASSWORD = "x-Citoyenne-2026!"
TO_WGS84 = Transformer.from_crs(settings.GUICHET_SRID, 4326, always_xy=True)


def _make_people(tag):
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    users = {}
    for role, staff in (("citizen", False), ("clerk", True)):
        email = f"e2e-{role}-{tag}@example.org"
        user = get_user_model().objects.create_user(
            username=f"{role}-{tag}", email=email, password=PASSWORD, is_staff=staff,
            first_name="Camille" if staff else "Alex", last_name=f"E2e{tag}")
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
        users[role] = email
    return users


def _remove_people(tag):
    from django.contrib.auth import get_user_model

    from service_requests.models import ServiceRequest

    people = get_user_model().objects.filter(username__endswith=f"-{tag}")
    ServiceRequest.objects.filter(reporter__in=people).delete()
    people.delete()


@pytest.fixture
def people(site_url, clear_shared_cache):
    clear_shared_cache()  # allauth's rate limits (the site's threads write them)
    tag = uuid.uuid4().hex[:8]
    yield in_thread(_make_people, tag)
    in_thread(_remove_people, tag)


@pytest.fixture
def spot():
    """A demo address point, in WGS 84 by pyproj (not by the site's code)."""
    from properties.models import Property

    prop = (Property.objects.exclude(address_point=None).exclude(addresses=None)
            .order_by("pk")[40])
    lon, lat = TO_WGS84.transform(prop.address_point.x, prop.address_point.y)
    return prop, lon, lat


def _sign_in(page, site_url, email):
    page.goto(site_url + "/compte/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/mon-compte/")


def fr(message):
    """The site's French for an English message (the UI strings live in the .po file)."""
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override("fr"):
        return gettext(message)


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (90, 90, 90)).save(out, "JPEG")
    return out.getvalue()


def test_report_by_map_click_then_a_clerk_moves_it_and_the_citizen_hears(
        browser, page, site_url, people, spot, smtp_sink):  # noqa: F811
    prop, lon, lat = spot
    _sign_in(page, site_url, people["citizen"])

    # 1. The place: the map opens centred on the spot (#map=zoom/lat/lon) and is clicked there.
    page.goto(f"{site_url}/signaler/#map=18/{lat:.6f}/{lon:.6f}")
    assert _serious(page) == []
    the_map = page.locator("#report-map")
    expect(the_map.locator(".leaflet-map-pane")).to_have_count(1)
    box = the_map.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    # The place in words as soon as it is chosen: the house's address, not coordinates.
    first = prop.addresses.order_by("pk").first()
    near = fr("near %(address)s") % {"address": first.label.removeprefix(f"{first.unit}-")
                                     if first.unit else first.label}
    expect(page.locator("p[role=status][data-chosen]")).to_contain_text(near)
    chosen = (float(page.locator("input[name=lon]").input_value()),
              float(page.locator("input[name=lat]").input_value()))
    assert abs(chosen[0] - lon) < 3e-5 and abs(chosen[1] - lat) < 3e-5  # a few metres at z18
    page.locator("#id_category").select_option("nid-de-poule")
    page.get_by_role("button", name=fr("Continue")).click()
    page.wait_for_url("**/signaler/details/**")

    # 2. The details: the category's question, a description, a photo.
    assert _serious(page) == []
    page.get_by_label("Comme un pneu").check()
    page.get_by_label(fr("Describe the problem")).fill("Un trou profond au bord de la chaussée")
    page.locator("input[type=file]").set_input_files(
        {"name": "trou.jpg", "mimeType": "image/jpeg", "buffer": _photo()})
    page.get_by_role("button", name=fr("Send the report")).click()
    page.wait_for_url("**/mon-compte/demandes/*/")
    number = page.get_by_role("heading", level=1).inner_text().split("#")[1].split(":")[0].strip()
    expect(page.get_by_test_id("request-status")).to_have_text(fr("submitted"))

    page.get_by_role("link", name=fr("My requests")).first.click()
    expect(page.get_by_test_id("my-requests")).to_contain_text(f"#{number}")
    expect(page.get_by_test_id("my-requests")).to_contain_text(near)
    assert _serious(page) == []

    # 3. A clerk finds it in the queue and plans the repair, with a public note.
    clerk = browser.new_context(locale="fr-CA", viewport={"width": 1280, "height": 900})
    clerk_csp_violations = watch_csp(clerk)
    desk = clerk.new_page()
    _sign_in(desk, site_url, people["clerk"])
    desk.goto(site_url + "/personnel/demandes/")
    row = desk.locator(f"tr[data-request='{number}']")
    expect(row).to_be_visible()
    expect(row).to_contain_text(near)
    expect(desk.locator("#queue-map .leaflet-interactive").first).to_be_attached()
    assert _serious(desk) == []
    row.get_by_role("link", name=f"#{number}").click()
    desk.wait_for_url(f"**/personnel/demandes/{number}/")
    assert people["citizen"] in desk.get_by_test_id("citizen").inner_text()
    assert _serious(desk) == []
    desk.locator("#id_status-status").select_option("planned")
    desk.locator("#id_status-note").fill("Réparation prévue la semaine prochaine")
    desk.locator("#id_status-note").press("Tab")
    desk.locator("form:has(#id_status-status) button[type=submit]").click()
    expect(desk.get_by_test_id("staff-history")).to_contain_text("Réparation prévue")
    clerk.close()
    assert not clerk_csp_violations

    # 4. The citizen sees the new status and the note, and got the e-mail.
    page.reload()
    page.get_by_role("link", name=f"#{number}").click()
    expect(page.get_by_test_id("request-status")).to_have_text(fr("planned"))
    expect(page.get_by_test_id("history")).to_contain_text("Réparation prévue la semaine")
    [message] = smtp_sink.to(people["citizen"])
    assert f"#{number}" in message["Subject"]
    assert "Réparation prévue la semaine prochaine" in smtp_sink.text(message)
    assert not page.js_errors
