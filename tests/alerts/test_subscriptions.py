"""Subscribing: a citizen's own pages (someone else's subscription is a 404), without an account
(double opt-in: nothing sent before the link, which expires), one-click unsubscribe (RFC 8058
POST without a CSRF token), the citizen's data export."""
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from alerts import services
from alerts.models import Delivery, Subscriber, Subscription

pytestmark = pytest.mark.django_db


def test_a_citizen_subscribes_an_address_and_only_they_see_it(client, make_citizen, homes,
                                                              topic):
    citizen = make_citizen("abonnee@example.org")
    client.force_login(citizen)
    assert client.get(reverse("alerts:mine")).status_code == 200
    url = reverse("alerts:subscription_add", args=[homes[1].pk])  # not theirs: allowed
    response = client.post(url, {"channels": ["email"], "topics": [topic.pk]})
    assert response.status_code == 302
    subscription = Subscription.objects.get(subscriber__user=citizen)
    assert subscription.channels == ["email"] and list(subscription.topics.all()) == [topic]
    # SMS needs a confirmed number first.
    edit = reverse("alerts:subscription_edit", args=[subscription.pk])
    assert "cellulaire" in client.post(edit, {"channels": ["sms"]}).content.decode()

    other = Client()
    other.force_login(make_citizen("autre@example.org"))
    assert other.get(edit).status_code == 404
    remove = reverse("alerts:subscription_remove", args=[subscription.pk])
    assert other.post(remove).status_code == 404
    assert Client().get(edit).status_code == 302  # to the sign-in
    assert client.post(remove).status_code == 302
    assert not Subscription.objects.filter(pk=subscription.pk).exists()

    data = client.get(reverse("portal:export")).json()
    assert "alert_subscriptions" in data


def test_a_mobile_number_must_be_e164(client, make_citizen):
    client.force_login(make_citizen("tel@example.org"))
    url = reverse("alerts:preferences")
    bad = client.post(url, {"phone": "555-12", "language": "fr"})
    assert "format international" in bad.content.decode()
    assert client.post(url, {"phone": "514 555-0123", "language": "fr"}).status_code == 302
    subscriber = Subscriber.objects.get(user__email="tel@example.org")
    assert (subscriber.phone, subscriber.phone_confirmed_at) == ("+15145550123", None)


def test_without_an_account_nothing_is_sent_before_the_link(
        client, homes, smtp_sink, make_alert, django_capture_on_commit_callbacks):
    from tests.alerts.test_delivery import run_fan_out

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("alerts:subscribe_to", args=[homes[0].pk]),
                               {"email": "voisine@example.org"})
    assert response.status_code == 200
    [link] = smtp_sink.links("voisine@example.org", "/alertes/confirmer/")
    run_fan_out(make_alert(), django_capture_on_commit_callbacks)
    assert len(smtp_sink.to("voisine@example.org")) == 1  # the link only

    path = link.split("8000", 1)[1]
    assert client.get(path).status_code == 200  # a page with a button
    assert Subscriber.objects.get(email="voisine@example.org").confirmed_at is None
    client.post(path)
    assert Subscriber.objects.get(email="voisine@example.org").confirmed_at is not None
    run_fan_out(make_alert(), django_capture_on_commit_callbacks)
    assert len(smtp_sink.to("voisine@example.org")) == 2


def test_a_confirmation_link_expires(client, homes):
    subscriber = services.subscribe_without_account(
        property_id=homes[0].pk, email="tard@example.org", phone="", topics=[], language="fr")
    with mock.patch("django.core.signing.time.time", return_value=1_000_000):
        token = services.confirmation_token(subscriber, "email")
    response = client.post(reverse("alerts:confirm", args=[token]))
    assert response.status_code == 400 and "expiré" in response.content.decode()
    assert Subscriber.objects.get(pk=subscriber.pk).confirmed_at is None


def test_one_click_unsubscribe(subscribe, make_alert):
    subscriber = subscribe(email="partir@example.org")
    alert = make_alert()
    waiting = Delivery.objects.create(subscriber=subscriber, channel="email", alert=alert,
                                      alert_version=1)
    browser = Client(enforce_csrf_checks=True)
    url = reverse("alerts:unsubscribe", args=[subscriber.token])
    page = browser.get(url)
    assert page.status_code == 200 and "<button" in page.content.decode()
    # RFC 8058: the mail client's POST, no cookie, no CSRF token.
    response = browser.post(url, "List-Unsubscribe=One-Click",
                            content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert not Subscription.objects.filter(subscriber=subscriber).exists()
    waiting.refresh_from_db()
    assert (waiting.status, waiting.error) == ("failed", "unsubscribed")
    assert Subscriber.objects.get(pk=subscriber.pk).email == ""  # no account: forgotten
    assert browser.post(url).status_code == 200  # again: still fine
    assert Client().get(reverse("alerts:unsubscribe",
                                args=["00000000-0000-0000-0000-000000000000"])).status_code == 404


def test_sign_ups_without_an_account_cannot_flood_an_inbox(client, homes, smtp_sink,
                                                            django_capture_on_commit_callbacks):
    """Each sign-up sends a confirmation to the address given: unbounded, the form would let
    anyone flood someone's inbox (or phone, at the city's cost). Three a day to one address,
    five an hour from one connection; then a 429 that says so, and nothing sent."""
    url = reverse("alerts:subscribe_to", args=[homes[0].pk])
    statuses = []
    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            statuses.append(client.post(url, {"email": "cible@example.org"}).status_code)
    assert statuses == [200, 200, 200, 429, 429]
    assert len(smtp_sink.to("cible@example.org")) == 3
    refused = client.post(url, {"email": "autre@example.org"})  # the connection's 6th
    assert refused.status_code == 429 and refused["Retry-After"]
    assert "Trop" in refused.content.decode() and not smtp_sink.to("autre@example.org")
