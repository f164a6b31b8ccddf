"""Latency through a real HTTP server: gunicorn (gthread workers, config.wsgi:application, DEBUG
off) on 127.0.0.1 (port 8765, or $BENCH_HTTP_PORT), driven by stdlib http.client keep-alive
clients, one request at a time, the endpoints taking turns; the citizen dashboard with a
signed-in citizen's session cookie (bench_citizen.py); and beside it the raw SQL proximity query
of PlaceQuerySet.within run directly through psycopg."""
import contextlib
import ctypes
import http.client
import os
import random
import signal
import socket
import subprocess
import time
from dataclasses import dataclass

import benchdb
import psycopg

HOST, PORT = "127.0.0.1", int(os.environ.get("BENCH_HTTP_PORT", "8765"))
NEARBY = "GET /api/properties/<id>/nearby/"
SCHEDULE = "GET /api/properties/<id>/schedule/"
PROPERTY = "GET /propriete/<id>/"
DASHBOARD = "GET /mon-compte/ (signed in, 2 verified properties)"
HEALTHZ = "GET /healthz"
RAW_SQL = "raw SQL proximity query (psycopg)"
# name: (URL pattern, `{}` the property id, marker counted in the bodies: items returned)
ENDPOINTS = {
    NEARBY: ("/api/properties/{}/nearby/", b'"type":"Feature"'),
    SCHEDULE: ("/api/properties/{}/schedule/", b'"stream":'),
    PROPERTY: ("/propriete/{}/", None),
    DASHBOARD: ("/mon-compte/", None),
    HEALTHZ: ("/healthz", None),
}
RADIUS_M = 300  # settings.GUICHET_PROXIMITY_M default, what the nearby API uses
# The SQL Django sends for PropertyViewSet.nearby (PlaceQuerySet.within + the WGS 84 annotation),
# copied from a CaptureQueriesContext: dwithin on the GiST index, Distance on the survivors.
NEARBY_SQL = """
SELECT "geo_place"."id", "geo_place"."category_id", "geo_place"."name", "geo_place"."address",
       "geo_place"."geom", "geo_place"."source", "geo_place"."source_id",
       ST_Distance("geo_place"."geom", %(g)s::geometry) AS "distance",
       ST_Transform("geo_place"."geom", 4326) AS "geom_wgs84",
       "geo_placecategory"."id", "geo_placecategory"."slug", "geo_placecategory"."name_fr",
       "geo_placecategory"."name_en", "geo_placecategory"."icon", "geo_placecategory"."color",
       "geo_placecategory"."sort_order"
FROM "geo_place" INNER JOIN "geo_placecategory"
     ON ("geo_place"."category_id" = "geo_placecategory"."id")
WHERE ST_DWithin("geo_place"."geom", %(g)s::geometry, %(r)s)
ORDER BY 8 ASC, "geo_place"."id" ASC
"""


@dataclass
class Result:
    name: str
    samples_ms: list
    errors: int = 0
    rows: float = 0.0  # mean items returned: places (nearby), streams (schedule), SQL rows

    def pct(self, p: float) -> float:
        """Nearest-rank percentile."""
        data = sorted(self.samples_ms)
        if not data:
            return float("nan")
        return data[min(len(data) - 1, max(0, round(p / 100 * len(data) + 0.5) - 1))]

    def summary(self) -> dict:
        return {"name": self.name, "n": len(self.samples_ms), "errors": self.errors,
                "p50": self.pct(50), "p90": self.pct(90), "p99": self.pct(99),
                "max": max(self.samples_ms, default=float("nan")),
                "mean": sum(self.samples_ms) / max(1, len(self.samples_ms)), "rows": self.rows}


def _die_with_parent():
    """Linux: the gunicorn master gets SIGTERM if the benchmark process dies (even SIGKILL)."""
    os.setsid()
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _port_free() -> bool:
    with socket.socket() as s:
        return s.connect_ex((HOST, PORT)) != 0


@contextlib.contextmanager
def gunicorn(workers: int, threads: int, log_path, env=None):
    """Run gunicorn for the duration of the block; always stopped afterwards (SIGTERM, then
    SIGKILL of its process group if it lingers). `env`: changes to the Django environment
    (benchdb.django_env), e.g. DATABASE_URL to a pooler."""
    if not _port_free():
        raise RuntimeError(f"port {PORT} is already in use: stop what listens there first")
    log = open(log_path, "ab")
    cmd = [benchdb.PY, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application",
           "--bind", f"{HOST}:{PORT}",
           "--workers", str(workers), "--threads", str(threads),  # the worker class: the config's
           "--keep-alive", "5", "--graceful-timeout", "5", "--log-level", "warning"]
    proc = subprocess.Popen(cmd, cwd=benchdb.ROOT, env=benchdb.django_env(**(env or {})),
                            stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
    try:
        _wait_ready(proc)
        yield proc
    finally:
        _stop(proc)
        log.close()


def _wait_ready(proc, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {proc.returncode} (see its log)")
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection(HOST, PORT, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def _stop(proc):
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)  # the group we created with setsid
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


class Client:
    """One keep-alive connection; reconnects when the server closes it."""

    def __init__(self):
        self.conn = None

    def get(self, path: str) -> tuple[int, bytes]:
        status, _headers, body = self.send("GET", path)
        return status, body

    def send(self, method: str, path: str, body: bytes | None = None,
             headers: dict | None = None) -> tuple[int, list, bytes]:
        """(status, response headers, body)."""
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, PORT, timeout=30)
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                response = self.conn.getresponse()
                return response.status, response.getheaders(), response.read()
            except (http.client.RemoteDisconnected, ConnectionError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self):
        if self.conn is not None:
            self.conn.close()


@dataclass
class Endpoint:
    name: str
    paths: list
    warmup: list
    marker: bytes | None = None  # counted in the bodies: items returned
    headers: dict | None = None  # sent with every request (a session cookie)


def run_http(endpoints: list) -> list[Result]:
    """Time each GET (status 200 expected, else an error), the endpoints taking turns: request k
    of each before request k + 1 of any, one keep-alive connection per endpoint. The machine is
    shared and its load changes by the minute: taking turns puts the same load on every
    endpoint, so their ratios to /healthz hold."""
    clients = [Client() for _ in endpoints]
    results = [Result(e.name, []) for e in endpoints]
    rows = [0] * len(endpoints)
    try:
        for k in range(max(len(e.warmup) for e in endpoints)):
            for e, client in zip(endpoints, clients, strict=True):
                if k < len(e.warmup):
                    client.send("GET", e.warmup[k], headers=e.headers)
        for k in range(max(len(e.paths) for e in endpoints)):
            for i, (e, client, result) in enumerate(zip(endpoints, clients, results, strict=True)):
                if k >= len(e.paths):
                    continue
                t = time.perf_counter_ns()
                status, _headers, body = client.send("GET", e.paths[k], headers=e.headers)
                result.samples_ms.append((time.perf_counter_ns() - t) / 1e6)
                if status != 200:
                    result.errors += 1
                elif e.marker:
                    rows[i] += body.count(e.marker)
    finally:
        for client in clients:
            client.close()
    for e, result, count in zip(endpoints, results, rows, strict=True):
        result.rows = count / max(1, len(e.paths))
    return results


def run_sql(ids: list, warmup: list) -> Result:
    """The proximity query alone, with the origin geometry fetched beforehand (as the view does
    in its first query), through a client-side-binding cursor like Django's."""
    result = Result(RAW_SQL, [])
    with benchdb.connect(cursor_factory=psycopg.ClientCursor) as conn:
        origins = dict(conn.execute(
            "SELECT id, coalesce(parcel, address_point)::text FROM properties_property "
            "WHERE id = ANY(%s)", [list(set(ids) | set(warmup))]).fetchall())
        for pk in warmup:
            conn.execute(NEARBY_SQL, {"g": origins[pk], "r": RADIUS_M}).fetchall()
        rows = 0
        for pk in ids:
            t = time.perf_counter_ns()
            rows += len(conn.execute(NEARBY_SQL, {"g": origins[pk], "r": RADIUS_M}).fetchall())
            result.samples_ms.append((time.perf_counter_ns() - t) / 1e6)
        conn.rollback()
    result.rows = rows / max(1, len(ids))
    return result


def property_ids() -> list:
    with benchdb.connect() as conn:
        return [r[0] for r in conn.execute("SELECT id FROM properties_property ORDER BY id")]


def cookie_header(citizen: dict) -> dict:
    """The Cookie header of the signed-in bench citizen (bench_citizen.build)."""
    return {"Cookie": f"{citizen['session_cookie']}={citizen['session']}"}


def measure(requests: int, warmup: int, workers: int, threads: int, log_path, seed=1,
            log=print, citizen=None, names=(NEARBY, SCHEDULE, PROPERTY, DASHBOARD, HEALTHZ),
            env=None, raw_sql=True) -> list[dict]:
    """One client, one request at a time, through gunicorn: p50/p99 of each endpoint of
    `names` (the dashboard needs `citizen`), taking turns (run_http), then the raw SQL
    proximity query (`raw_sql`)."""
    all_ids = property_ids()
    rng = random.Random(seed)
    ids = rng.choices(all_ids, k=requests)
    warm = rng.choices(all_ids, k=warmup)
    endpoints = []
    for name in names:
        if name == DASHBOARD and not citizen:
            continue
        pattern, marker = ENDPOINTS[name]
        headers = cookie_header(citizen) if name == DASHBOARD else None
        endpoints.append(Endpoint(name, [pattern.format(i) for i in ids],
                                  [pattern.format(i) for i in warm], marker, headers))
    with gunicorn(workers, threads, log_path, env=env):
        measured = run_http(endpoints)
    results = []
    for r in measured:
        log(f"  {r.name}: p50 {r.pct(50):.2f} ms, p99 {r.pct(99):.2f} ms, errors {r.errors}")
        results.append(r.summary())
    if raw_sql:
        r = run_sql(ids, warm)
        log(f"  {r.name}: p50 {r.pct(50):.2f} ms, p99 {r.pct(99):.2f} ms")
        results.append(r.summary())
    return results
