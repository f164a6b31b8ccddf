"""Browser notifications (Web Push), real parts only: the citizen's browser is a key pair made
here (as a browser's PushManager makes one), the push service a local HTTP server that records
what it receives; the message goes through the real delivery path (fan-out, sending task,
pywebpush) and the test decrypts it with the browser's private key (http_ece, RFC 8291) and
checks the VAPID signature (RFC 8292) against the configured public key. Also: a revoked
browser (410) is dropped and its row fails for good, a busy service (503) leaves the row queued
for later, the subscription view refuses what is not a browser's subscription (400 in French)
and is scoped to the signed-in citizen, no push anywhere without keys, and /sw.js."""
import base64
import datetime as dt
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alerts.channels.push import NO_BROWSER_LEFT
from alerts.delivery import send_deliveries
from alerts.models import Delivery, PushEndpoint, Subscription
from alerts.vapid import new_pair, vapid_keys_are_a_pair
from tests.alerts.test_delivery import run_fan_out
from tests.test_csp import FORBIDDEN_ATTRIBUTE, SCRIPT

pytestmark = pytest.mark.django_db

SUBJECT = "mailto:alertes@ville.example"


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture
def vapid(settings):
    public, private = new_pair()
    settings.GUICHET_VAPID_PUBLIC_KEY = public
    settings.GUICHET_VAPID_PRIVATE_KEY = private
    settings.GUICHET_VAPID_SUBJECT = SUBJECT
    settings.GUICHET_PUSH_ALLOW_LOOPBACK = True  # the local push service is on http://127.0.0.1
    return public


class _PushHandler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        service = self.server.service
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        service.received.append({"path": self.path, "body": body, "headers": {
            name.lower(): value for name, value in self.headers.items()}})
        status = service.answers.get(self.path, 201)
        self.send_response(status)
        if status == 201:
            self.send_header("Location", f"{service.origin}/message/{len(service.received)}")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class PushService:
    def __init__(self, origin):
        self.origin = origin
        self.received, self.answers = [], {}

    def to(self, browser):
        return [r for r in self.received if self.origin + r["path"] == browser.endpoint]


@pytest.fixture
def push_service():
    """A local push service: records each message; `answers` maps a path to its status (201,
    with a Location, when not listed)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PushHandler)
    server.service = PushService(f"http://127.0.0.1:{server.server_port}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.service
    finally:
        server.shutdown()
        server.server_close()


class Browser:
    """What a browser's PushManager holds: its P-256 key pair and auth secret, and the
    endpoint its push service gave it."""

    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.p256dh = b64url(self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))

    def subscription(self):  # PushSubscription.toJSON()
        return {"endpoint": self.endpoint, "expirationTime": None,
                "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)}}

    def save_for(self, subscriber):
        return PushEndpoint.objects.create(subscriber=subscriber, endpoint=self.endpoint,
                                           p256dh=self.p256dh, auth=b64url(self.auth))

    def read(self, request) -> dict:
        assert request["headers"]["content-encoding"] == "aes128gcm"
        plain = http_ece.decrypt(request["body"], private_key=self.key,
                                 auth_secret=self.auth, version="aes128gcm")
        return json.loads(plain)


@pytest.fixture
def browser(push_service):
    def make(name):
        return Browser(f"{push_service.origin}/push/{name}")
    return make


def post_subscription(client, data):
    return client.post(reverse("alerts:push_subscribe"), json.dumps(data),
                       content_type="application/json")


def vapid_claims(authorization: str, public_key: str) -> dict:
    """The claims of a VAPID Authorization header (`vapid t=<JWT>,k=<key>`), its ES256
    signature verified with `public_key` (cryptography, not the library that signed it)."""
    scheme, _, params = authorization.partition(" ")
    assert scheme == "vapid"
    parts = dict(p.strip().split("=", 1) for p in params.split(","))
    assert parts["k"] == public_key
    header, claims, signature = parts["t"].split(".")
    assert json.loads(unb64url(header)) == {"typ": "JWT", "alg": "ES256"}
    raw = unb64url(signature)
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(public_key))
    key.verify(encode_dss_signature(int.from_bytes(raw[:32], "big"),
                                    int.from_bytes(raw[32:], "big")),
               f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if forged
    return json.loads(unb64url(claims))


def test_an_alert_reaches_the_citizens_browser_encrypted_and_signed(
        client, make_citizen, homes, make_alert, subscribe, vapid, push_service, browser,
        django_capture_on_commit_callbacks):
    citizen = make_citizen("navigatrice@example.org")
    client.force_login(citizen)
    laptop = browser("laptop")
    # The page offers the button, the key in a data- attribute and our script (no inline code).
    page = client.get(reverse("alerts:mine")).content.decode()
    assert f'data-push-key="{vapid}"' in page and "Recevoir les alertes sur ce navigateur" in page
    assert all("src=" in attributes for attributes in SCRIPT.findall(page))
    assert "alerts/push.js" in page and not FORBIDDEN_ATTRIBUTE.findall(page)
    # The channel is refused before a browser is on, then offered.
    add = reverse("alerts:subscription_add", args=[homes[0].pk])
    refused = client.post(add, {"channels": ["push"]})
    assert refused.status_code == 200 and "navigateur" in refused.content.decode()
    assert post_subscription(client, laptop.subscription()).status_code == 201
    assert client.post(add, {"channels": ["push"]}).status_code == 302
    assert Subscription.objects.get(subscriber__user=citizen).channels == ["push"]
    assert "127.0.0.1" in client.get(reverse("alerts:mine")).content.decode()  # its browsers
    # Someone without an account, in English, with a browser too.
    english = subscribe(channels=("push",), language="en")
    phone = browser("phone")
    phone.save_for(english)

    alert = make_alert()
    before = timezone.now()
    run_fan_out(alert, django_capture_on_commit_callbacks)

    [to_laptop], [to_phone] = push_service.to(laptop), push_service.to(phone)
    message = laptop.read(to_laptop)
    assert message == {"title": "[Pincourt] Avis d'ébullition", "body": "Faites bouillir l'eau.",
                       "url": f"http://127.0.0.1:8000/alertes/{alert.pk}/",
                       "tag": f"alert-{alert.identifier}"}
    assert phone.read(to_phone) == {**message, "title": "[Pincourt] Boil-water notice",
                                    "body": "Boil the water.",
                                    "url": f"http://127.0.0.1:8000/en/alertes/{alert.pk}/"}
    with pytest.raises(Exception):  # noqa: B017 (whatever http_ece raises: not readable)
        laptop.read(to_phone)  # encrypted for the phone only
    headers = to_laptop["headers"]
    claims = vapid_claims(headers["authorization"], vapid)
    assert claims["aud"] == push_service.origin and claims["sub"] == SUBJECT
    assert before.timestamp() < claims["exp"] <= before.timestamp() + 24 * 3600 + 5
    assert headers["ttl"] == str(12 * 3600) and headers["urgency"] == "normal"
    assert headers["topic"] == alert.identifier.hex
    rows = Delivery.objects.filter(alert=alert, channel="push")
    assert sorted(r.status for r in rows) == ["sent", "sent"]
    assert rows.get(subscriber__user=citizen).provider_id.startswith(
        f"{push_service.origin}/message/")


def test_an_emergency_is_urgent(make_alert, subscribe, emergency, vapid, push_service, browser,
                                django_capture_on_commit_callbacks):
    laptop = browser("urgence")
    laptop.save_for(subscribe(channels=("push",)))
    run_fan_out(make_alert(topic=emergency), django_capture_on_commit_callbacks)
    [request] = push_service.to(laptop)
    assert request["headers"]["urgency"] == "high"


def test_a_revoked_browser_is_dropped_and_a_busy_service_tried_again(
        make_alert, subscribe, vapid, push_service, browser, django_capture_on_commit_callbacks):
    revoked = browser("revoked")
    revoked.save_for(gone_only := subscribe(channels=("push",)))
    busy = browser("busy")
    busy.save_for(waiting := subscribe(channels=("push",)))
    two = subscribe(channels=("push",))
    old_phone, new_phone = browser("old-phone"), browser("new-phone")
    old_phone.save_for(two)
    new_phone.save_for(two)
    push_service.answers = {"/push/revoked": 410, "/push/old-phone": 404, "/push/busy": 503}
    alert = make_alert()
    before = timezone.now()
    run_fan_out(alert, django_capture_on_commit_callbacks)

    rows = {r.subscriber_id: r for r in Delivery.objects.filter(alert=alert, channel="push")}
    failed = rows[gone_only.pk]
    assert failed.status == "failed" and failed.error.startswith(NO_BROWSER_LEFT)
    assert "410" in failed.error and failed.next_attempt_at is None and failed.attempts == 1
    assert not PushEndpoint.objects.filter(endpoint=revoked.endpoint).exists()
    # One browser gone, the other took it: sent, the gone one dropped.
    assert rows[two.pk].status == "sent"
    assert list(PushEndpoint.objects.filter(subscriber=two).values_list("endpoint", flat=True)) \
        == [new_phone.endpoint]
    # 503: queued again, later, the browser kept.
    queued = rows[waiting.pk]
    assert (queued.status, queued.attempts, queued.claim) == ("queued", 1, None)
    assert "503" in queued.error
    assert queued.next_attempt_at >= before + dt.timedelta(seconds=60)
    assert PushEndpoint.objects.filter(endpoint=busy.endpoint).exists()

    # Not due: nothing sent; due, the service back: sent; the revoked one never again.
    assert send_deliveries.call([queued.pk, failed.pk]) == 0
    push_service.answers = {}
    Delivery.objects.filter(pk=queued.pk).update(next_attempt_at=timezone.now())
    assert send_deliveries.call([queued.pk, failed.pk]) == 1
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == ("sent", 2)
    assert len(push_service.to(busy)) == 2 and len(push_service.to(revoked)) == 1
    # Without a browser left, the next alert writes no row for them.
    later = make_alert()
    run_fan_out(later, django_capture_on_commit_callbacks)
    assert not Delivery.objects.filter(alert=later, subscriber=gone_only).exists()


@pytest.mark.parametrize("change, words", [
    ({"endpoint": "http://fcm.googleapis.com/abc"}, "adresse"),  # not https
    ({"endpoint": "https://10.0.0.8/abc"}, "adresse"),  # an address, not a push service
    ({"endpoint": "https://user:pw@fcm.googleapis.com/abc"}, "adresse"),
    ({"endpoint": "https://fcm.googleapis.com/" + "a" * 1000}, "adresse"),  # too long
    ({"endpoint": "https://push.example.com/abc"}, "service"),  # not a browser's push service
    ({"endpoint": "https://intranet.ville.example/abc"}, "service"),
    ({"endpoint": "https://fcm.googleapis.com.attaquant.example/abc"}, "service"),
    ({"p256dh": b64url(os.urandom(64))}, "clés"),  # 64 bytes, not a 65-byte point
    ({"p256dh": b64url(b"\x04" + os.urandom(64))}, "clés"),  # not on the curve (almost surely)
    ({"auth": b64url(os.urandom(15))}, "clés"),
    ({"auth": "pas du base64!"}, "clés"),
    (None, "pas valide"),  # not JSON
])
def test_the_subscription_view_refuses_what_is_not_a_browsers_subscription(
        client, make_citizen, vapid, browser, change, words):
    client.force_login(make_citizen("prudente@example.org"))
    data = browser("x").subscription()
    data["endpoint"] = "https://fcm.googleapis.com/fcm/send/x"
    if change is None:
        response = client.post(reverse("alerts:push_subscribe"), "{pas du json",
                               content_type="application/json")
    else:
        keys = {k: v for k, v in change.items() if k in ("p256dh", "auth")}
        data = {**data, **{k: v for k, v in change.items() if k == "endpoint"},
                "keys": {**data["keys"], **keys}}
        response = post_subscription(client, data)
    assert response.status_code == 400
    assert words in response.json()["error"]
    assert not PushEndpoint.objects.exists()


@pytest.mark.parametrize("endpoint", [
    "https://fcm.googleapis.com/fcm/send/dGVzdA:APA91b",  # Chrome, Edge, Opera
    "https://updates.push.services.mozilla.com/wpush/v2/gAAAAA",  # Firefox
    "https://web.push.apple.com/QGuQyavXutnMH8",  # Safari
    "https://wns2-par02p.notify.windows.com/w/?token=BQYAAA",  # Windows
])
def test_the_browsers_push_services_are_accepted(client, make_citizen, vapid, browser,
                                                 endpoint):
    client.force_login(make_citizen("navigatrice@example.org"))
    data = browser("x").subscription()
    assert post_subscription(client, {**data, "endpoint": endpoint}).status_code == 201
    assert PushEndpoint.objects.get().endpoint == endpoint


def test_loopback_endpoints_only_when_allowed(client, make_citizen, vapid, browser, settings):
    client.force_login(make_citizen("locale@example.org"))
    settings.GUICHET_PUSH_ALLOW_LOOPBACK = False
    response = post_subscription(client, browser("ici").subscription())
    assert response.status_code == 400 and "https" in response.json()["error"]
    settings.DEBUG = True
    assert post_subscription(client, browser("ici").subscription()).status_code == 201


def test_ten_browsers_at_most(client, make_citizen, vapid, browser):
    client.force_login(make_citizen("collection@example.org"))
    browsers = [browser(f"b{i}") for i in range(11)]
    for b in browsers[:10]:
        assert post_subscription(client, b.subscription()).status_code == 201
    refused = post_subscription(client, browsers[10].subscription())
    assert refused.status_code == 400 and "10 navigateurs" in refused.json()["error"]
    assert PushEndpoint.objects.count() == 10
    # One already there may renew its keys.
    renewed = Browser(browsers[3].endpoint)
    assert post_subscription(client, renewed.subscription()).status_code == 201
    assert PushEndpoint.objects.get(endpoint=renewed.endpoint).p256dh == renewed.p256dh
    assert PushEndpoint.objects.count() == 10


def test_browsers_are_the_citizens_own(client, make_citizen, vapid, browser):
    owner = make_citizen("proprio@example.org")
    client.force_login(owner)
    laptop = browser("mine")
    post_subscription(client, laptop.subscription())
    saved = PushEndpoint.objects.get(endpoint=laptop.endpoint)
    remove = reverse("alerts:push_remove", args=[saved.pk])
    exported = client.get(reverse("portal:export")).json()["alert_subscriptions"]["browsers"]
    assert [b["push_service"] for b in exported] == ["127.0.0.1"]

    other = Client()
    other.force_login(make_citizen("voisin@example.org"))
    assert other.post(remove).status_code == 404
    anonymous = Client()
    assert reverse("account_login") in anonymous.post(remove)["Location"]
    response = anonymous.post(reverse("alerts:push_subscribe"), json.dumps(laptop.subscription()),
                              content_type="application/json")
    assert reverse("account_login") in response["Location"]
    assert PushEndpoint.objects.filter(pk=saved.pk).exists()
    assert client.get(remove).status_code == 405  # a POST only
    assert client.post(remove).status_code == 302
    assert not PushEndpoint.objects.filter(pk=saved.pk).exists()


def test_without_keys_there_is_no_push_anywhere(
        client, make_citizen, homes, make_alert, subscribe, push_service, browser, settings,
        django_capture_on_commit_callbacks):
    settings.GUICHET_VAPID_PUBLIC_KEY = settings.GUICHET_VAPID_PRIVATE_KEY = ""
    citizen = make_citizen("sans-cles@example.org")
    client.force_login(citizen)
    page = client.get(reverse("alerts:mine")).content.decode()
    assert "data-push" not in page and "push.js" not in page
    assert post_subscription(client, browser("x").subscription()).status_code == 404
    add = reverse("alerts:subscription_add", args=[homes[0].pk])
    assert 'value="push"' not in client.get(add).content.decode()
    assert client.post(add, {"channels": ["push"]}).status_code == 200  # not a choice
    # Rows: a subscription left with push and a browser (keys removed since) gets none.
    subscriber = subscribe(email="avant@example.org", channels=("email", "push"))
    browser("avant").save_for(subscriber)
    alert = make_alert()
    run_fan_out(alert, django_capture_on_commit_callbacks)
    assert list(Delivery.objects.filter(alert=alert).values_list("channel", flat=True)) == [
        "email"]
    assert push_service.received == []


def test_the_service_worker_is_served_from_the_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    code = response.content.decode()
    assert 'addEventListener("push"' in code and "showNotification" in code
    assert 'addEventListener("notificationclick"' in code and "openWindow" in code
    assert client.post("/sw.js").status_code == 405


def test_vapid_keys_prints_a_working_pair(settings, capsys):
    from py_vapid import Vapid

    call_command("vapid_keys")
    lines = dict(line.split("=", 1) for line in capsys.readouterr().out.split())
    public, private = lines["GUICHET_VAPID_PUBLIC_KEY"], lines["GUICHET_VAPID_PRIVATE_KEY"]
    assert len(unb64url(public)) == 65 and len(unb64url(private)) == 32
    signer = Vapid.from_string(private)
    header = signer.sign({"sub": SUBJECT, "aud": "https://push.example.com"})
    assert vapid_claims(header["Authorization"], public)["sub"] == SUBJECT
    settings.GUICHET_VAPID_PUBLIC_KEY, settings.GUICHET_VAPID_PRIVATE_KEY = public, private
    assert vapid_keys_are_a_pair() == []
    settings.GUICHET_VAPID_PUBLIC_KEY = new_pair()[0]
    assert [e.id for e in vapid_keys_are_a_pair()] == ["alerts.E003"]
    settings.GUICHET_VAPID_PUBLIC_KEY = ""
    assert [e.id for e in vapid_keys_are_a_pair()] == ["alerts.E001"]


def test_a_reminder_goes_to_the_browsers_too(homes, vapid, push_service, browser, settings,
                                             django_capture_on_commit_callbacks):
    from django.contrib.gis.geos import MultiPolygon

    from alerts import reminders
    from collections_schedule.models import WateringBan
    from tests.alerts.test_reminders import at, subscribe

    home = homes[0]
    with_browser = subscribe(home, wants=["watering_ban"], channels=("push",),
                             email="avec@example.org")
    laptop = browser("rappel")
    laptop.save_for(with_browser)
    without = subscribe(home, wants=["watering_ban"], channels=("email", "push"),
                        email="sans@example.org")
    day = timezone.localdate() + dt.timedelta(days=2)
    ban = WateringBan.objects.create(
        title_fr="Canicule", title_en="Heat wave", starts_at=at(day, 0),
        ends_at=at(day + dt.timedelta(days=3), 0), methods=["sprinkler"],
        area=MultiPolygon(home.address_point.buffer(50)))
    with django_capture_on_commit_callbacks(execute=True):
        reminders.queue_due(at(day - dt.timedelta(days=1), 17), kinds=["watering_ban"])
    # No push row for the one without a browser.
    assert sorted(Delivery.objects.filter(kind="watering_ban")
                  .values_list("subscriber_id", "channel", "status")) == [
        (with_browser.pk, "push", "sent"), (without.pk, "email", "sent")]
    message = laptop.read(*push_service.to(laptop))
    assert message["title"].startswith("Interdiction d'arrosage") and "Canicule" in message["body"]
    assert message["url"] == "http://127.0.0.1:8000/"
    assert message["tag"] == f"reminder-watering_ban-ban:{ban.pk}-{day}"

    # Keys removed: no push row is written at all.
    settings.GUICHET_VAPID_PRIVATE_KEY = ""
    Delivery.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        reminders.queue_due(at(day - dt.timedelta(days=1), 17), kinds=["watering_ban"])
    assert list(Delivery.objects.values_list("channel", flat=True)) == ["email"]


def test_a_renewed_subscription_follows_the_browser(
        client, make_citizen, homes, make_alert, vapid, push_service, browser,
        django_capture_on_commit_callbacks):
    """The push service renews a browser's subscription (pushsubscriptionchange): the worker
    posts the old and the new one; the city moves the browser to the new address and keys when
    the old one's secret is right, and the next alert reaches the browser there. A wrong secret
    or an unknown subscription changes nothing; no session is needed (the worker has none)."""
    citizen = make_citizen("renouvelle@example.org")
    client.force_login(citizen)
    before, after = browser("before"), browser("after")
    post_subscription(client, before.subscription())
    Subscription.objects.create(subscriber=citizen.subscriber, property=homes[0],
                                channels=["push"])
    renew = reverse("push_renew")
    assert renew == "/sw/abonnement-renouvele/"
    worker_code = client.get("/sw.js").content.decode()
    assert f'self.GUICHET_PUSH_RENEW = "{renew}";' in worker_code
    assert 'addEventListener("pushsubscriptionchange"' in worker_code
    worker = Client(enforce_csrf_checks=True)  # no session, no CSRF token: the worker's fetch

    def post(old, new):
        return worker.post(renew, json.dumps({"old": old, "new": new}),
                           content_type="application/json")

    wrong = {**before.subscription(), "keys": {**before.subscription()["keys"],
                                              "auth": b64url(b"0" * 16)}}
    assert post(wrong, after.subscription()).status_code == 404
    assert post({**before.subscription(), "endpoint": f"{push_service.origin}/push/x"},
                after.subscription()).status_code == 404
    assert post(before.subscription(), {"endpoint": "pas une adresse"}).status_code == 400
    assert PushEndpoint.objects.get().endpoint == before.endpoint
    assert worker.post(renew, "{", content_type="application/json").status_code == 400

    response = post(before.subscription(), after.subscription())
    assert response.status_code == 200
    moved = PushEndpoint.objects.get()
    assert (moved.endpoint, moved.subscriber.user) == (after.endpoint, citizen)
    run_fan_out(make_alert(), django_capture_on_commit_callbacks)
    assert push_service.to(before) == []
    [message] = push_service.to(after)
    assert after.read(message)["title"] == "[Pincourt] Avis d'ébullition"
