"""Errors answer in the caller's format and the visitor's language (issue 11): the site's own
404 and 403 pages, JSON for the API, the spec's error list for Open311, and 503 with
Retry-After while the database cannot be reached (a real unreachable server: a port nothing
listens on, in a child process), /readyz telling it apart from /healthz."""
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.django_db


def fr(message):
    with translation.override("fr"):
        return gettext(message)


def test_a_missing_page_is_the_sites_own_in_the_visitors_language(client):
    french = client.get("/cette-page-n-existe-pas/")
    assert french.status_code == 404
    html = unescape(french.content.decode())
    assert 'class="site-header"' in html and 'lang="fr"' in html
    assert fr("This page does not exist, or no longer does.") in html
    english = client.get("/en/no-such-page/")
    assert english.status_code == 404
    assert "This page does not exist, or no longer does." in english.content.decode()


def test_the_api_and_open311_answer_errors_in_their_own_format(client):
    api = client.get("/api/no-such-endpoint/")
    assert api.status_code == 404 and api["Content-Type"] == "application/json"
    assert "detail" in api.json()
    open311 = client.get("/open311/v2/no-such-endpoint.json")
    assert open311.status_code == 404
    [error] = open311.json()
    assert error["code"] == 404 and error["description"]


def test_a_forbidden_page_is_the_sites_own(client, django_user_model):
    client.force_login(django_user_model.objects.create_user(username="c", password="x"))
    response = client.get("/personnel/demandes/")
    assert response.status_code == 403
    html = unescape(response.content.decode())
    assert 'class="site-header"' in html and fr("You may not see this page.") in html


CHILD = """
import django, json
django.setup()
from django.test import Client
client = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1")
out = {}
for path in ("/", "/api/properties/1/nearby/", "/readyz", "/healthz",
             "/open311/v2/services.json", "/open311/v2/services.xml"):
    r = client.get(path)
    out[path] = [r.status_code, r.get("Retry-After"), r.content.decode()[:3000],
                 r.get("Content-Type")]
print(json.dumps(out))
"""


def test_while_the_database_is_unreachable_pages_answer_503_and_healthz_stays_up():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings",
           # Nothing listens on port 9 (discard) on this machine: connections are refused.
           "DATABASE_URL": "postgis://postgres@127.0.0.1:9/guichet"}
    result = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    status, retry, body, _kind = out["/"]
    assert status == 503 and retry == "30" and 'class="site-header"' in body
    status, retry, body, _kind = out["/api/properties/1/nearby/"]
    assert status == 503 and retry == "30" and "detail" in json.loads(body)
    assert out["/readyz"][:2] == [503, "30"]
    # Open311: the spec's error list, in the format of the address (XML got JSON).
    status, retry, body, kind = out["/open311/v2/services.json"]
    assert status == 503 and retry == "30" and kind == "application/json; charset=utf-8"
    assert json.loads(body)[0]["code"] == 503
    status, retry, body, kind = out["/open311/v2/services.xml"]
    assert status == 503 and retry == "30" and kind == "text/xml; charset=utf-8"
    root = ET.fromstring(body.encode())
    assert root.tag == "errors" and root.findtext("error/code") == "503"
    assert out["/healthz"][0] == 200


def test_open311_answers_a_multipart_body_without_boundary_with_its_error_list():
    """Issue 11: such a body got Django's HTML 400 page; an Open311 client reads the spec's
    error list, in the format it asked for (XML for .xml: it got JSON)."""
    from django.test import Client

    client = Client(raise_request_exception=False)
    message = fr("The body of the request could not be read: send the fields as "
                 "application/x-www-form-urlencoded, or as multipart/form-data with its "
                 "boundary.")
    response = client.generic("POST", "/open311/v2/requests.json", b"abc",
                              content_type="multipart/form-data")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == [{"code": 400, "description": message}]
    response = client.generic("POST", "/open311/v2/requests.xml", b"abc",
                              content_type="multipart/form-data")
    assert response.status_code == 400 and response["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == "errors"
    assert [(e.findtext("code"), e.findtext("description")) for e in root] == [("400", message)]
