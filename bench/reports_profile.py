"""Where the time of a reports measure goes, in a Django child process (this file run as a
script) on the bench database, through django.test.Client (the whole middleware stack, no HTTP
server), on the same requests as the HTTP measure:

- "layer": `GET /api/reports/?in_bbox=...&status=open` for the given viewports;
- "submit": for each point, the details page (not timed) then the POST of the form, signed in
  as the bench citizen (django.test.Client skips the CSRF check; the one-time messages cookie
  is dropped before each POST, as the HTTP measure does; the rest is the same).

1. Without a profiler: wall time per request, and the time spent in SQL (every query, through
   connection.execute_wrapper) with the number of queries; for the layer also the serializer
   (`ReportSerializer.to_representation` per feature) and the JSON rendering.
2. cProfile of the same requests: the top functions by own time and by cumulative time."""
import json
import statistics
import time

import benchdb


def profile(mode: str, requests: list, work, top: int = 30) -> dict:
    """`requests`: paths (layer) or [category code, lon, lat, answers] (submit)."""
    path = (work / f"reports-profile-{mode}.json").resolve()
    path.write_text(json.dumps(requests))
    try:
        return benchdb.run_django(__file__, mode, top, path)
    finally:
        path.unlink(missing_ok=True)


def _child(argv) -> dict:
    import cProfile
    import io
    import pstats

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from rest_framework.renderers import JSONRenderer
    from synthetic_reports import CITIZEN_EMAIL

    from service_requests import api as public_api

    mode, top = argv[0], int(argv[1])
    with open(argv[2]) as f:
        todo = json.load(f)
    client = Client(HTTP_HOST="127.0.0.1")
    if mode == "submit":
        client.force_login(get_user_model().objects.get(email=CITIZEN_EMAIL))
    spent = {"sql": 0.0, "serializer": 0.0, "render": 0.0}
    queries = timed_queries = 0
    timed_sql = 0.0

    def sql_timer(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent["sql"] += time.perf_counter() - t

    serializer = public_api.ReportSerializer
    serializer.to_representation = benchdb.timed(spent, "serializer",
                                                 serializer.to_representation)
    JSONRenderer.render = benchdb.timed(spent, "render", JSONRenderer.render)

    def prepare(item):
        """The untimed part (the submit's details page), then the timed request."""
        if mode == "layer":
            return lambda: client.get(item)
        code, lon, lat, answers = item
        path = f"/signaler/details/?category={code}&lon={lon:.7f}&lat={lat:.7f}"
        client.get(path)
        data = {"description": "Banc d'essai (profil) : vu ce matin.", **answers}

        def post():
            client.cookies.pop("messages", None)  # as in the HTTP measure: not accumulated
            return client.post(path, data)
        return post

    expected = 200 if mode == "layer" else 302
    for item in todo[:20]:  # warm-up
        prepare(item)()
    for key in spent:
        spent[key] = 0.0
    walls = []
    with connection.execute_wrapper(sql_timer):
        for item in todo:
            call = prepare(item)
            q0, s0 = queries, spent["sql"]
            t = time.perf_counter()
            status = call().status_code
            walls.append(time.perf_counter() - t)
            assert status == expected, status
            timed_queries += queries - q0
            timed_sql += spent["sql"] - s0
    n = len(todo)
    per_request_ms = {k: 1000 * v / n for k, v in spent.items()}
    per_request_ms["sql"] = 1000 * timed_sql / n  # the timed request's own (not the page's)
    profiler = cProfile.Profile()
    for item in todo:
        call = prepare(item)
        profiler.enable()
        call()
        profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return {"mode": mode, "requests": n, "wall_ms_p50": 1000 * statistics.median(walls),
            "wall_ms_mean": 1000 * sum(walls) / n, "queries_per_request": timed_queries / n,
            "per_request_ms": per_request_ms, "profile": text.getvalue()}


if __name__ == "__main__":
    benchdb.child_main(_child)
