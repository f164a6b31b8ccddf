"""Bounded concurrent load through gunicorn (http_load.gunicorn, the same 2 gthread workers x 4
threads as the one-client rows): for each endpoint, a short unmeasured warm-up, then wrk with 32
keep-alive connections for 20 s (wrk_load.py), /healthz first and last: the reference of the
same run.
The warm-up is left out of the figures, not of the errors: they are reported beside them (behind
PgBouncer, a statement prepared per connection fails mostly while the pool's server connections
are new, i.e. in the warm-up).
Property ids: a seeded list of the town's, the same for every endpoint."""
import random

import http_load
import wrk_load

# /healthz first and last: its mean is the reference of the runs between (the machine's load
# changes in the 2 minutes they take).
NAMES = (http_load.HEALTHZ, http_load.PROPERTY, http_load.NEARBY, http_load.SCHEDULE,
         http_load.HEALTHZ)
IDS = 5000  # paths in the list each wrk thread cycles through


def warmup_note(r) -> str:
    w = r.get("warmup")
    if not w:
        return ""
    return f"; warm-up: {w['error']}" if "error" in w else f"; warm-up errors {w['errors']}"


def all_errors(r) -> int | None:
    """Errors of the measured run and of its warm-up; None when wrk itself failed."""
    w = r.get("warmup") or {}
    if "error" in r or "error" in w:
        return None
    return r["errors"] + w.get("errors", 0)


def healthz_reference(runs: list) -> dict | None:
    """The /healthz runs among `runs` and their mean req/s; None when there is none or one
    failed."""
    hs = [r for r in runs if r["name"] == http_load.HEALTHZ]
    if not hs or any("error" in r for r in hs):
        return None
    return {"rps": sum(r["rps"] for r in hs) / len(hs), "runs": hs,
            "p99": max(r["p99"] for r in hs)}


def measure(workers: int, threads: int, log_path, work, connections=32, seconds=20.0,
            warmup_s=2.0, wrk_threads=1, names=NAMES, env=None, citizen=None, seed=3,
            label="", log=print) -> list[dict]:
    """wrk runs, one per endpoint of `names`, under one gunicorn (`env`: see
    http_load.gunicorn); a list of wrk_load.run results."""
    ids = random.Random(seed).choices(http_load.property_ids(), k=IDS)
    results = []
    with http_load.gunicorn(workers, threads, log_path, env=env):
        for name in names:
            if name == http_load.DASHBOARD and not citizen:
                continue
            pattern, _marker = http_load.ENDPOINTS[name]
            paths = [pattern.format(i) for i in ids]
            headers = http_load.cookie_header(citizen) if name == http_load.DASHBOARD else None
            paths_file = work / "wrk-paths.txt"
            warm = None
            if warmup_s:
                warm = wrk_load.run(name, paths, paths_file, connections, warmup_s,
                                    wrk_threads, headers)
            r = wrk_load.run(name, paths, paths_file, connections, seconds, wrk_threads, headers)
            if warm is not None:  # not in the figures, but its errors count (they are errors)
                r["warmup"] = {k: warm[k] for k in ("seconds", "requests", "errors", "error")
                               if k in warm}
            if "error" in r:
                log(f"  {label}{name}, {connections} connections: {r['error']}")
            else:
                log(f"  {label}{name}, {connections} connections {seconds:g} s: "
                    f"{r['rps']:,.0f} req/s, p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, "
                    f"errors {r['errors']} ({r['non2xx']} non-2xx, {r['socket_errors']} socket)"
                    f"{warmup_note(r)}")
            results.append(r)
    return results
