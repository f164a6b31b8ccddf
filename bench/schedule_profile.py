"""Where the time of `GET /api/properties/<id>/schedule/` goes, in a Django child process (this
file run as a script) on the bench database: the same seeded ids as the HTTP measurement, through
django.test.Client (the whole middleware stack, no HTTP server).

1. Without a profiler: wall time per request split into the view's parts (next_collections,
   watering_status, the rest: property lookup, serializer, JSON rendering, middleware), with the
   time spent in SQL (every query, through connection.execute_wrapper) and in the recurrence
   code (rrulestr parsing, and the expansion with rruleset.between) inside next_collections.
2. cProfile of the same requests: the top functions by own time and by cumulative time."""
import random
import statistics
import time

import benchdb

PARTS = [("api", "next_collections"), ("api", "watering_status"),
         ("recurrence", "parse_rrules"), ("recurrence", "regular_dates")]


def profile(ids: list, top: int = 30) -> dict:
    return benchdb.run_django(__file__, top, *ids)


def sample_ids(n_props: int, count: int, seed: int = 1) -> list:
    return random.Random(seed).choices(range(1, n_props + 1), k=count)


def _wrap(spent, key, fn):
    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[key] += time.perf_counter() - t
    return wrapper


def _child(argv) -> dict:
    import cProfile
    import importlib
    import io
    import pstats

    from django.db import connection
    from django.test import Client

    top, ids = int(argv[0]), [int(a) for a in argv[1:]]
    client = Client(HTTP_HOST="127.0.0.1")
    spent = {name: 0.0 for _module, name in PARTS} | {"sql": 0.0}
    queries = 0

    def sql_timer(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent["sql"] += time.perf_counter() - t

    for module, name in PARTS:
        mod = importlib.import_module(f"collections_schedule.{module}")
        setattr(mod, name, _wrap(spent, name, getattr(mod, name)))
    for pk in ids[:100]:  # warm-up
        client.get(f"/api/properties/{pk}/schedule/")
    for key in spent:
        spent[key] = 0.0
    walls = []
    with connection.execute_wrapper(sql_timer):
        for pk in ids:
            t = time.perf_counter()
            response = client.get(f"/api/properties/{pk}/schedule/")
            walls.append(time.perf_counter() - t)
            assert response.status_code == 200, response.status_code
    n = len(ids)
    per_request_ms = {k: 1000 * v / n for k, v in spent.items()}
    profiler = cProfile.Profile()
    profiler.enable()
    for pk in ids:
        client.get(f"/api/properties/{pk}/schedule/")
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return {"requests": n, "wall_ms_p50": 1000 * statistics.median(walls),
            "wall_ms_mean": 1000 * sum(walls) / n, "queries_per_request": queries / n,
            "per_request_ms": per_request_ms, "profile": text.getvalue()}


if __name__ == "__main__":
    benchdb.child_main(_child)
