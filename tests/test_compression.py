"""Pages and API answers are sent compressed to a browser that asks (GZipMiddleware: Lighthouse
found them uncompressed, bench/RESULTS.md), and as they are to one that does not."""
import gzip
import json

import pytest

pytestmark = pytest.mark.django_db


def test_an_api_answer_and_a_page_are_compressed_when_asked(client):
    plain = client.get("/api/categories/")
    assert "Content-Encoding" not in plain
    packed = client.get("/api/categories/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(packed.content)) == plain.json()
    assert "Accept-Encoding" in packed["Vary"]
    page = client.get("/", HTTP_ACCEPT_ENCODING="gzip")
    assert page["Content-Encoding"] == "gzip"
    assert b"<html" in gzip.decompress(page.content)
