"""The planner's change preview of the DRAFT garbage set (synthetic_zones.py) against the set in
force, timed in a Django child process (this file run as a script) on the bench database:

- `check_zone_set(draft)`: every check of the staff page, the change preview included (its
  count and first 200 rows), with the wall time of each check;
- `iter_changes_csv(draft)`: the whole CSV download, every line written to /dev/null.

Each is run `runs` times; the preview's count must equal the number of properties the draft
moves, computed from the town's grid."""
import statistics
import time

import benchdb

PHASES = ["invalid_geometries", "find_overlaps", "find_gaps", "compute_load", "baseline_for",
          "change_preview"]


def measure(runs: int, expected: int, log=print) -> dict:
    out = benchdb.run_django(__file__, "time", runs)
    for key in ("check", "csv"):
        s = out[key]["seconds"]
        out[key].update(min=min(s), median=statistics.median(s), max=max(s))
    if out["count"] != expected or out["csv"]["rows"] != expected:
        raise RuntimeError(f"change preview: {out['count']} properties on the page, "
                           f"{out['csv']['rows']} in the CSV, {expected} moved by the draft")
    out["expected"] = expected
    log(f"  change preview ({out['count']:,} properties moved): check_zone_set median "
        f"{out['check']['median']:.2f} s, CSV median {out['csv']['median']:.2f} s "
        f"(runs: {runs})")
    return out


def explain(log=print) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of the preview's SQL (the page's, with its LIMIT)."""
    return benchdb.run_django(__file__, "explain")


def _draft():
    from collections_schedule.models import ZoneSet

    return ZoneSet.objects.get(status="draft", stream__slug="garbage")


def _timed_phases():
    from collections_schedule import planning

    phases = {name: 0.0 for name in PHASES}

    for name in PHASES:
        setattr(planning, name, benchdb.timed(phases, name, getattr(planning, name)))
    return phases


def _time(runs: int) -> dict:
    from django.utils import translation

    from collections_schedule import planning

    phases = _timed_phases()
    draft = _draft()
    check = {"seconds": [], "phases": []}
    csv = {"seconds": [], "first_row_s": [], "bytes": 0, "rows": 0}
    count = None
    with translation.override("fr"), open("/dev/null", "w", encoding="utf-8") as sink:
        for _ in range(runs):
            for name in phases:
                phases[name] = 0.0
            t = time.perf_counter()
            result = planning.check_zone_set(draft)
            check["seconds"].append(time.perf_counter() - t)
            check["phases"].append(dict(phases))
            count = result.preview.count
            t = time.perf_counter()
            lines = size = 0
            for line in planning.iter_changes_csv(draft):
                if lines == 1:  # the first change row, after the header
                    csv["first_row_s"].append(time.perf_counter() - t)
                lines += 1
                size += len(line.encode())
                sink.write(line)
            csv["seconds"].append(time.perf_counter() - t)
            csv["rows"], csv["bytes"] = lines - 1, size  # minus the header
    return {"count": count, "zones": result.zone_count, "ok": result.ok, "check": check,
            "csv": csv}


def _explain() -> dict:
    from django.db import connection

    from collections_schedule import planning

    draft = _draft()
    baseline = planning.baseline_for(draft)
    params = planning._preview_params(draft, baseline) | {"limit": planning.PREVIEW_ROWS}
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + planning._preview_sql(limit=True), params)
        plan = "\n".join(r[0] for r in cursor.fetchall())
    return {"plan": plan}


if __name__ == "__main__":
    benchdb.child_main(lambda argv: _time(int(argv[1])) if argv[0] == "time" else _explain())
