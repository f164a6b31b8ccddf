"""The benchmark's own database on the project's PostGIS cluster. It is never the dev database
`guichet`: every helper here refuses that name."""
import os
import subprocess
import sys
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
HOST = "127.0.0.1"
PORT = int(os.environ.get("PGPORT", "5544"))
NAME = os.environ.get("BENCH_DB", "guichet_bench")
URL = f"postgis://postgres@{HOST}:{PORT}/{NAME}"
DSN = f"host={HOST} port={PORT} user=postgres dbname={NAME}"

if NAME == "guichet":
    raise SystemExit("BENCH_DB must not be the dev database 'guichet'.")


def django_env(**extra) -> dict:
    """Environment for a Django child process (manage.py, gunicorn, the importer) on the bench
    database, DEBUG off."""
    env = dict(os.environ)
    env.update(DATABASE_URL=URL, DEBUG="False", PGPORT=str(PORT),
               ALLOWED_HOSTS="127.0.0.1,localhost", LOG_LEVEL="WARNING",
               PYTHONPATH=str(ROOT))
    env.update(extra)
    return env


def ensure_database():
    """Create the bench database when missing (with postgis and pg_trgm), then migrate it and
    create the cache table."""
    with psycopg.connect(f"host={HOST} port={PORT} user=postgres dbname=postgres",
                         autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{NAME}"')
    with psycopg.connect(DSN, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    for command in (["migrate", "--noinput", "-v", "0"], ["createcachetable"]):  # make migrate
        subprocess.run([PY, "manage.py", *command], cwd=ROOT, env=django_env(), check=True)


def connect(**kwargs) -> psycopg.Connection:
    return psycopg.connect(DSN, **kwargs)


def server_info() -> dict:
    with connect() as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        postgis = conn.execute("SELECT postgis_lib_version()").fetchone()[0]
        settings = dict(conn.execute(
            "SELECT name, current_setting(name) FROM pg_settings WHERE name IN "
            "('shared_buffers', 'work_mem', 'fsync', 'synchronous_commit')").fetchall())
    return {"postgres": version, "postgis": postgis, "settings": settings}


def timed(totals: dict, key, fn):
    """fn, adding the wall time of each call to totals[key] (for the per-phase timings)."""
    import time

    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            totals[key] += time.perf_counter() - t
    return wrapper


def run_django(script, *args, env=None) -> dict:
    """Run a bench script as a Django child process on the bench database (its `child_main`)
    and return the JSON it prints last. `env`: changes to its environment (django_env), e.g.
    GUICHET_TASKS=database."""
    import json

    proc = subprocess.run([PY, str(script), *map(str, args)], cwd=ROOT,
                          env=django_env(**(env or {})), capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{Path(script).name} {' '.join(map(str, args))} failed:\n"
                           f"{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def child_main(fn):
    """In the child: set Django up, run fn(argv), print its result as JSON."""
    import json

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    print(json.dumps(fn(sys.argv[1:]), default=str))
