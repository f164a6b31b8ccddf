"""Browser notifications in a real browser, up to the push service (headless Chromium reaches
none, so no real subscription here: tests/alerts/test_push.py sends and decrypts one): the
citizen's alerts page runs alerts/push.js under the site's Content-Security-Policy, the button
registers /sw.js for the whole site and says so when notifications are refused; allowed, it
subscribes with the city's key (PushManager.subscribe answered by a stand-in, the push service's
part) and posts the subscription with the CSRF token, and the page lists the browser; the
worker, fed a push message through the DevTools protocol as the push service would, shows the
notification, and a second message with the same tag replaces it."""
import base64
import json
import os
import uuid

import pytest
from playwright.sync_api import expect

from alerts.vapid import new_pair
from tests.e2e.people import in_thread as _in_thread
from tests.e2e.test_reporting import PASSWORD, _sign_in, fr

pytestmark = [pytest.mark.django_db, pytest.mark.e2e]

NOTIFICATIONS = """async () => {
  const registration = await navigator.serviceWorker.getRegistration("/");
  return (await registration.getNotifications()).map((n) => (
    {title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url}));
}"""


# The push service's part of PushManager.subscribe: checks what the page asks (the city's key,
# visible notifications only) and answers a subscription made here.
SUBSCRIBE = """(() => {
  const expected = %(key)s, subscription = %(subscription)s;
  const b64url = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)))
    .replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
  PushManager.prototype.getSubscription = async () => null;
  PushManager.prototype.subscribe = async (options) => {
    if (options.userVisibleOnly !== true) throw new Error("userVisibleOnly");
    if (b64url(options.applicationServerKey) !== expected) throw new Error("another key");
    return {toJSON: () => subscription, options};
  };
})();"""


def _browser_key():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(point).rstrip(b"=").decode()


def _endpoints(email):
    from alerts.models import PushEndpoint

    return list(PushEndpoint.objects.filter(subscriber__user__email=email)
                .values_list("endpoint", "p256dh"))


def _citizen(email):
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username=email.split("@")[0], email=email,
                                                password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)


def _remove(email):
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(email=email).delete()


@pytest.fixture
def citizen(site_url, clear_shared_cache, settings):
    public, private = new_pair()
    settings.GUICHET_VAPID_PUBLIC_KEY, settings.GUICHET_VAPID_PRIVATE_KEY = public, private
    clear_shared_cache()
    email = f"e2e-push-{uuid.uuid4().hex[:8]}@example.org"
    _in_thread(_citizen, email)
    yield email
    _in_thread(_remove, email)


def test_the_button_registers_the_worker_which_shows_the_alerts(page, site_url, citizen,
                                                                settings):
    _sign_in(page, site_url, citizen)
    page.goto(site_url + "/mon-compte/alertes/")
    button = page.get_by_role("button", name="Recevoir les alertes sur ce navigateur")
    expect(button).to_be_visible()  # shown by push.js: this browser can
    button.click()  # no permission given: refused
    expect(page.locator("[data-push-status]")).to_have_text(
        fr("Notifications are blocked for this site: allow them in your browser settings, "
           "then try again."))
    scope = page.evaluate(
        "async () => (await navigator.serviceWorker.getRegistration('/')).scope")
    assert scope == site_url + "/"

    # Allowed: subscribed with the city's key, posted, listed.
    page.context.grant_permissions(["notifications"], origin=site_url)
    endpoint = f"https://updates.push.services.mozilla.com/wpush/v2/{uuid.uuid4().hex}"
    subscription = {"endpoint": endpoint, "expirationTime": None, "keys": {
        "p256dh": _browser_key(),
        "auth": base64.urlsafe_b64encode(os.urandom(16)).rstrip(b"=").decode()}}
    page.context.add_init_script(SUBSCRIBE % {
        "key": json.dumps(settings.GUICHET_VAPID_PUBLIC_KEY),
        "subscription": json.dumps(subscription)})
    page.reload()
    button.click()
    expect(page.locator("[data-testid=alert-browsers]")).to_contain_text(
        "updates.push.services.mozilla.com")
    assert _in_thread(_endpoints, citizen) == [(endpoint, subscription["keys"]["p256dh"])]

    # The push service's part, played by the DevTools protocol: two messages, one tag.
    cdp = page.context.new_cdp_session(page)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    page.wait_for_timeout(200)
    [registration_id] = {r["registrationId"] for r in registrations
                         if r["scopeURL"] == site_url + "/" and not r["isDeleted"]}
    first = {"title": "[Pincourt] Avis d'ébullition", "body": "Faites bouillir l'eau.",
             "url": site_url + "/alertes/1/", "tag": "alert-essai"}
    for message in (first, {**first, "title": "[Pincourt] Mise à jour : Avis d'ébullition",
                            "body": "L'avis est levé."}):
        cdp.send("ServiceWorker.deliverPushMessage", {
            "origin": site_url, "registrationId": registration_id, "data": json.dumps(message)})
        expected = [{key: message[key] for key in ("title", "body", "tag", "url")}]
        for _ in range(50):  # the worker shows it a moment later
            shown = page.evaluate(NOTIFICATIONS)
            if shown == expected:
                break
            page.wait_for_timeout(100)
        assert shown == expected
    assert page.js_errors == []
