"""Production settings pass Django's deployment checklist with nothing but the three variables a
deployment must set: the secure defaults (HTTPS, cookies, HSTS...) come from DEBUG being False."""
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_passes_with_production_environment(tmp_path):
    port = os.environ.get("PGPORT", "5544")
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SECURE_", "SESSION_", "CSRF_", "DJANGO_", "DEBUG"))}
    env.update(DEBUG="False", SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(60)),
               ALLOWED_HOSTS="guichet.example", STATIC_ROOT=str(tmp_path),
               DATABASE_URL=f"postgis://postgres@127.0.0.1:{port}/guichet")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_loopback_site_stays_on_plain_http(settings):
    """The demo and these tests run with DEBUG False on 127.0.0.1: no HTTPS redirect there."""
    assert settings.SECURE_SSL_REDIRECT is False
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.X_FRAME_OPTIONS == "DENY"


def test_a_public_site_refuses_to_start_with_the_published_secret_key(tmp_path):
    """Issue 11: a public site started with the default SECRET_KEY (only check --deploy warned).
    Now settings refuse it, naming the variable and how to make one."""
    port = os.environ.get("PGPORT", "5544")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SECURE_", "SESSION_", "CSRF_", "DJANGO_", "DEBUG", "SECRET"))}
    env.update(DEBUG="False", ALLOWED_HOSTS="guichet.example", STATIC_ROOT=str(tmp_path),
               DATABASE_URL=f"postgis://postgres@127.0.0.1:{port}/guichet")
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "ImproperlyConfigured" in result.stderr
