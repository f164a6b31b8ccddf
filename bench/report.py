"""The machine description and bench/RESULTS.md."""
import datetime as dt
import os
import platform
import subprocess
from importlib.metadata import version

import benchdb
import http_load
import report_alerts
import report_leisure
import report_library
import report_reports
import report_speed
import report_zones

NEARBY = "GET /api/properties/<id>/nearby/"
TARGET_SIZE = 200_000
NEARBY_P50_MS, NEARBY_P99_MS = 10.0, 40.0
IMPORT_UNITS_S, IMPORT_MAX_MB = 10_000, 250.0
# Issue 10: the importer at least half as fast as reading the XML alone, in the same run.
IMPORT_READING_SHARE = 0.5


def machine() -> dict:
    mem_kb = next(int(line.split()[1]) for line in open("/proc/meminfo")
                  if line.startswith("MemTotal:"))
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor() or "?")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=benchdb.ROOT,
                            capture_output=True, text=True).stdout.strip()
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all", "--", ".",
                             ":!bench"], cwd=benchdb.ROOT, capture_output=True,
                            text=True).stdout.splitlines()
    return {"nproc": len(os.sched_getaffinity(0)), "cpu": cpu, "ram_gb": mem_kb / 1024 ** 2,
            "kernel": platform.release(), "python": platform.python_version(),
            "django": version("Django"), "gunicorn": version("gunicorn"),
            "psycopg": version("psycopg"), "commit": commit,
            "uncommitted": [line[3:] for line in status], **benchdb.server_info()}


def import_ok(imp) -> bool:
    return imp["units_per_s"] >= IMPORT_UNITS_S and imp["maxrss_mb"] <= IMPORT_MAX_MB


def _verdict(ok):
    return "**PASS**" if ok else "**FAIL**"


def _targets(results):
    rows = []
    sized = {s["n"]: s for s in results["sizes"]}
    at = TARGET_SIZE if TARGET_SIZE in sized else max(sized, default=None)
    lat = {r["name"]: r for r in sized.get(at, {}).get("latency", [])} if at else {}
    note = "" if at == TARGET_SIZE else f" (measured at {at:,}: target size not run)"
    if NEARBY in lat:
        r = lat[NEARBY]
        rows.append((f"Nearby API p50 at {TARGET_SIZE:,} properties{note}",
                     f"<= {NEARBY_P50_MS:g} ms", f"{r['p50']:.2f} ms",
                     _verdict(r["p50"] <= NEARBY_P50_MS and not r["errors"])))
        rows.append((f"Nearby API p99 at {TARGET_SIZE:,} properties{note}",
                     f"<= {NEARBY_P99_MS:g} ms", f"{r['p99']:.2f} ms",
                     _verdict(r["p99"] <= NEARBY_P99_MS and not r["errors"])))
    if at:
        rows += report_zones.targets(sized, at, TARGET_SIZE, note, _verdict)
    for s in results["sizes"]:
        if "import" in s:
            imp = s["import"]
            rows.append((f"Roll import throughput, {s['n']:,} units", f">= {IMPORT_UNITS_S:,} "
                         "units/s", f"{imp['units_per_s']:,.0f} units/s",
                         _verdict(imp["units_per_s"] >= IMPORT_UNITS_S)))
            share = imp["units_per_s"] / imp["parse"]["units_per_s"]
            rows.append((f"Roll import against reading the XML alone (same run), {s['n']:,} "
                         "units", f">= {IMPORT_READING_SHARE:.0%}",
                         f"{share:.0%} ({imp['units_per_s']:,.0f} / "
                         f"{imp['parse']['units_per_s']:,.0f} units/s)",
                         _verdict(share >= IMPORT_READING_SHARE)))
            rows.append((f"Roll import peak memory, {s['n']:,} units",
                         f"<= {IMPORT_MAX_MB:g} MB", f"{imp['maxrss_mb']:.0f} MB",
                         _verdict(imp["maxrss_mb"] <= IMPORT_MAX_MB)))
    rows += report_reports.targets(results, _verdict)
    rows += report_alerts.targets(results, _verdict)
    rows += report_leisure.targets(results, _verdict)
    rows += report_library.targets(results, _verdict)
    out = ["| Target | Goal | Measured | Result |", "|---|---|---|---|"]
    out += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return out


def _latency(results):
    out = ["| Properties | Endpoint | p50 ms | p90 ms | p99 ms | max ms | mean ms | requests "
           "| errors | items returned (mean) |", "|---|---|---|---|---|---|---|---|---|---|"]
    for s in results["sizes"]:
        for r in s.get("latency", []):
            rows = f"{r['rows']:.1f}" if r["rows"] else ""
            out.append(f"| {s['n']:,} | {r['name']} | {r['p50']:.2f} | {r['p90']:.2f} | "
                       f"{r['p99']:.2f} | {r['max']:.2f} | {r['mean']:.2f} | {r['n']} | "
                       f"{r['errors']} | {rows} |")
    return out


def _imports(results):
    out = ["| Units | XML file | Import time (median run) | Units/s: median (each run) | Peak "
           "RSS (ru_maxrss, all runs) | RSS after Django setup | XML reading alone |",
           "|---|---|---|---|---|---|---|"]
    for s in results["sizes"]:
        if "import" in s:
            i = s["import"]
            runs = " / ".join(f"{r:,.0f}" for r in i.get("runs_units_per_s", []))
            out.append(f"| {s['n']:,} | {i['file_mb']:.0f} MB | {i['seconds']:.1f} s | "
                       f"{i['units_per_s']:,.0f} ({runs}) | {i['maxrss_mb']:.0f} MB | "
                       f"{i['rss_after_setup_mb']:.0f} MB | {i['parse']['units_per_s']:,.0f} "
                       "units/s |")
    firsts = [s for s in results["sizes"] if "first" in s.get("import", {})]
    if firsts:
        out += ["", "The roll's first import, for information (the target above is the yearly "
                "update): the same file, once the yearly updates are measured, into the town "
                "emptied of its properties, addresses and roll entries (parcels and address "
                "points kept; tables analysed empty). Every unit is created with its parcel and "
                "address point (two GiST index entries), its address (a trigram GIN entry) and "
                "its roll entry.", "",
                "| Units | Import time | Units/s | Peak RSS |", "|---|---|---|---|"]
        for s in firsts:
            f = s["import"]["first"]
            out.append(f"| {s['n']:,} | {f['seconds']:.1f} s | {f['units_per_s']:,.0f} | "
                       f"{f['maxrss_mb']:.0f} MB |")
    out += ["", "Where the median run's time goes (wall clock, no profiler; µs per unit):", "",
            "| Units | reading the XML into the staging table (`_stage`: one COPY, written as "
            "the XML is read) | the set-based statements, once over the staging table "
            "(`_write`) | the rest: staging table, commit | total |",
            "|---|---|---|---|---|"]
    for s in results["sizes"]:
        if "import" in s and "stage" in s["import"].get("phases_s", {}):
            i, ph = s["import"], s["import"]["phases_s"]
            per = 1e6 / i["units"]
            rest = i["seconds"] - ph["stage"] - ph["write"]
            out.append(f"| {s['n']:,} | {ph['stage'] * per:.0f} | {ph['write'] * per:.0f} | "
                       f"{rest * per:.0f} | {i['seconds'] * per:.0f} |")
    out.append(f"\nThe {IMPORT_UNITS_S:,} units/s target is a budget of "
               f"{1e6 / IMPORT_UNITS_S:.0f} µs per unit.")
    return out


def _uncommitted(m) -> str:
    files = m.get("uncommitted") or []
    if not files:
        return ""
    shown = ", ".join(f"`{f}`" for f in files[:8]) + (", ..." if len(files) > 8 else "")
    return (f" plus {len(files)} uncommitted file(s) outside bench/ in the working tree (other "
            f"developers' work in progress: {shown})")


def _load(results) -> str:
    def fmt(v):
        return " / ".join(f"{x:.2f}" for x in v) if v else "?"
    return (f"Load average (1 / 5 / 15 min) at the start: {fmt(results.get('loadavg_start'))}, "
            f"at the end: {fmt(results.get('loadavg_end'))}: other developers' tests may have "
            "shared the machine.")


def render(results) -> str:
    m = results["machine"]
    date = dt.datetime.fromtimestamp(results["started"]).astimezone()
    args = results["args"]
    lines = [
        "# Guichet benchmarks", "",
        f"Measured on {date:%Y-%m-%d %H:%M %Z} by `make bench` (bench/run.py) in "
        f"{results['duration_s'] / 60:.1f} min, commit `{m['commit']}`{_uncommitted(m)}. "
        "The towns are **synthetic** (see below), not real data. "
        f"{_load(results)}", "",
        "## Targets", "", *_targets(results), "",
        *report_speed.section(results),
        "## Latency through HTTP", "",
        f"gunicorn {m['gunicorn']} serving `config.wsgi:application` on 127.0.0.1:"
        f"{results.get('http_port', http_load.PORT)} with "
        f"{args['workers']} gthread workers x {args['threads']} threads, DEBUG off; client: one "
        "keep-alive `http.client` connection per endpoint, requests sent one after the other "
        "(concurrency 1), the endpoints taking turns request by request (the machine's "
        "changing load falls on all alike), timed from send to last body byte. "
        f"{args['requests']:,} requests per endpoint and "
        f"size on random property ids (seeded), after {args['warmup']} warm-up requests. "
        "The raw SQL row is the proximity query the nearby API sends (PlaceQuerySet.within: "
        "`ST_DWithin` on the GiST index, `ST_Distance`, `ST_Transform` to WGS 84, category "
        "join, nearest first; radius 300 m), copied from Django's SQL and run through psycopg "
        "with a client-side-binding cursor like Django's, same ids, origin geometry fetched "
        "beforehand; it excludes the property lookup, Python and HTTP. Items returned: places "
        "for the nearby API and its SQL, streams with a zone for the schedule API (each of "
        "them with its zone and next 8 dates, plus the watering answers). The dashboard row "
        "(`/mon-compte/`) sends the session cookie of a synthetic citizen with 2 verified "
        "property links (bench/bench_citizen.py): two property cards (roll entry, next "
        "collections, watering, taxes), and an access-log row written per view.", "",
        *_latency(results), "", *report_zones.schedule_profile_section(results),
        *report_reports.section(results),
        *report_alerts.section(results),
        *report_leisure.section(results),
        *report_library.section(results),
        *report_zones.preview_section(results),
        "## Roll importer", "",
        "`properties.importers.roll.import_roll(path, commit=True)` in a child process (Django "
        "set up on the bench database), on a MAMH XML roll stream-written for the synthetic "
        "town: one `<RLUEx>` per property, same matricules, lots and civic addresses, roll year "
        "2026 (the town holds 2025): the yearly roll update, every unit updated (looked up, "
        "its addresses and links checked: they are unchanged, so not rewritten) and a new "
        "RollEntry each. Units/s is units / wall time of `import_roll`, "
        f"the median of {args.get('import_runs', 1)} committed imports (between two, the roll "
        "year's entries are deleted and the table vacuumed, so each run is the same update); "
        "peak memory is the child's own `ru_maxrss` (it includes Django and GDAL, see the RSS "
        "after setup). \"XML reading alone\" iterates `iter_roll` without a database.", "",
        *_imports(results), "",
    ]
    if "profile" in results:
        p = results["profile"]
        lines += [
            "### Importer profile", "",
            f"cProfile of one import of {p['n']:,} units (rolled back; {p['seconds']:.1f} s "
            "under the profiler), also in bench/work/import-profile.txt:", "",
            "<details><summary>cProfile, top functions</summary>", "", "```",
            p["text"].strip(), "```", "", "</details>", ""]
    lines += [
        "## The synthetic town", "",
        "Generated by bench/synthetic_town.py in the separate database "
        f"`{benchdb.NAME}` (created and migrated by the benchmark; the dev database `guichet` is "
        "never written to) with set-based SQL (`generate_series`, one INSERT ... SELECT per "
        "table). EPSG:32188, centred on Pincourt (x 266,700, y 5,027,000). Lots of 20 m x 30 m "
        "in blocks of 10 x 2 lots, 15 m streets between blocks both ways, blocks filling a "
        "square town. Each lot has a Parcel, a Property (parcel + address point), a "
        "CivicAddress, an AddressPoint and a RollEntry. Places: one per 30 properties, spread "
        "uniformly over the town in the 18 PlaceCategory slugs of the migration, in a weighted mix "
        "(bus stops the most common), points, and 30-150 m rectangles for parks, fields, "
        "playgrounds, schools, arenas and dog parks. Seeded, so a size always gives the same "
        "town.", "",
        "| Properties | Places | Streets | Blocks (x by y) | Build time |",
        "|---|---|---|---|---|"]
    for s in results["sizes"]:
        t = s["town"]
        lines.append(f"| {s['n']:,} | {t['counts']['geo_place']:,} | "
                     f"{t['counts']['geo_street']:,} | {t['blocks'][0]} x {t['blocks'][1]} | "
                     f"{t['seconds']:.1f} s |")
    lines += ["", *report_zones.zones_section(results)]
    lines += [
        "", "## Machine", "",
        f"- {m['nproc']} CPUs ({m['cpu']}), {m['ram_gb']:.1f} GB RAM, Linux {m['kernel']}",
        f"- PostgreSQL {m['postgres']}, PostGIS {m['postgis']} (project-local cluster, "
        + ", ".join(f"{k} {v}" for k, v in sorted(m["settings"].items())) + ")",
        f"- Python {m['python']}, Django {m['django']}, psycopg {m['psycopg']}, "
        f"gunicorn {m['gunicorn']}",
        "- Client, server and database share the same machine; load average before each size: "
        + ", ".join(f"{s['n']:,}: {s.get('loadavg', float('nan')):.2f}"
                    for s in results["sizes"]) + " (at the start and end of the run: see the top)",
        "", "## Rerun", "",
        "```sh",
        "make bench                                   # both sizes, writes bench/RESULTS.md",
        "make bench BENCH_ARGS='--sizes 20000 --requests 500'   # quicker",
        ".venv/bin/python bench/run.py --only reports --sizes 20000   # reports alone, "
        "to bench/work/RESULTS-reports.md",
        ".venv/bin/python bench/run.py --only http --sizes 20000      # HTTP alone (one "
        "client, wrk, PgBouncer), to bench/work/RESULTS-http.md",
        ".venv/bin/python bench/run.py --only alerts --sizes 200000   # alerts (issue 13) "
        "alone, to bench/work/RESULTS-alerts.md",
        ".venv/bin/python bench/run.py --only leisure --sizes 20000   # registration night "
        "(issue 15) alone, to bench/work/RESULTS-leisure.md",
        ".venv/bin/python bench/run.py --only library --sizes 20000   # the dashboard with "
        "library cards (issue 16) alone, to bench/work/RESULTS-library.md",
        ".venv/bin/python bench/run.py --help",
        "```", "",
        "Needs the local PostGIS cluster (`make bench` starts it), wrk (`make bench` installs "
        f"it), port {http_load.PORT} (`BENCH_HTTP_PORT`) and the PgBouncer port (PGPORT + "
        "1000, `--pgbouncer-port`) free. Raw "
        "numbers: bench/work/results.json (git-ignored).", ""]
    return "\n".join(lines)
