"""Where the time of `GET /api/properties/<id>/schedule/` goes, in a Django child process (this
file run as a script) on the bench database: the same seeded ids as the HTTP measurement, through
django.test.Client (the whole middleware stack, no HTTP server).

The view answers from collections_schedule/selectors.py: one lookup query per request (PostGIS
finds the zones, rules and bans covering the property), then the parts many properties share
(the streams' dates per combination of zones, the day's watering answers) from Django's cache
under keys of the data version and the day; a miss computes them with the recurrence code. So:

1. Cold: the first requests after the cache is emptied (as after a write to the schedule data or
   at midnight, when the keys change), from a fresh process.
2. Warm, without a profiler: wall time per request (p50, p99), split into the view's parts (the
   lookup query; the cache read; on a miss, the streams' dates and the watering answers), with the
   time spent in SQL (every query, the cache's included, through connection.execute_wrapper)
   and in the recurrence code (rrulestr parsing, and the expansion with rruleset.between).
3. cProfile of the same requests: the top functions by own time and by cumulative time.

Run alone (`.venv/bin/python bench/schedule_profile.py --n 200000`, BENCH_DB to choose the
database) it prints the numbers without the profile."""
import random
import statistics
import sys
import time

import benchdb

# (module in collections_schedule, function, the key run.py and report_zones.py read)
PARTS = [("api", "lookup", "lookup"),
         ("selectors", "_streams", "streams_miss"),
         ("selectors", "_watering", "watering_miss"),
         ("recurrence", "parse_rrules", "parse_rrules"),
         ("recurrence", "regular_dates", "regular_dates")]
COLD = 20  # requests timed one by one from a fresh process


def profile(ids: list, top: int = 30) -> dict:
    return benchdb.run_django(__file__, top, *ids)


def sample_ids(n_props: int, count: int, seed: int = 1) -> list:
    return random.Random(seed).choices(range(1, n_props + 1), k=count)


def _percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _child(argv) -> dict:
    import cProfile
    import importlib
    import io
    import pstats

    from django.conf import settings
    from django.core.cache import cache, caches
    from django.db import connection
    from django.test import Client

    top, ids = int(argv[0]), [int(a) for a in argv[1:]]
    client = Client(HTTP_HOST="127.0.0.1")
    spent = {key: 0.0 for _module, _name, key in PARTS} | {"sql": 0.0, "cache_read": 0.0}
    queries = 0

    def sql_timer(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent["sql"] += time.perf_counter() - t

    for module, name, key in PARTS:
        mod = importlib.import_module(f"collections_schedule.{module}")
        setattr(mod, name, benchdb.timed(spent, key, getattr(mod, name)))
    default = caches["default"]  # this thread's instance, the one `cache` stands for
    default.get_many = benchdb.timed(spent, "cache_read", default.get_many)

    def get(pk):
        t = time.perf_counter()
        response = client.get(f"/api/properties/{pk}/schedule/")
        assert response.status_code == 200, response.status_code
        return time.perf_counter() - t

    cache.clear()  # as new keys after a write or at midnight
    cold = [get(pk) for pk in ids[:COLD]]
    for pk in ids[COLD:100]:  # warm-up
        get(pk)
    for key in spent:
        spent[key] = 0.0
    with connection.execute_wrapper(sql_timer):
        walls = [get(pk) for pk in ids]
    n = len(ids)
    per_request_ms = {k: 1000 * v / n for k, v in spent.items()}
    result = {"requests": n, "wall_ms_p50": 1000 * statistics.median(walls),
              "wall_ms_p99": 1000 * _percentile(walls, 0.99),
              "wall_ms_mean": 1000 * sum(walls) / n, "queries_per_request": queries / n,
              "per_request_ms": per_request_ms, "cold_ms_first": 1000 * cold[0],
              "cold_ms_mean": 1000 * sum(cold) / len(cold),
              "cache": settings.CACHES["default"]["BACKEND"]}
    if top:
        profiler = cProfile.Profile()
        profiler.enable()
        for pk in ids:
            client.get(f"/api/properties/{pk}/schedule/")
        profiler.disable()
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text).strip_dirs()
        stats.sort_stats("tottime").print_stats(top)
        stats.sort_stats("cumulative").print_stats(top)
        result["profile"] = text.getvalue()
    return result


def main(argv):
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, required=True, help="properties in the bench database")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--top", type=int, default=0, help="cProfile rows (0: no profile)")
    args = parser.parse_args(argv)
    result = benchdb.run_django(__file__, args.top, *sample_ids(args.n, args.requests))
    profile_text = result.pop("profile", "")
    print(json.dumps(result, indent=1))
    print(profile_text)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("--"):
        main(sys.argv[1:])
    else:
        benchdb.child_main(_child)
