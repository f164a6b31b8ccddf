"""Guichet benchmarks: `make bench` (or .venv/bin/python bench/run.py --help).

For each size: build a synthetic town and its collection zones in the bench database (never
`guichet`), measure latency through gunicorn (one client; 32 connections with wrk; the nearby and
schedule APIs through PgBouncer), add 100,000 synthetic reports (signalements) and
measure the reports layer and the report form through gunicorn, time the planners' change
preview of a draft zone set, then import a roll of the same size and measure units/s and peak
memory. Writes bench/RESULTS.md (and bench/work/results.json).

`--only reports` runs the reports part alone (on the town already in the bench database when it
has the size asked, else on a fresh one) and writes bench/work/RESULTS-reports.md unless
--output is given; `--only http` likewise runs the HTTP part alone (one-client latency, the
concurrent load with wrk, the PgBouncer path) and writes bench/work/RESULTS-http.md. `--only
import` runs the roll import part alone, on a freshly built town (an import changes the town),
and writes bench/work/RESULTS-import.md unless --output is given. `--only alerts` runs the
alerts part (issue 13: subscribers, targeting, an alert queued and delivered, the nightly
reminders, the pages with current alerts; alerts_bench.py) on the town of the size asked
(reused, else built; its zones built if missing) and writes bench/work/RESULTS-alerts.md; in the
full run it is a step at the largest size only (--skip-alerts). `--only leisure` runs the
leisure part (issue 15: a registration rush through gunicorn and the catalogue with 2,000
generated groups; leisure_rush.py) likewise, and writes bench/work/RESULTS-leisure.md; in the
full run, at the largest size only (--skip-leisure). `--only library` runs the library part
(issue 16: the dashboard with two library cards against none, the ILS answering in 50 ms,
down, or slower than the timeout; library_dashboard.py) on the town of the size asked (reused,
else built; its zones built if missing) and writes bench/work/RESULTS-library.md; in the full
run it is a step at the smallest size only (--skip-library)."""
import argparse
import json
import os
import random
import signal
import sys
import time
from pathlib import Path

import alerts_bench
import bench_citizen
import benchdb
import concurrent_load
import http_load
import leisure_rush
import library_dashboard
import pgbouncer_http
import report
import report_reports
import report_zones
import reports_http
import reports_profile
import roll_import
import schedule_profile
import synthetic_reports
import synthetic_town
import synthetic_zones
import wrk_load
import zone_planning

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"  # git-ignored: roll files, gunicorn log, raw results


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="20000,200000",
                   help="town sizes in properties, comma-separated (default 20000,200000)")
    p.add_argument("--requests", type=int, default=2000,
                   help="measured requests per endpoint and size (default 2000)")
    p.add_argument("--warmup", type=int, default=200, help="warm-up requests per endpoint")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers (gthread)")
    p.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    p.add_argument("--only", choices=["reports", "http", "import", "alerts", "leisure",
                                       "library"],
                   help="run one part alone, reusing the town in the bench database when it has "
                        "the size asked: 'reports' (synthetic reports, the reports layer and the "
                        "report form), 'http' (zones, then the one-client latency, the "
                        "concurrent load and the PgBouncer path: no reports, change preview or "
                        "roll import), 'alerts' (issue 13: subscribers, targeting, delivery, "
                        "nightly reminders, pages with current alerts; zones built if missing); "
                        "'leisure' (issue 15: basket confirmations during a registration rush "
                        "and the catalogue with 2,000 generated groups); "
                        "'library' (issue 16: the dashboard with library cards; zones built if "
                        "missing); or 'import' (the roll import, on a fresh town)")
    p.add_argument("--load-connections", type=int, default=32,
                   help="wrk connections of the concurrent runs (default 32)")
    p.add_argument("--load-seconds", type=float, default=20.0,
                   help="measured seconds of each concurrent run (default 20)")
    p.add_argument("--load-warmup", type=float, default=2.0,
                   help="unmeasured wrk seconds before each concurrent run (default 2)")
    p.add_argument("--wrk-threads", type=int, default=1,
                   help="wrk threads (default 1: one C event loop outruns the server and leaves "
                        "the second core to it)")
    p.add_argument("--skip-load", action="store_true",
                   help="no concurrent runs (wrk), direct or through PgBouncer")
    p.add_argument("--skip-pgbouncer", action="store_true", help="no PgBouncer path")
    p.add_argument("--pgbouncer-port", type=int, default=pgbouncer_http.default_port(),
                   help="port of the benchmark's own PgBouncer (default PGPORT + 1000)")
    p.add_argument("--reports", type=int, default=synthetic_reports.REPORTS,
                   help="synthetic reports in the database (default 100000)")
    p.add_argument("--report-requests", type=int, default=500,
                   help="measured reports-layer requests, and reports sent through the form, "
                        "per size (default 500)")
    p.add_argument("--skip-reports", action="store_true", help="no reports part")
    p.add_argument("--skip-http", action="store_true", help="no latency measurement")
    p.add_argument("--skip-alerts", action="store_true",
                   help="no alerts part (in the full run: at the largest size only)")
    p.add_argument("--alert-subscribers", type=int, default=alerts_bench.SUBSCRIBERS,
                   help="e-mail subscribers of the alerts part (default 100000)")
    p.add_argument("--alert-sms", type=int, default=alerts_bench.SMS,
                   help="SMS subscribers of the alerts part (default 20000)")
    p.add_argument("--alert-deliver", type=int, default=None,
                   help="e-mails delivered to the SMTP sink (default: all of them; fewer: the "
                        "first ones, and SMS in proportion)")
    p.add_argument("--alert-rounds", type=int, default=10,
                   help="rounds of the pages with and without current alerts (default 10)")
    p.add_argument("--alert-requests", type=int, default=50,
                   help="requests per endpoint, state and round of the pages (default 50)")
    p.add_argument("--targeting-runs", type=int, default=5,
                   help="timed runs of the alert targeting (default 5, the median reported)")
    p.add_argument("--skip-leisure", action="store_true",
                   help="no leisure part (registration rush, catalogue; in the full run: at "
                        "the largest size only)")
    p.add_argument("--leisure-requests", type=int, default=500,
                   help="catalogue and /healthz requests of the leisure part, one client "
                        "(default 500)")
    p.add_argument("--rush-shared-connections", action="store_true",
                   help="the leisure rush's 4,000 parents carried by the 32 clients' keep-alive "
                        "connections instead of a connection per parent (leisure_rush.py)")
    p.add_argument("--skip-library", action="store_true",
                   help="no library part (in the full run: at the smallest size only)")
    p.add_argument("--library-rounds", type=int, default=8,
                   help="rounds of the library part, each with the ILS up, down and slow "
                        "(default 8)")
    p.add_argument("--library-requests", type=int, default=100,
                   help="requests per endpoint, phase and round of the library part "
                        "(default 100)")
    p.add_argument("--ils-port", type=int, default=0,
                   help="port of the library part's fake ILS (default: a free one)")
    p.add_argument("--skip-import", action="store_true", help="no roll import measurement")
    p.add_argument("--import-runs", type=int, default=3,
                   help="committed roll imports per size, the median reported (default 3)")
    p.add_argument("--no-first-import", dest="first_import", action="store_false",
                   help="no import into the town emptied of its properties (it runs last, "
                        "after the yearly updates)")
    p.add_argument("--preview-runs", type=int, default=3,
                   help="timed runs of the zone change preview per size (default 3; 0: none)")
    p.add_argument("--no-profile", action="store_true",
                   help="do not profile what misses its target (importer, schedule API, "
                        "change preview, reports layer and form)")
    p.add_argument("--keep-files", action="store_true", help="keep the generated roll XML files")
    p.add_argument("--output", default=None,
                   help="default bench/RESULTS.md; with --only, bench/work/RESULTS-<part>.md")
    args = p.parse_args(argv)
    if args.output is None:
        args.output = str(WORK / f"RESULTS-{args.only}.md" if args.only else HERE / "RESULTS.md")
    args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    return args


def log(msg):
    print(msg, flush=True)


def dev_db_fingerprint():
    """Row counts of the dev database, read-only: to show it was left untouched."""
    import psycopg

    dsn = f"host={benchdb.HOST} port={benchdb.PORT} user=postgres dbname=guichet"
    tables = ["properties_property", "properties_rollentry", "properties_civicaddress",
              "geo_place", "django_migrations"]
    try:
        with psycopg.connect(dsn, connect_timeout=5) as conn:
            return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    except psycopg.Error:
        return None  # no dev database (e.g. DATABASE_URL elsewhere): nothing to compare


def bench_size(n, args, results):
    log(f"== {n:,} properties ==")
    entry = {"n": n, "loadavg": os.getloadavg()[0]}
    results["sizes"].append(entry)
    town = (synthetic_town.existing(n)
            if args.only in ("reports", "alerts", "leisure", "library") else None)
    if town:
        log("  town already in the bench database: reused")
    else:
        town = synthetic_town.build(n, log=log)
        log(f"  town built in {town['seconds']:.1f} s: {town['counts']}")
    entry["town"] = {"seconds": town["seconds"], "counts": town["counts"],
                     "blocks": [town["layout"].blocks_x, town["layout"].blocks_y],
                     "reused": town.get("reused", False)}
    profile = not args.no_profile and n == max(args.sizes)
    if args.only == "reports":
        bench_reports(n, args, entry, results, profile)
        save(results, args)
        return
    if args.only == "import":
        bench_import(n, args, entry)
        save(results, args)
        return
    if args.only == "leisure":
        bench_leisure(n, args, entry)
        save(results, args)
        return
    if args.only in ("alerts", "library"):
        if town.get("reused") and alerts_bench.zones_ready():
            log("  zones already in the bench database: reused")
        else:
            entry["zones"] = synthetic_zones.build(n, log=log)
        if args.only == "alerts":
            bench_alerts(n, args, entry, profile)
        else:
            bench_library(n, args, entry)
        save(results, args)
        return
    entry["zones"] = synthetic_zones.build(n, log=log)
    if not args.skip_http:
        bench_http(n, args, entry, results, profile)
    if args.only == "http":
        save(results, args)
        return
    if not args.skip_library and n == min(args.sizes):
        bench_library(n, args, entry)
    if not args.skip_reports:
        bench_reports(n, args, entry, results, profile)
    if args.preview_runs:
        entry["preview"] = zone_planning.measure(args.preview_runs,
                                                 entry["zones"]["draft"]["expected"], log=log)
        if profile and not report_zones.preview_ok(entry["preview"]):
            log("  the change preview misses its target: EXPLAIN ANALYZE of its SQL")
            entry["preview"]["explain"] = zone_planning.explain()["plan"]
    if not args.skip_alerts and n == max(args.sizes):
        bench_alerts(n, args, entry, profile)  # before the import, which changes the town
    if not args.skip_leisure and n == max(args.sizes):
        bench_leisure(n, args, entry)
    if not args.skip_import:
        bench_import(n, args, entry)
    save(results, args)


def bench_alerts(n, args, entry, profile):
    """The alerts part (alerts_bench.py); when the delivery or the nightly job misses its
    target, a short profile of it (in-process, cProfile)."""
    log(f"  alerts (issue 13): {args.alert_subscribers:,} e-mail and {args.alert_sms:,} SMS "
        "subscribers")
    entry["alerts"] = alerts_bench.run(n, args, WORK, log=log, profile=profile)


def bench_leisure(n, args, entry):
    """Registration night (issue 15 part 3, leisure_rush.py): 2,000 generated groups, 4,000
    baskets confirmed by 32 concurrent clients, the catalogue, /healthz and the raw SQL beside
    them."""
    log(f"  leisure (issue 15): {leisure_rush.GROUPS:,} groups, {leisure_rush.PARENTS:,} "
        f"parents, {leisure_rush.CLIENTS} clients")
    entry["leisure"] = leisure_rush.measure(
        args.workers, args.threads, WORK / "gunicorn.log", requests=args.leisure_requests,
        profile_dir=None if args.no_profile else WORK,
        connection_each=not args.rush_shared_connections, log=log)


def bench_library(n, args, entry):
    """The dashboard with two library cards against none (library_dashboard.py)."""
    log(f"  library (issue 16): {args.library_rounds} rounds of {args.library_requests} "
        "requests per endpoint and phase")
    entry["library"] = library_dashboard.measure(
        args.library_rounds, args.library_requests, args.workers, args.threads,
        WORK / "gunicorn.log", log=log, ils_port=args.ils_port)


def bench_import(n, args, entry):
    """The roll of the town written as XML, read alone, then imported (the yearly update, median
    of --import-runs) and, unless --no-first-import, imported into the town emptied of its
    properties."""
    path = WORK / f"roll-{n}.xml"
    t = time.perf_counter()
    size = roll_import.write_roll(path, n)
    log(f"  roll XML written: {size / 1e6:.0f} MB in {time.perf_counter() - t:.1f} s")
    try:
        parse = roll_import.run_child("parse", path)
        log(f"  XML reading alone: {parse['units_per_s']:,.0f} units/s")
        runs = []
        for k in range(args.import_runs):
            if k:
                roll_import.reset()  # the same yearly update again
            runs.append(roll_import.run_child("import", path))
            check = roll_import.check_imported(n)
            log(f"  import run {k + 1}: {runs[-1]['units_per_s']:,.0f} units/s{_phases(runs[-1])}")
        imp = {**sorted(runs, key=lambda r: r["units_per_s"])[len(runs) // 2],
               "runs_units_per_s": [r["units_per_s"] for r in runs],
               "maxrss_mb": max(r["maxrss_mb"] for r in runs)}
        if args.first_import:
            roll_import.empty_town()
            first = roll_import.run_child("import", path)
            roll_import.check_imported(n)
            log(f"  first import (town emptied of its properties): "
                f"{first['units_per_s']:,.0f} units/s{_phases(first)}")
    finally:
        if not args.keep_files:
            path.unlink(missing_ok=True)
    log(f"  import (median): {imp['units_per_s']:,.0f} units/s, "
        f"peak RSS {imp['maxrss_mb']:.0f} MB")
    entry["import"] = {**imp, "file_mb": size / 1e6, "parse": parse, "check": check}
    if args.first_import:
        entry["import"]["first"] = first


def _phases(run) -> str:
    phases = run.get("phases_s") or {}
    return (" (" + ", ".join(f"{k} {v:.2f} s" for k, v in phases.items())
            + f" of {run['seconds']:.2f} s)") if phases else ""


def bench_http(n, args, entry, results, profile):
    """One client (p50/p99, the dashboard of a signed-in citizen among them), the concurrent
    load with wrk, then the nearby and schedule APIs through PgBouncer."""
    citizen = bench_citizen.build(log=log)
    entry["latency"] = http_load.measure(args.requests, args.warmup, args.workers,
                                         args.threads, WORK / "gunicorn.log", log=log,
                                         citizen=citizen)
    schedule = next(r for r in entry["latency"] if r["name"] == http_load.SCHEDULE)
    healthz = next(r for r in entry["latency"] if r["name"] == report_zones.HEALTHZ)
    if profile and not (report_zones.schedule_ok(schedule)
                        and report_zones.ratio_ok(schedule, healthz)):
        results["schedule_profile"] = profile_schedule(n)
    load = None
    if not args.skip_load:
        if wrk_load.available():
            load = {"connections": args.load_connections, "seconds": args.load_seconds,
                    "warmup_s": args.load_warmup, "wrk_threads": args.wrk_threads}
            entry["load"] = concurrent_load.measure(args.workers, args.threads,
                                                    WORK / "gunicorn.log", WORK, log=log, **load)
        else:
            entry["load_error"] = "wrk is not installed (scripts/system_deps.sh --bench)"
            log(f"  no concurrent runs: {entry['load_error']}")
    if not args.skip_pgbouncer:
        entry["pgbouncer"] = pgbouncer_http.measure(
            args.pgbouncer_port, args.requests, args.warmup, args.workers, args.threads,
            WORK / "gunicorn.log", WORK, load, log=log)


def save(results, args):
    """The raw numbers: bench/work/results.json (results-<part>.json with --only)."""
    name = f"results-{args.only}.json" if args.only else "results.json"
    (WORK / name).write_text(json.dumps(results, indent=1, default=str))


def bench_reports(n, args, entry, results, profile):
    """Synthetic reports over the town, then the reports layer and the form through gunicorn;
    cProfile in-process of what misses its target (at the largest size)."""
    built = synthetic_reports.build(n, args.reports, log=log)
    entry["reports"] = {"built": {k: v for k, v in built.items() if k != "citizen"}}
    if args.skip_http:
        return
    warmup = min(args.warmup, max(20, args.report_requests // 10))
    measured = reports_http.measure(built, args.report_requests, warmup, args.report_requests,
                                     args.workers, args.threads,
                                    WORK / "gunicorn.log", log=log)
    entry["reports"]["http"] = measured
    if not profile:
        return
    missed = report_reports.missed(measured)
    rng = random.Random(11)
    for mode in missed:
        log(f"  the {mode} misses its target: profiling 100 requests in-process")
        if mode == "layer":
            todo = [reports_http.layer_path(b)
                    for b in reports_http.viewports(built["extent"], 100, rng)]
        else:
            todo = [[c["code"], lon, lat, c["answers"]] for c, lon, lat in
                    reports_http.flows(built["extent"], built["categories"], 100, rng)]
        prof = reports_profile.profile(mode, todo, WORK)
        (WORK / f"reports-profile-{mode}.txt").write_text(prof["profile"])
        results.setdefault("reports_profile", {})[mode] = {**prof, "n": n}


def profile_schedule(n, count=500):
    log(f"  the schedule API misses its target: profiling {count} requests in-process")
    prof = schedule_profile.profile(schedule_profile.sample_ids(n, count))
    (WORK / "schedule-profile.txt").write_text(prof["profile"])
    prof["n"] = n
    return prof


def profile_importer(n, results):
    """cProfile of one import (rolled back) on a freshly built town of n properties."""
    log(f"== profiling the roll importer at {n:,} units (cProfile, dry run) ==")
    synthetic_town.build(n, log=lambda *_: None)
    path = WORK / f"roll-{n}-profile.xml"
    roll_import.write_roll(path, n)
    try:
        prof = roll_import.run_child("profile", path, 30)
    finally:
        path.unlink(missing_ok=True)
    (WORK / "import-profile.txt").write_text(prof["profile"])
    results["profile"] = {"n": n, "seconds": prof["seconds"], "text": prof["profile"]}


def main(argv=None):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the cleanups (gunicorn)
    WORK.mkdir(exist_ok=True)
    started = time.time()
    load_start = os.getloadavg()
    log(f"Bench database {benchdb.NAME} on {benchdb.HOST}:{benchdb.PORT}; sizes {args.sizes}")
    before = dev_db_fingerprint()
    benchdb.ensure_database()
    results = {"started": started, "args": {k: v for k, v in vars(args).items()},
               "machine": report.machine(), "sizes": [], "loadavg_start": load_start,
               "http_port": http_load.PORT}
    for n in args.sizes:
        bench_size(n, args, results)
    imports = [s["import"] for s in results["sizes"] if "import" in s]
    if imports and not args.no_profile and not all(report.import_ok(i) for i in imports):
        profile_importer(min(args.sizes), results)
    after = dev_db_fingerprint()
    results["dev_db_untouched"] = before == after
    results["duration_s"] = time.time() - started
    results["loadavg_end"] = os.getloadavg()
    save(results, args)
    Path(args.output).write_text(report.render(results))
    log(f"Wrote {args.output} in {results['duration_s'] / 60:.1f} min "
        f"(dev database untouched: {results['dev_db_untouched']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
