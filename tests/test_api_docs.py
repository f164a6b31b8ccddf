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
    for ref in refs:
        assert not urlsplit(ref).netloc, ref
        assert ref.startswith(sidecar), ref
        assert finders.find(ref.removeprefix(static(""))), f"{ref} is not among our static files"
    assert any(ref.endswith("swagger-ui-bundle.js") for ref in refs)
