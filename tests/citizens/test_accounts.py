"""Citizen accounts (django-allauth): sign-up confirmed by a link sent over real SMTP, sign-in,
throttling, password reset, e-mail change, sign-out; no page tells whether an address exists."""
import re
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db
PASSWORD = "x-Citoyenne-2026!"


def _path(link: str) -> str:
    return urlsplit(link).path


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _sign_up(client, address, password=PASSWORD):
    return client.post(reverse("account_signup"),
                       {"email": address, "password1": password, "password2": password})


def _sign_in(client, address, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": address, "password": password})


def _confirm(client, link):
    page = client.get(_path(link))
    assert page.status_code == 200
    # The link opens a page with a button (mail scanners that follow links confirm nothing).
    return client.post(_path(link))


def test_sign_up_page_says_what_is_collected_and_why(client):
    page = client.get(reverse("account_signup"))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="fr"' in html and "Guichet" in html  # the site's own layout
    assert 'name="username"' not in html
    assert 'name="email"' in html and 'name="password1"' in html
    assert 'id="privacy-title"' in html


def test_sign_up_confirm_by_link_then_sign_in(client, smtp_sink):
    response = _sign_up(client, "lea@example.org")
    assert response.status_code == 302
    assert not _signed_in(client)  # mandatory confirmation first

    [message] = smtp_sink.to("lea@example.org")
    [link] = smtp_sink.links("lea@example.org", "/compte/confirm-email/")
    # On the site's public address, whatever host the request came by.
    assert link.startswith(settings.GUICHET_SITE_URL + "/compte/confirm-email/")
    assert not EmailAddress.objects.get(email="lea@example.org").verified

    response = _confirm(client, link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="lea@example.org").verified

    response = _sign_in(client, "lea@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")
    assert _signed_in(client)


def test_weak_password_refused_by_django_validators(client, smtp_sink):
    response = _sign_up(client, "faible@example.org", "12345678")
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    assert not get_user_model().objects.filter(email="faible@example.org").exists()
    assert not smtp_sink.messages


def test_unconfirmed_sign_in_refused(client, smtp_sink):
    _sign_up(client, "pressee@example.org")
    client.logout()
    response = _sign_in(client, "pressee@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not _signed_in(client)


def test_sign_up_with_a_registered_address_reveals_nothing(client, smtp_sink, make_citizen):
    make_citizen("deja@example.org")
    response = _sign_up(client, "deja@example.org")
    # Same answer as a new address: "check your e-mail"; the owner is told by e-mail instead.
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert get_user_model().objects.filter(email__iexact="deja@example.org").count() == 1


def test_password_reset_by_link(client, smtp_sink, make_citizen):
    make_citizen("oublie@example.org")
    response = client.post(reverse("account_reset_password"), {"email": "oublie@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")

    [link] = smtp_sink.links("oublie@example.org", "/compte/password/reset/key/")
    response = client.get(_path(link))
    assert response.status_code == 302  # the key moves into the session, out of the URL
    form_url = response["Location"]
    new = "Nouveau-mot-2026!"
    response = client.post(form_url, {"password1": new, "password2": new})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_from_key_done")

    assert _sign_in(client, "oublie@example.org", PASSWORD).status_code == 200  # old one: no
    assert not _signed_in(client)
    assert _sign_in(client, "oublie@example.org", new).status_code == 302
    assert _signed_in(client)


def test_password_reset_for_unknown_address_same_page_no_link(client, smtp_sink, make_citizen):
    make_citizen("connue@example.org")
    known = client.post(reverse("account_reset_password"), {"email": "connue@example.org"})
    unknown = client.post(reverse("account_reset_password"), {"email": "inconnue@example.org"})
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    csrf = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    page_known = csrf.sub("", client.get(known["Location"]).content.decode())
    page_unknown = csrf.sub("", client.get(unknown["Location"]).content.decode())
    assert page_known == page_unknown
    assert smtp_sink.links("connue@example.org", "/password/reset/key/")
    assert not smtp_sink.links("inconnue@example.org", "/password/reset/key/")


def test_sixth_wrong_password_throttled_even_with_the_right_one(client, make_citizen):
    make_citizen("cible@example.org")
    for _ in range(5):
        response = _sign_in(client, "cible@example.org", "mauvais-mot-de-passe")
        assert response.status_code == 200
        assert "trop de tentatives" not in response.content.decode().lower()
    response = _sign_in(client, "cible@example.org", PASSWORD)  # right password, 6th attempt
    assert not _signed_in(client)
    assert response.status_code in (200, 429)
    text = response.content.decode().lower()
    assert "trop de tentatives" in text  # "Trop de tentatives de connexion infructueuses..."


def test_throttling_message_in_english(client, make_citizen):
    make_citizen("target@example.org")
    for _ in range(5):
        client.post("/en/compte/login/", {"login": "target@example.org", "password": "wrong"})
    response = client.post("/en/compte/login/", {"login": "target@example.org",
                                                 "password": PASSWORD})
    assert not _signed_in(client)
    assert "too many failed login attempts" in response.content.decode().lower()


def test_email_change_requires_confirming_the_new_address(client, smtp_sink, make_citizen):
    user = make_citizen("ancienne@example.org")
    client.force_login(user)
    response = client.post(reverse("account_email"),
                           {"email": "nouvelle@example.org", "action_add": ""})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "ancienne@example.org"  # unchanged until confirmed
    assert not smtp_sink.links("ancienne@example.org", "/compte/confirm-email/")
    [link] = smtp_sink.links("nouvelle@example.org", "/compte/confirm-email/")

    _confirm(client, link)
    user.refresh_from_db()
    assert user.email == "nouvelle@example.org"
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified")) == [
        ("nouvelle@example.org", True)]


def test_sign_out(client, make_citizen):
    client.force_login(make_citizen("sortie@example.org"))
    assert client.get(reverse("account_logout")).status_code == 200  # a confirmation page
    assert _signed_in(client)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302 and response["Location"] == "/"
    assert not _signed_in(client)


def test_account_pages_in_english(client):
    html = client.get("/en/compte/login/").content.decode()
    assert '<html lang="en"' in html and "Sign In" in html
