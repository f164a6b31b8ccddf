"""The database stopped and started under a small load (issue 11, "Trust"): a throwaway PostGIS
cluster of its own (scripts/db.sh with its own PGDATA and port, durable as in production), the
site in gunicorn (config/gunicorn.py) pointed at it, three client threads reading pages and
sending Open311 reports; the cluster is killed (pg_ctl stop -m immediate, as in a crash) for
about three seconds, then started again. While it is down every answer is a 503 with
Retry-After, in the caller's format, at once; once it is up every answer is the normal one
again; every report answered "accepted" (its token) is in the database afterwards, and no
report answered 503 is."""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from glob import glob
from pathlib import Path
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parents[1]
PG_BINS = sorted(glob("/usr/lib/postgresql/*/bin"))
PG_BIN = Path(PG_BINS[-1]) if PG_BINS and os.path.exists(f"{PG_BINS[-1]}/initdb") else None
AS_ROOT = os.geteuid() == 0
CLIENTS = 3
OUTAGE_S = 3.0
SLOWEST_S = 5.0  # no answer waits longer, outage or not
API_KEY_NAME = "Essai de redemarrage"

pytestmark = pytest.mark.skipif(
    PG_BIN is None or (AS_ROOT and shutil.which("runuser") is None),
    reason="the PostgreSQL server binaries (initdb, pg_ctl) are not installed")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(*command):
    """A PostgreSQL binary as the postgres user (the server refuses to run as root)."""
    prefix = ["runuser", "-u", "postgres", "--"] if AS_ROOT else []
    return subprocess.run([*prefix, *command], cwd="/", check=True, capture_output=True,
                          text=True, timeout=60)


class Cluster:
    """A cluster made and started by scripts/db.sh in a folder of its own."""

    def __init__(self):
        # Not under pytest's tmp_path: the postgres user must reach the folder.
        self.folder = Path(tempfile.mkdtemp(prefix="guichet-restart-", dir="/tmp"))
        self.folder.chmod(0o755)
        self.data = self.folder / "data"
        self.port = _free_port()
        self.url = f"postgis://postgres@127.0.0.1:{self.port}/guichet"
        self.env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        self.env.update(PGDATA=str(self.data), PGPORT=str(self.port))
        if AS_ROOT:
            shutil.chown(self.folder, "postgres", "postgres")

    def start(self):
        subprocess.run(["bash", "scripts/db.sh", "start"], cwd=ROOT, env=self.env, check=True,
                       capture_output=True, timeout=120)

    def crash(self):
        _as_postgres(f"{PG_BIN}/pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")

    def remove(self):
        try:
            _as_postgres(f"{PG_BIN}/pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass  # not running
        shutil.rmtree(self.folder, ignore_errors=True)

    def query(self, sql, *params):
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres",
                             dbname="guichet", connect_timeout=5) as conn:
            return conn.execute(sql, params).fetchall()


def _manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=120)


class Site:
    """The site in gunicorn, with the production configuration file."""

    def __init__(self, env, log):
        self.port = _free_port()
        self.log = open(log, "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py",
             "config.wsgi:application"],
            cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": "2",
                 "GUNICORN_THREADS": "2"})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if self.call("GET", "/readyz")[0] == 200:
                    return
            except OSError:
                pass
            assert self.process.poll() is None, "gunicorn exited"
            time.sleep(0.2)
        raise AssertionError("gunicorn did not answer /readyz within 30 s")

    def call(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=SLOWEST_S * 2)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.getheader("Retry-After"), \
                response.getheader("Content-Type") or "", response.read()
        finally:
            connection.close()

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()


class Load:
    """CLIENTS threads, each in turn: the home page (HTML), Open311's services (JSON) and a
    report sent with an api_key (Open311 POST). Every call is recorded: (kind, start, end,
    status, Retry-After, content type, the report's description, its token)."""

    def __init__(self, site, api_key):
        self.site, self.api_key = site, api_key
        self.calls, self.lock = [], threading.Lock()
        self.running = True
        self.threads = [threading.Thread(target=self._run, args=(n,)) for n in range(CLIENTS)]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.running = False
        for thread in self.threads:
            thread.join(timeout=30)

    def _run(self, client):
        n = 0
        while self.running:
            n += 1
            kind = ("page", "services", "report")[n % 3]
            description = token = None
            headers = {"Accept-Language": "fr"}
            if kind == "page":
                method, path, body = "GET", "/", None
            elif kind == "services":
                method, path, body = "GET", "/open311/v2/services.json", None
            else:
                description = f"Essai de redemarrage {client}-{n}-{uuid.uuid4().hex[:8]}"
                method, path = "POST", "/open311/v2/requests.json"
                body = urlencode({"api_key": self.api_key, "service_code": "nid-de-poule",
                                  "lat": "45.3750", "long": "-73.9900",
                                  "email": f"essai{client}@example.org",
                                  "attribute[taille]": "moyen", "description": description})
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            start = time.monotonic()
            try:
                status, retry, content_type, content = self.site.call(method, path, body,
                                                                      headers)
            except OSError as error:  # refused, reset, timed out: recorded as such
                status, retry, content_type, content = repr(error), None, "", b""
            end = time.monotonic()
            if kind == "report" and status == 200:
                token = json.loads(content)[0]["token"]
            with self.lock:
                self.calls.append({"kind": kind, "start": start, "end": end, "status": status,
                                   "retry": retry, "type": content_type, "body": content[:20000],
                                   "description": description, "token": token})
            time.sleep(0.05)


def test_the_database_restarts_under_load_503_meanwhile_nothing_accepted_is_lost(tmp_path):
    began = time.monotonic()
    cluster = Cluster()
    site = None
    try:
        cluster.start()
        env = {**cluster.env, "DATABASE_URL": cluster.url, "DEBUG": "false",
               "DJANGO_SETTINGS_MODULE": "config.settings"}
        env.pop("PGDATA")
        _manage(env, "migrate", "-v", "0")
        _manage(env, "createcachetable")
        _manage(env, "load_request_categories", "data/pincourt/request-categories.json")
        api_key = subprocess.run(
            [sys.executable, "-c", "import django; django.setup(); "
             "from service_requests.open311.keys import create_client; "
             f"print(create_client(name={API_KEY_NAME!r})[1])"],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True,
            timeout=60).stdout.strip().splitlines()[-1]
        # Durable, as in production: an "accepted" report is on disk.
        assert cluster.query("SHOW synchronous_commit") == [("on",)]
        assert cluster.query("SHOW fsync") == [("on",)]

        site = Site(env, tmp_path / "gunicorn.log")
        with Load(site, api_key) as load:
            time.sleep(2.0)
            down_from = time.monotonic()
            cluster.crash()
            down = time.monotonic()
            time.sleep(OUTAGE_S)
            up_from = time.monotonic()
            cluster.start()
            up = time.monotonic()
            time.sleep(4.0)
        calls = load.calls
        log = (tmp_path / "gunicorn.log").read_text(errors="replace")[-3000:]

        before = [c for c in calls if c["end"] < down_from]
        during = [c for c in calls if c["start"] > down and c["end"] < up_from]
        after = [c for c in calls if c["start"] > up]
        print(f"\n{len(calls)} calls: {len(before)} before, {len(during)} during the "
              f"{up_from - down:.1f} s outage, {len(after)} after the restart; slowest "
              f"{max(c['end'] - c['start'] for c in calls):.2f} s; "
              f"{sum(1 for c in calls if c['token'])} reports accepted; "
              f"setup to end {time.monotonic() - began:.0f} s")
        assert len(before) >= 6 and len(during) >= 6 and len(after) >= 6, log
        # Nothing but a normal answer or a 503; nothing hangs.
        odd = [c for c in calls if c["status"] not in (200, 503)]
        assert odd == [], (odd[:5], log)
        assert max(c["end"] - c["start"] for c in calls) < SLOWEST_S
        assert all(c["status"] == 200 for c in before), before
        # During the outage: a 503 with Retry-After, in the caller's format.
        for call in during:
            assert call["status"] == 503 and int(call["retry"]) > 0, call
            if call["kind"] == "page":
                assert call["type"].startswith("text/html") and b"site-header" in call["body"]
            else:
                assert call["type"].startswith("application/json")
                assert json.loads(call["body"])[0]["code"] == 503
        assert {c["kind"] for c in during} == {"page", "services", "report"}
        # After the restart: the normal answer, every time.
        assert [c for c in after if c["status"] != 200] == [], log
        assert {c["kind"] for c in after} == {"page", "services", "report"}
        # Every report answered accepted is in the database; none answered 503 is.
        reports = [c for c in calls if c["kind"] == "report"]
        accepted = {c["description"]: c["token"] for c in reports if c["status"] == 200}
        stored = dict(cluster.query(
            "SELECT r.description, r.public_id::text FROM service_requests_servicerequest r "
            "WHERE r.description LIKE 'Essai de redemarrage %%'"))
        assert stored == accepted
        assert len(accepted) >= 4
    finally:
        if site is not None:
            site.stop()
        cluster.remove()
