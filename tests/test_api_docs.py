"""/api/docs/ (Swagger UI) loads its code from our own static files (drf-spectacular-sidecar),
never from another host: a CDN serving other code would run it on our origin."""
import re
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static

pytestmark = pytest.mark.django_db


def test_api_docs_reference_no_external_host(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    # Any absolute URL or protocol-relative one, anywhere in the page (attributes or script).
    assert not re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}", html, flags=re.I)
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert refs, "the page loads its script and style"
    sidecar = static("drf_spectacular_sidecar/")
    # Swagger UI's start-up script comes from the view itself (the split view: no inline script
    # under the Content-Security-Policy); everything else is a static file, Swagger UI's from
    # the sidecar.
    start_up = "/api/docs/?script="
    assert start_up in refs
    for ref in refs:
        assert not urlsplit(ref).netloc, ref
        if ref == start_up:
            continue
        assert ref.startswith(sidecar) or ref == static("core/swagger-ui-page.css"), ref
        assert finders.find(ref.removeprefix(static(""))), f"{ref} is not among our static files"
    assert any(ref.endswith("swagger-ui-bundle.js") for ref in refs)


def test_api_docs_start_up_script_is_served_by_the_view(client):
    response = client.get("/api/docs/?script=")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in response.content and b"/api/schema/" in response.content
