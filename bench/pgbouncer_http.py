"""The nearby and schedule APIs through PgBouncer in transaction mode (scripts/pgbouncer.sh,
Debian's pgbouncer), the scale path: gunicorn's Django pointed at the pooler's port
(DATABASE_URL), the pooler in front of the bench cluster. Same figures as the direct path: p50
of one client (http_load.measure) and the concurrent run (concurrent_load.measure), /healthz
beside them as the reference of their ratios. The bar is
0 errors: an endpoint that fails behind the pooler is counted (non-2xx), with the first
exception gunicorn logged, never a crash of the benchmark."""
import contextlib
import re
import socket
import subprocess

import benchdb
import concurrent_load
import http_load

SCRIPT = benchdb.ROOT / "scripts" / "pgbouncer.sh"
# /healthz (no database) beside them: the reference of their ratios in the same minutes.
ONE_CLIENT = (http_load.NEARBY, http_load.SCHEDULE, http_load.HEALTHZ)
CONCURRENT = (http_load.HEALTHZ, http_load.NEARBY, http_load.SCHEDULE, http_load.HEALTHZ)
EXCEPTION = re.compile(r"^([A-Za-z_][\w.]*(Error|Exception|Warning)): (.+)$")


def default_port() -> int:
    return benchdb.PORT + 1000


@contextlib.contextmanager
def pgbouncer(port: int):
    """PgBouncer on 127.0.0.1:port in front of the bench cluster; always stopped afterwards."""
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", port)) == 0:
            raise RuntimeError(f"port {port} is already in use (--pgbouncer-port)")
    directory = f"/tmp/guichet-bench-pgbouncer-{port}"
    proc = subprocess.run(["bash", str(SCRIPT), "start", str(port), str(benchdb.PORT),
                           directory], capture_output=True, text=True)
    try:
        if proc.returncode != 0:
            raise RuntimeError(f"pgbouncer did not start: {(proc.stderr or proc.stdout)[-500:]}")
        yield directory
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", directory], capture_output=True)


def first_exception(log_path, offset: int) -> str | None:
    """The first exception line gunicorn's log got after `offset` (its size before the run)."""
    with open(log_path, "rb") as f:
        f.seek(offset)
        for line in f.read().decode(errors="replace").splitlines():
            m = EXCEPTION.match(line.strip())
            if m:
                return line.strip()[:300]
    return None


def measure(port: int, requests: int, warmup: int, workers: int, threads: int, log_path,
            work, load: dict, log=print) -> dict:
    """{"port", "one_client": [summaries], "load": [wrk results], "exception", "error"}."""
    # As README.md says to deploy behind a transaction-mode pooler: no server-side cursors nor
    # prepared statements (config/settings.py).
    env = {"DATABASE_URL": f"postgis://postgres@{benchdb.HOST}:{port}/{benchdb.NAME}",
           "PGPORT": str(port), "DATABASE_POOLER": "transaction"}
    out = {"port": port, "one_client": [], "load": []}
    log_path.touch()
    offset = log_path.stat().st_size
    try:
        with pgbouncer(port):
            log(f"  through PgBouncer (transaction mode, port {port}):")
            out["one_client"] = http_load.measure(requests, warmup, workers, threads, log_path,
                                                  log=log, names=ONE_CLIENT, env=env,
                                                  raw_sql=False)
            if load:
                out["load"] = concurrent_load.measure(workers, threads, log_path, work,
                                                      names=CONCURRENT, env=env,
                                                      label="PgBouncer: ", log=log, **load)
    except Exception as e:  # the pooler path is measured as it is: a failure is a result
        out["error"] = f"{type(e).__name__}: {e}"
        log(f"  PgBouncer run failed: {out['error']}")
    out["exception"] = first_exception(log_path, offset)
    if out["exception"]:
        log(f"  first exception in gunicorn's log: {out['exception']}")
    return out
