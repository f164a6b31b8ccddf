"""One throttle for every way in: failed passwords on the API's token endpoint and on the web
sign-in count in the same counters (allauth's login_failed limit, per client address and per
account, in the shared database cache), so a guesser cannot switch paths, forge addresses or
spread over worker processes; and a token only for a confirmed e-mail address."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from rest_framework.authtoken.models import Token

PASSWORD = "x-Citoyenne-2026!"
WRONG = "mauvais-mot-de-passe"
TOKEN_URL = "/api/auth/token/"
ROOT = Path(__file__).resolve().parents[2]


def _token(client, address, password=PASSWORD, **headers):
    return client.post(TOKEN_URL, {"email": address, "password": password}, **headers)


def _sign_in(client, address, password=PASSWORD, **headers):
    return client.post(reverse("account_login"), {"login": address, "password": password},
                       **headers)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _assert_throttled_json(response):
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert "trop de tentatives" in response.json()["detail"].lower()
    assert 0 < int(response["Retry-After"]) <= 300  # the 5-minute window


@pytest.mark.django_db
def test_api_failures_lock_the_web_sign_in(client, make_citizen):
    make_citizen("cible@example.org")
    for _ in range(5):
        assert _token(client, "cible@example.org", WRONG).status_code in (401, 403)
    response = _sign_in(client, "cible@example.org")  # the right password, on the web
    assert not _signed_in(client)
    assert "trop de tentatives" in response.content.decode().lower()


@pytest.mark.django_db
def test_web_failures_lock_the_api_even_with_the_right_password(client, make_citizen):
    user = make_citizen("cible@example.org")
    for _ in range(5):
        response = _sign_in(client, "cible@example.org", WRONG)
        assert "trop de tentatives" not in response.content.decode().lower()
    _assert_throttled_json(_token(client, "cible@example.org"))
    assert not Token.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_api_failures_lock_the_api_even_with_the_right_password(client, make_citizen):
    user = make_citizen("cible@example.org")
    for _ in range(5):
        assert _token(client, "cible@example.org", WRONG).status_code in (401, 403)
    _assert_throttled_json(_token(client, "cible@example.org"))
    assert not Token.objects.filter(user=user).exists()
    # From another address too: the account's own counter is used up.
    response = _token(client, "cible@example.org", REMOTE_ADDR="192.0.2.77")
    assert response.status_code == 429


@pytest.mark.django_db
def test_the_lock_message_in_english(client, make_citizen):
    make_citizen("target@example.org")
    for _ in range(5):
        _token(client, "target@example.org", WRONG)
    response = _token(client, "target@example.org", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert "too many failed login attempts" in response.json()["detail"].lower()


@pytest.mark.django_db
def test_a_success_does_not_reset_the_count(client, make_citizen):
    make_citizen("cible@example.org")
    for _ in range(4):
        _token(client, "cible@example.org", WRONG)
    assert _token(client, "cible@example.org").status_code == 200
    assert _token(client, "cible@example.org", WRONG).status_code in (401, 403)
    _assert_throttled_json(_token(client, "cible@example.org"))


@pytest.mark.django_db
def test_forged_x_forwarded_for_does_not_spread_the_attempts(client, make_citizen):
    """Five wrong guesses on five accounts, each under a new forged X-Forwarded-For: one client
    address all the same (no trusted proxy), so its counter is used up for every account."""
    make_citizen("sixieme@example.org")
    for i in range(5):
        response = _token(client, f"compte{i}@example.org", WRONG,
                          HTTP_X_FORWARDED_FOR=f"198.51.100.{i + 1}")
        assert response.status_code in (401, 403)
    response = _token(client, "sixieme@example.org", HTTP_X_FORWARDED_FOR="198.51.100.99")
    _assert_throttled_json(response)
    response = _sign_in(client, "sixieme@example.org", HTTP_X_FORWARDED_FOR="198.51.100.98")
    assert not _signed_in(client)


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_client_it_saw_is_counted(client, settings, make_citizen):
    """Behind one proxy (GUICHET_TRUSTED_PROXIES=1) the address it appended is the client's:
    whatever a client puts before it is not, and another client is not locked out."""
    settings.GUICHET_TRUSTED_PROXIES = 1
    make_citizen("sixieme@example.org")
    for i in range(5):
        forged = f"198.51.100.{i + 1}, 203.0.113.9"  # forged part, then what our proxy saw
        assert _token(client, f"compte{i}@example.org", WRONG,
                      HTTP_X_FORWARDED_FOR=forged).status_code in (401, 403)
    response = _token(client, "sixieme@example.org", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    assert response.status_code == 429
    other = _token(client, "sixieme@example.org", HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert other.status_code == 200 and other.json()["token"]


@pytest.mark.django_db
def test_no_token_for_an_unconfirmed_address(client, django_user_model):
    user = django_user_model.objects.create_user(username="attente", email="attente@example.org",
                                                 password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    response = _token(client, "attente@example.org")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert "confirmez" in response.json()["detail"].lower()
    english = _token(client, "attente@example.org", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 403
    assert "confirm your e-mail address" in english.json()["detail"].lower()
    # No address row at all (e.g. made with createsuperuser): not confirmed either.
    EmailAddress.objects.filter(user=user).delete()
    assert _token(client, "attente@example.org").status_code == 403
    assert not Token.objects.filter(user=user).exists()
    # Once confirmed, the token.
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    assert _token(client, "attente@example.org").json()["token"]


WORKER = """
import json, sys
import django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.test import Client
client = Client()
email = sys.argv[1]
out = []
for password in sys.argv[2:]:
    r = client.post("/api/auth/token/", {"email": email, "password": password})
    out.append([r.status_code, r.get("Retry-After")])
print(json.dumps(out))
"""


def _other_worker(email, *passwords):
    """The token endpoint in another process (as another gunicorn worker would serve it), on
    the same test database, hence the same database cache."""
    db = connection.settings_dict
    url = (f"postgis://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
           f"{db['PORT'] or 5432}/{db['NAME']}")
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings",
           "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", WORKER, email, *passwords], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_counters_are_shared_between_worker_processes(transactional_db, client, make_citizen):
    make_citizen("cible@example.org")
    # Four failures in another process, one here: the fifth, wherever it is, uses them up.
    assert [code for code, _ in _other_worker("cible@example.org", *[WRONG] * 4)] == [403] * 4
    assert _sign_in(client, "cible@example.org", WRONG).status_code == 200
    response = _sign_in(client, "cible@example.org")  # the right password, in this process
    assert not _signed_in(client)
    assert "trop de tentatives" in response.content.decode().lower()
    [[code, retry_after]] = _other_worker("cible@example.org", PASSWORD)
    assert code == 429 and int(retry_after) > 0


@pytest.mark.django_db
def test_the_api_reads_no_http_basic_credentials(client, make_citizen):
    """Only the session (and, where a view says so, the app's token): HTTP Basic credentials
    on any API URL would be a way to try passwords past the sign-in's throttles."""
    import base64

    make_citizen("basic@example.org", password="x-Citoyenne-2026!")
    for password in ("x-Citoyenne-2026!", "wrong"):
        credentials = base64.b64encode(f"basic@example.org:{password}".encode()).decode()
        header = {"HTTP_AUTHORIZATION": f"Basic {credentials}"}
        assert client.get("/api/places/", {"page_size": 1}, **header).status_code == 200
        assert client.get("/api/me/", **header).status_code == 403


@pytest.mark.django_db
def test_a_lock_left_by_a_failed_request_does_not_refuse_the_right_password(client,
                                                                           make_citizen):
    """allauth locks its counters while it updates them; a request that fails in between (the
    database, which holds the cache, gone) leaves the lock for 10 s, and allauth then refuses
    every sign-in from the address as "too many attempts" (tests/test_db_restart.py found it
    on Open311's keys, which share these counters)."""
    from allauth.account.adapter import get_adapter
    from allauth.core.internal import ratelimit
    from django.test import RequestFactory

    from citizens.adapter import _counters

    make_citizen("cible@example.org")
    request = RequestFactory().post("/", REMOTE_ADDR="127.0.0.1")
    key = get_adapter(request)._get_login_attempts_cache_key(request, email="cible@example.org")
    for _rate, cache_key, _history in _counters(request, key):
        assert cache.add(f"{cache_key}:lock", True, timeout=ratelimit.CACHE_LOCK_TIMEOUT)
    _sign_in(client, "cible@example.org")
    assert _signed_in(client)
    assert _token(client, "cible@example.org").status_code == 200


@pytest.mark.django_db
def test_the_lock_message_is_one_language_with_its_wait(client, make_citizen):
    """DRF adds "Expected available in N seconds." in English to any language's message; the
    API says the whole message, the wait included, in the reader's language."""
    make_citizen("attente-fr@example.org")
    for _ in range(5):
        _token(client, "attente-fr@example.org", WRONG)
    french = _token(client, "attente-fr@example.org", HTTP_ACCEPT_LANGUAGE="fr")
    assert french.status_code == 429
    detail = french.json()["detail"]
    assert re.search(r"Réessayez dans \d+ secondes\.$", detail), detail
    assert "Expected" not in detail
    english = _token(client, "attente-fr@example.org", HTTP_ACCEPT_LANGUAGE="en").json()
    assert re.search(r"Expected available in \d+ seconds\.$", english["detail"])
    assert french.headers["Retry-After"]
