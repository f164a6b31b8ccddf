"""The schedule API behind a transaction-mode pooler, as a deployment at scale runs it: Debian's
PgBouncer (scripts/pgbouncer.sh, pool_mode = transaction) in front of the test database, and
the real server (gunicorn, gthread workers, DATABASE_POOLER=transaction) connected through it.
Many properties over many client connections and threads: no error (a statement prepared on one
server connection and run on another, as the former SQL PREPARE, fails there), and the answer of
the property page's own functions."""
import datetime as dt
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection

from properties.models import Property
from tests.conftest import _clear_cache_committed

from .test_schedule_api import old_json

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, proc=None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with status {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answers on port {port}")


@pytest.fixture(scope="module")
def pgbouncer(django_db_setup):
    """PgBouncer in transaction mode in front of the test database's cluster: its port."""
    if not shutil.which("pgbouncer"):
        pytest.skip("the pgbouncer binary is missing (scripts/system_deps.sh installs Debian's "
                    "package)")
    port = free_port()
    folder = f"/tmp/guichet-pgbouncer-{port}"  # the script's own default: postgres can read it
    pg_port = str(connection.settings_dict["PORT"] or 5432)
    subprocess.run(["bash", ROOT / "scripts" / "pgbouncer.sh", "start", str(port), pg_port,
                    folder], check=True)
    try:
        yield port
    finally:
        subprocess.run(["bash", ROOT / "scripts" / "pgbouncer.sh", "stop", folder], check=False)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def pooled_server(pgbouncer, tmp_path_factory, django_db_blocker):
    """gunicorn (2 workers x 4 threads) on the test database through PgBouncer: its port."""
    port = free_port()
    name = connection.settings_dict["NAME"]
    env = dict(os.environ, DATABASE_URL=f"postgis://postgres@127.0.0.1:{pgbouncer}/{name}",
               DATABASE_POOLER="transaction", DEBUG="False", ALLOWED_HOSTS="127.0.0.1",
               LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind",
             f"127.0.0.1:{port}", "--workers", "2", "--worker-class", "gthread", "--threads",
             "4", "--log-level", "warning"], cwd=ROOT, env=env, stdout=out,
            stderr=subprocess.STDOUT)
    try:
        wait_for(port, proc)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        print(log.read_text()[-3000:])  # shown when the test fails
        with django_db_blocker.unblock():
            _clear_cache_committed()  # the rows the server committed in the cache table


def fetch_all(port: int, urls: list[str], threads: int = 8) -> list[tuple[int, bytes]]:
    """GET every url, `threads` client connections at once, each kept alive for its share."""
    def worker(share):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        out = []
        for url in share:
            conn.request("GET", url)
            response = conn.getresponse()
            out.append((url, response.status, response.read()))
        conn.close()
        return out

    shares = [urls[i::threads] for i in range(threads)]
    with ThreadPoolExecutor(threads) as pool:
        return [r for share in pool.map(worker, shares) for r in share]


def test_the_schedule_api_through_pgbouncer_in_transaction_mode(pooled_server, client):
    props = list(Property.objects.order_by("pk")[::25])  # ~20 of the demo's, some without
    assert len(props) >= 15
    urls = [f"/api/properties/{p.pk}/schedule/" for p in props] * 4  # each one 4 times
    results = fetch_all(pooled_server, urls)
    assert [(url, status) for url, status, _body in results if status != 200] == []
    by_pk = {p.pk: p for p in props}
    for url, _status, body in results:
        data = json.loads(body)
        pk = int(url.split("/")[3])
        # The property page's own functions, at the instant the server answered for.
        expected = json.loads(old_json(by_pk[pk], dt.datetime.fromisoformat(data["now"])))
        assert data.pop("ical_url").endswith(f"/collectes/propriete/{pk}.ics")
        assert data == expected, pk
    # And the same dates as through the direct connection (this process's).
    for p in props[:5]:
        direct = client.get(f"/api/properties/{p.pk}/schedule/").json()
        pooled = next(json.loads(body) for url, _s, body in results
                      if url == f"/api/properties/{p.pk}/schedule/")
        if direct["date"] == pooled["date"]:  # not across midnight
            assert direct["streams"] == pooled["streams"], p.pk
