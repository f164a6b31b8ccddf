"""Every HTML page carries the site's Content-Security-Policy (django-csp): scripts and styles from
our origin or with the request's nonce, never 'unsafe-inline'; and the pages hold nothing that
such a policy would block (an inline <script> or <style> without the nonce, a style="" or on...=
attribute)."""
import re

import pytest
from django.urls import reverse

from collections_schedule.models import Zone
from leisure.models import Group
from properties.models import Property

pytestmark = pytest.mark.django_db

SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)
STYLE = re.compile(r"<style\b([^>]*)>", re.I)
FORBIDDEN_ATTRIBUTE = re.compile(r"<[a-z][^>]*\s(style|on[a-z]+)\s*=", re.I)


def _directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in
            (part.split() for part in policy.split(";") if part.strip())}


def _pages(staff):
    prop = Property.objects.exclude(parcel=None).exclude(addresses=None).order_by("pk").first()
    zone = Zone.objects.order_by("pk").first()
    yield None, "/"
    yield None, reverse("portal:property", args=[prop.pk])
    yield None, reverse("property-year", args=[prop.pk, 2026])
    yield None, reverse("service_requests:report")
    yield None, reverse("service_requests:public_list")
    yield None, reverse("account_login")
    yield None, reverse("api-docs")
    yield None, "/une-page-qui-n-existe-pas/"  # the site's own 404 page
    yield None, reverse("core:offline")  # kept by the service worker, shown without network
    yield None, reverse("leisure:catalogue")
    yield None, reverse("leisure:group", args=[Group.objects.order_by("pk").first().pk])
    yield staff, reverse("portal:dashboard")
    yield staff, reverse("leisure:week")
    yield staff, reverse("leisure:week_summary")
    yield staff, reverse("requests_staff:queue")
    yield staff, reverse("collections_staff:zone_sets")
    yield staff, reverse("collections_staff:split", args=[zone.pk])
    yield staff, "/admin/"
    yield staff, f"/admin/collections_schedule/zone/{zone.pk}/change/"
    yield staff, "/admin/geo/territory/"


def test_every_page_carries_a_policy_without_unsafe_inline(client, django_user_model):
    staff = django_user_model.objects.create_superuser(
        username="csp-staff", email="csp-staff@example.org", password="x-Personnel-2026!")
    seen = 0
    for user, url in _pages(staff):
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(url, follow=True)
        assert response.status_code in (200, 404), (url, response.status_code)
        assert response["Content-Type"].startswith("text/html"), url
        policy = _directives(response["Content-Security-Policy"])
        for directive in ("script-src", "style-src"):
            assert "'unsafe-inline'" not in policy[directive], (url, directive)
            assert "'unsafe-eval'" not in policy[directive], (url, directive)
            assert policy[directive][0] == "'self'", (url, directive)
        assert policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"]
        assert policy["connect-src"] == ["'self'"]

        html = response.content.decode()
        nonces = {v.removeprefix("'nonce-").removesuffix("'") for v in policy["script-src"]
                  if v.startswith("'nonce-")}
        for attributes in SCRIPT.findall(html):
            if "src=" in attributes or 'type="application/json"' in attributes:
                continue  # a file of ours, or data (json_script) the browser does not run
            assert any(f'nonce="{n}"' in attributes for n in nonces), (url, attributes)
        for attributes in STYLE.findall(html):
            assert any(f'nonce="{n}"' in attributes for n in nonces), (url, attributes)
        assert not FORBIDDEN_ATTRIBUTE.findall(html), (url, FORBIDDEN_ATTRIBUTE.findall(html))
        seen += 1
    assert seen == 20


def test_a_page_without_inline_code_gets_no_nonce(client):
    policy = _directives(client.get("/")["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]


def test_the_tile_host_is_the_only_other_image_source(settings):
    from config.settings import _tile_source

    assert _tile_source("") == []
    assert _tile_source("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png") == \
        ["https://*.tile.openstreetmap.org"]
    assert _tile_source("https://tiles.example.org/{z}/{x}/{y}.png") == \
        ["https://tiles.example.org"]
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        _tile_source("https://tiles.{s}.example.org/{z}/{x}/{y}.png")
