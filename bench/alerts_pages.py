"""The pages with current alerts (issue 13 part 5: home page and property page p50 no more than
10 % slower than without), step f of the alerts part (alerts_bench.py).

Through gunicorn (http_load.gunicorn: config.wsgi, DEBUG off, 2 gthread workers x 4 threads)
and one client (http_load.run_http: one keep-alive connection per endpoint, the endpoints taking
turns): `GET /`, `GET /propriete/<id>/` of the property nearest the town's centre, and
`GET /healthz` beside them. Two states: *without* (no current alert) and *with* 6 current
alerts, all reaching that property: 5 buffers of 60 m to 1 km around it and a territory-wide
one (as the demo's). The alerts are made once (drafts, in a Django child); a state is set by
SQL (status sent or draft) and the cached current alerts dropped, as the alerts' save signal
does. `rounds` rounds, each one run of `requests` requests per endpoint in each state (the order
alternating: without-with, with-without), after a few unmeasured requests that refill the cache;
so the machine's changing load falls on both states alike. The items shown are counted in the
bodies (a check that the state is what it says). Beside them, the property page's statement
alone (selectors.current_alert_ids_reaching, the 6 ids) through psycopg."""
import os
import time
from pathlib import Path

import benchdb
import http_load

CHILD = Path(__file__).with_name("alerts_bench.py")  # its Django children

HOME, PROPERTY = "GET / (home page)", "GET /propriete/<id>/ (reached by the alerts)"
MARKER = b"Alerte banc"  # in the titles of the alerts made for the pages
REFILL = 5  # unmeasured requests per endpoint after each switch
CHECK_SQL = """
SELECT a.id FROM alerts_alert a
JOIN properties_property p ON p.id = %s
WHERE a.id = ANY(%s) AND a.status = %s AND a.starts_at <= now()
  AND (a.ends_at IS NULL OR a.ends_at > now())
  AND ST_Intersects(a.area, coalesce(p.parcel, p.address_point))
"""


def cache_table() -> str | None:
    """The database cache's table when the bench's Django uses one (the default), else None."""
    url = os.environ.get("CACHE_URL", "dbcache://guichet_cache")
    return url.split("://", 1)[1].split("?", 1)[0] if url.startswith("dbcache://") else None


def forget_current() -> None:
    """Drops the cached current alerts (alerts.current), as its signal does after a save."""
    table = cache_table()
    if table is None:
        benchdb.run_django(CHILD, "forget")
        return
    with benchdb.connect(autocommit=True) as conn:
        conn.execute(f"DELETE FROM {table} WHERE cache_key LIKE %s", ["%alerts:current:%"])


def empty_cache() -> None:
    """Empties Django's cache (cold schedule cache for the nightly job)."""
    table = cache_table()
    if table is None:
        benchdb.run_django(CHILD, "clear-cache")
        return
    with benchdb.connect(autocommit=True) as conn:
        conn.execute(f"DELETE FROM {table}")


def _set(ids: list[int], on: bool) -> None:
    with benchdb.connect(autocommit=True) as conn:
        conn.execute("UPDATE alerts_alert SET status = %s, sent_at = CASE WHEN %s THEN now() END "
                     "WHERE id = ANY(%s)", ["sent" if on else "draft", on, ids])
    forget_current()


def measure(rounds: int, requests: int, workers: int, threads: int, log_path,
            log=print) -> dict:
    made = benchdb.run_django(CHILD, "page-alerts")
    pk, ids = made["property"], made["alerts"]
    paths = {HOME: "/", PROPERTY: f"/propriete/{pk}/", http_load.HEALTHZ: "/healthz"}
    samples = {state: {name: [] for name in paths} for state in ("without", "with")}
    shown = {state: {name: [] for name in paths} for state in ("without", "with")}
    errors = {state: {name: 0 for name in paths} for state in ("without", "with")}
    with http_load.gunicorn(workers, threads, log_path):
        for on in (True, False):  # warm-up: both states, every endpoint
            _set(ids, on)
            http_load.run_http([http_load.Endpoint(name, [path] * 20, [])
                                for name, path in paths.items()])
        for r in range(rounds):
            for on in ((False, True) if r % 2 == 0 else (True, False)):
                state = "with" if on else "without"
                _set(ids, on)
                endpoints = [http_load.Endpoint(name, [path] * requests, [path] * REFILL,
                                                MARKER if name != http_load.HEALTHZ else None)
                             for name, path in paths.items()]
                for res in http_load.run_http(endpoints):
                    samples[state][res.name] += res.samples_ms
                    shown[state][res.name].append(res.rows)
                    errors[state][res.name] += res.errors
        _set(ids, False)
    sql = _check_sql(pk, ids)
    out = {"property": pk, "alerts": len(ids), "rounds": rounds, "requests": requests,
           "workers": workers, "threads": threads, "sql_check": sql, "states": {}}
    for state in ("without", "with"):
        out["states"][state] = {}
        for name in paths:
            r = http_load.Result(name, samples[state][name], errors[state][name])
            out["states"][state][name] = {**r.summary(),
                                          "shown": max(shown[state][name], default=0)}
    for name in (HOME, PROPERTY, http_load.HEALTHZ):
        a, b = out["states"]["without"][name], out["states"]["with"][name]
        shown = (f" ({a['shown']:.0f} and {b['shown']:.0f} alerts shown)"
                 if name != http_load.HEALTHZ else "")
        log(f"  {name}: p50 {a['p50']:.2f} ms without, {b['p50']:.2f} ms with "
            f"({b['p50'] / a['p50']:.2f}x){shown}")
    log(f"  the property page's alerts statement alone (psycopg): p50 {sql['p50']:.3f} ms")
    return out


def _check_sql(pk: int, ids: list[int], count: int = 200) -> dict:
    """The property page's check (current_alert_ids_reaching) alone, the alerts current."""
    _set(ids, True)
    r = http_load.Result("sql", [])
    try:
        with benchdb.connect() as conn:
            for k in range(count + 20):
                t = time.perf_counter_ns()
                found = conn.execute(CHECK_SQL, [pk, ids, "sent"]).fetchall()
                if k >= 20:
                    r.samples_ms.append((time.perf_counter_ns() - t) / 1e6)
            conn.rollback()
    finally:
        _set(ids, False)
    return {**r.summary(), "found": len(found)}
