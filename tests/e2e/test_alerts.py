"""A clerk's alert in a real browser (issue 13 part 6): draws a rectangle on the map around a
demo property, previews how many properties the area reaches, sends the alert; the alert shows
on that property's page; a citizen subscribed to that property gets the e-mail at the local SMTP
sink, with a one-click unsubscribe link that works in the browser; the Atom and CAP feeds carry
the alert. (The tasks run right after each request here: GUICHET_TASKS=immediate.)"""
import uuid

import pytest
from django.conf import settings
from playwright.sync_api import expect
from pyproj import Transformer

from tests.citizens.conftest import smtp_sink  # noqa: F401 (fixture)
from tests.e2e.people import in_thread as _in_thread
from tests.e2e.test_reporting import PASSWORD, _sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.e2e]
TO_WGS84 = Transformer.from_crs(settings.GUICHET_SRID, 4326, always_xy=True)
KEEP_MAP = """document.addEventListener("map:init", (e) => { window.__map = e.detail.map; });"""


def _make(tag):
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    from alerts.models import Topic

    email = f"e2e-clerk-{tag}@example.org"
    user = get_user_model().objects.create_user(username=f"clerk-{tag}", email=email,
                                                password=PASSWORD, is_staff=True)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    topic = Topic.objects.create(code=f"e2e-{tag}", name_fr=f"Essai {tag}", name_en="Test")
    return email, topic.pk


def _subscribe(tag, property_id):
    from django.utils import timezone

    from alerts.models import Subscriber, Subscription

    subscriber = Subscriber.objects.create(email=f"abonnee-{tag}@example.org",
                                           confirmed_at=timezone.now())
    Subscription.objects.create(subscriber=subscriber, property_id=property_id,
                                channels=["email"])
    return subscriber.email


def _subscriptions(email):
    from alerts.models import Subscription

    return Subscription.objects.filter(subscriber__email=email).count()


def _remove(tag):
    from django.contrib.auth import get_user_model

    from alerts.models import Alert, Subscriber, Topic

    Subscriber.objects.filter(email=f"abonnee-{tag}@example.org").delete()
    Alert.objects.filter(topic__code=f"e2e-{tag}").delete()
    Topic.objects.filter(code=f"e2e-{tag}").delete()
    get_user_model().objects.filter(username=f"clerk-{tag}").delete()


@pytest.fixture
def clerk_and_topic(site_url, clear_shared_cache):
    clear_shared_cache()
    tag = uuid.uuid4().hex[:8]
    yield (*_in_thread(_make, tag), tag)
    _in_thread(_remove, tag)


def test_clerk_draws_previews_sends_and_the_property_page_shows_it(page, site_url,
                                                                   clerk_and_topic,
                                                                   smtp_sink):  # noqa: F811
    from properties.models import Property

    email, topic_pk, tag = clerk_and_topic
    prop = (Property.objects.exclude(parcel=None).exclude(addresses=None)
            .order_by("pk")[60])
    centre = prop.parcel.point_on_surface
    lon, lat = TO_WGS84.transform(centre.x, centre.y)
    title = f"Avis d'essai {tag}"
    subscribed = _in_thread(_subscribe, tag, prop.pk)

    page.context.add_init_script(KEEP_MAP)
    _sign_in(page, site_url, email)
    page.goto(site_url + "/personnel/alertes/nouvelle/")
    page.locator("#id_topic").select_option(str(topic_pk))
    page.locator("#id_title_fr").fill(title)
    page.locator("#id_body_fr").fill("Eau coupée pour travaux.")
    page.locator("input[name=target][value=polygon]").check()
    expect(page.locator("#alert-map")).to_be_visible()
    page.wait_for_function("window.__map !== undefined")
    page.evaluate("([lat, lon]) => { window.__map.setView([lat, lon], 17, {animate: false}); }",
                  [lat, lon])
    page.locator("#alert-map").scroll_into_view_if_needed()
    page.locator(".leaflet-draw-draw-rectangle").click()
    box = page.locator("#alert-map").bounding_box()
    x, y = page.evaluate("([lat, lon]) => { const p = window.__map.latLngToContainerPoint("
                         "[lat, lon]); return [p.x, p.y]; }", [lat, lon])
    page.mouse.move(box["x"] + x - 60, box["y"] + y - 60)
    page.mouse.down()
    page.mouse.move(box["x"] + x, box["y"] + y, steps=5)
    page.mouse.move(box["x"] + x + 60, box["y"] + y + 60, steps=5)
    page.mouse.up()
    expect(page.locator("[name=drawn]")).not_to_have_value("")
    page.locator("[data-alert-form] button[type=submit]").click()

    count = page.locator("[data-testid=reach-properties]")
    page.wait_for_load_state()
    assert page.locator(".errorlist").count() == 0, page.locator(".errorlist").all_inner_texts()
    expect(count).to_be_visible()
    assert int(count.inner_text()) >= 1
    expect(page.locator("[data-testid=reach-list]")).to_contain_text(prop.matricule)
    page.locator("[data-testid=send]").click()
    expect(page.locator("[data-testid=alert-status]")).to_contain_text("envoy")

    page.goto(site_url + f"/propriete/{prop.pk}/")
    expect(page.locator("[data-testid=current-alerts]")).to_contain_text(title)

    # The subscriber's e-mail, over SMTP, with its one-click unsubscribe.
    [message] = smtp_sink.to(subscribed)
    assert title in message["Subject"] and message["List-Unsubscribe-Post"]
    [link] = smtp_sink.links(subscribed, "/alertes/desabonnement/")
    page.goto(site_url + link.split("8000", 1)[1])
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert _in_thread(_subscriptions, subscribed) == 0

    # The feeds carry it.
    for feed in ("/alertes/fil/atom/", "/alertes/cap/"):
        assert title in page.request.get(site_url + feed).text(), feed
    assert page.js_errors == []
