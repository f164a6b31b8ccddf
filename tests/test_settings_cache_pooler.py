"""CACHE_URL and DATABASE_POOLER, read by config/settings.py in a fresh process (settings are
read once per process)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHOW = ("import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'caches': s.CACHES, 'db': s.DATABASES['default']}, default=str))")


def settings_with(**env) -> dict:
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("CACHE_URL", "DATABASE_POOLER", "DATABASE_PREPARE_THRESHOLD")}
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings", PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", SHOW], cwd=ROOT, env=environment,
                          capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_the_default_cache_is_a_database_table_shared_by_the_workers():
    s = settings_with()
    assert s["caches"]["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert s["caches"]["default"]["LOCATION"] == "guichet_cache"
    assert not s["db"].get("DISABLE_SERVER_SIDE_CURSORS")


def test_a_redis_cache_by_url():
    s = settings_with(CACHE_URL="rediscache://cache.example:6379/1")
    assert s["caches"]["default"]["BACKEND"].endswith("RedisCache")
    assert "cache.example:6379" in json.dumps(s["caches"]["default"]["LOCATION"])


def test_behind_a_transaction_pooler_no_server_side_cursors_nor_prepared_statements():
    s = settings_with(DATABASE_POOLER="transaction")
    assert s["db"]["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert not s["db"].get("OPTIONS", {}).get("server_side_binding")


def test_an_unknown_pooler_mode_is_refused():
    with pytest.raises(RuntimeError, match="DATABASE_POOLER"):
        settings_with(DATABASE_POOLER="statement")


def test_prepared_statements_are_on_by_default_and_never_behind_a_transaction_pooler():
    options = settings_with()["db"]["OPTIONS"]
    assert options["server_side_binding"] is True and options["prepare_threshold"] == 5
    options = settings_with(DATABASE_PREPARE_THRESHOLD="2")["db"]["OPTIONS"]
    assert options["server_side_binding"] is True and options["prepare_threshold"] == 2
    for off in ({"DATABASE_PREPARE_THRESHOLD": "off"}, {"DATABASE_POOLER": "transaction"}):
        options = settings_with(**off)["db"].get("OPTIONS", {})
        assert "prepare_threshold" not in options and "server_side_binding" not in options, off
    options = settings_with(DATABASE_POOLER="session")["db"]["OPTIONS"]
    assert options["server_side_binding"] is True
    with pytest.raises(RuntimeError, match="DATABASE_PREPARE_THRESHOLD"):
        settings_with(DATABASE_PREPARE_THRESHOLD="5", DATABASE_POOLER="transaction")
    with pytest.raises(RuntimeError, match="'five'"):
        settings_with(DATABASE_PREPARE_THRESHOLD="five")
