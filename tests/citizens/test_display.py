"""The text size and contrast of the site (issue 14; core/display.py): the page is drawn on the
server with the reader's choice (no flash), kept in the browser's cookie and, for a signed-in
citizen, with the account; the buttons post with the CSRF token, without a script too. The
browser side is tests/e2e/test_display.py."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from citizens.models import DisplayPreference
from core import display
from core.models import AccessLog
from portal.services import delete_account

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db
URL = "/affichage/"
PRESSED = re.compile(r'<button type="submit" name="(text_size|contrast)" value="(\w+)" '
                     r'aria-pressed="(true|false)"')


def _drawn(response) -> dict:
    """The <html> element's display attributes and the buttons' state, from the page."""
    html = response.content.decode()
    root = re.search(r'<html lang="\w+" data-text-size="(\w+)" data-contrast="(\w+)">', html)
    assert root, html[:400]
    return {"text_size": root[1], "contrast": root[2],
            "pressed": sorted(f"{name}={value}" for name, value, on in PRESSED.findall(html)
                              if on == "true"),
            "contrast_button": next(v for n, v, _ in PRESSED.findall(html) if n == "contrast")}


@pytest.fixture
def citizen(django_user_model):
    return django_user_model.objects.create_user(
        username="lecteur", email="lecteur@example.org", password="x-Lecteur-2026!")


def test_a_page_is_drawn_with_the_browsers_choice(client):
    assert _drawn(client.get("/")) == {"text_size": "normal", "contrast": "auto",
                                       "pressed": ["text_size=normal"], "contrast_button": "high"}
    client.cookies[display.COOKIE] = "larger.high"
    assert _drawn(client.get("/signalements/")) == {
        "text_size": "larger", "contrast": "high",
        "pressed": ["contrast=normal", "text_size=larger"], "contrast_button": "normal"}
    client.cookies[display.COOKIE] = "huge.<script>"  # anything else: the default
    assert _drawn(client.get("/en/"))["text_size"] == "normal"


def test_a_button_without_the_script_keeps_the_choice_and_comes_back(client):
    response = client.post(URL, {"text_size": "large", "next": "/signalements/?page=2"})
    assert response.status_code == 302 and response["Location"] == "/signalements/?page=2"
    cookie = response.cookies[display.COOKIE]
    assert cookie.value == "large.auto" and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == display.COOKIE_MAX_AGE
    # The other part is kept: the browser sends its cookie back.
    response = client.post(URL, {"contrast": "high", "next": "/en/"})
    assert response.cookies[display.COOKIE].value == "large.high"
    assert _drawn(client.get("/en/"))["contrast"] == "high"
    # Never sent to another site.
    response = client.post(URL, {"contrast": "normal", "next": "https://evil.example/"})
    assert response["Location"] == reverse("portal:home")


def test_the_script_gets_json(client):
    response = client.post(URL, {"contrast": "high"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json() == {"text_size": "normal", "contrast": "high"}
    assert response.cookies[display.COOKIE].value == "normal.high"


def test_only_a_post_with_the_csrf_token_and_known_values(client):
    assert client.get(URL).status_code == 405
    assert client.post(URL, {"text_size": "huge"}).status_code == 400
    assert client.post(URL, {"contrast": "inverted"}).status_code == 400
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(URL, {"text_size": "large"}).status_code == 403
    page = strict.get("/")  # the form's own token
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    assert strict.post(URL, {"text_size": "large", "csrfmiddlewaretoken": token}).status_code == 302


def test_a_signed_in_citizens_choice_follows_them_to_another_browser(client, citizen):
    client.force_login(citizen)
    client.post(URL, {"text_size": "larger"})
    client.post(URL, {"contrast": "normal"}, HTTP_ACCEPT="application/json")
    stored = DisplayPreference.objects.get(user=citizen)
    assert (stored.text_size, stored.contrast) == ("larger", "normal")
    assert AccessLog.objects.filter(subject=citizen, action="change", record="display").count() == 2

    other = Client()  # another browser: no cookie
    assert _drawn(other.get("/"))["text_size"] == "normal"
    other.cookies[display.COOKIE] = "large.high"  # its own earlier choice, made signed out
    other.force_login(citizen)
    drawn = _drawn(other.get("/mon-compte/"))
    assert (drawn["text_size"], drawn["contrast"]) == ("larger", "normal")  # the account's
    other.post(reverse("account_logout"))  # the site's sign-out (the test client's drops cookies)
    assert _drawn(other.get("/"))["text_size"] == "large"  # signed out: the browser's again


def test_the_choice_is_in_the_export_and_goes_with_the_account(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse("portal:export")).json()["display"] is None
    client.post(URL, {"text_size": "large"})
    assert client.get(reverse("portal:export")).json()["display"] == {
        "text_size": "large", "contrast": "auto"}
    delete_account(user=citizen)
    assert not DisplayPreference.objects.exists()


CHILD = """
import django, json
django.setup()
from django.test import Client
client = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1")
client.cookies["guichet_display"] = "larger.high"
client.cookies["sessionid"] = "x" * 32  # a signed-in browser: its session is in the database
r = client.get("/")
print(json.dumps([r.status_code, r.content.decode()[:600]]))
"""


def test_while_the_database_is_unreachable_the_503_page_keeps_the_browsers_choice():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings",
           "DATABASE_URL": "postgis://postgres@127.0.0.1:9/guichet"}  # refused (test_errors)
    result = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    status, head = json.loads(result.stdout.strip().splitlines()[-1])
    assert status == 503
    assert 'data-text-size="larger" data-contrast="high"' in head
