"""RESULTS.md part of issue 10, "Speed must not regress": every figure as a ratio to /healthz
measured in the same run (the machine is shared and noisy; the trivial view moves with it), the
targets, the concurrent runs (wrk) and the PgBouncer path."""
from concurrent_load import all_errors, healthz_reference
from http_load import DASHBOARD, HEALTHZ, NEARBY, PROPERTY, RAW_SQL, SCHEDULE

# One client: p50 at most this many times /healthz's p50.
P50_MAX_RATIO = {PROPERTY: 15, DASHBOARD: 20, NEARBY: 4, SCHEDULE: 3}
# Concurrent runs: (req/s at least this share of /healthz's req/s, p99 at most, in ms); 0 errors.
LOAD_TARGETS = {PROPERTY: (0.12, 200.0), NEARBY: (0.35, 60.0)}
LABEL = {PROPERTY: "property page", DASHBOARD: "citizen dashboard (2 verified properties)",
         NEARBY: "nearby API", SCHEDULE: "schedule API", HEALTHZ: "/healthz",
         RAW_SQL: "raw SQL proximity query (reference: the nearby API's SQL alone)"}


def _v(ok):
    return "**PASS**" if ok else "**FAIL**"


def _errors(r) -> str:
    """Errors of a concurrent run: the measured ones, split, and those of its warm-up."""
    w = r.get("warmup")
    warm = ""
    if w:
        warm = f"; warm-up: {w['error']}" if "error" in w else f"; warm-up: {w['errors']}"
    return f"{r['errors']} ({r['non2xx']} non-2xx, {r['socket_errors']} socket{warm})"


def _no_errors(r) -> bool:
    return all_errors(r) == 0


def _one_client_rows(n, lat) -> list[tuple]:
    rows = []
    h = lat.get(HEALTHZ)
    if not h:
        return rows
    base = h["p50"]
    rows.append((f"{n:,}: /healthz p50, one client", f"{base:.2f} ms", "1 (reference)", "", ""))
    for name in (PROPERTY, DASHBOARD, NEARBY, SCHEDULE):
        if name not in lat:
            continue
        r, limit = lat[name], P50_MAX_RATIO[name]
        ratio = r["p50"] / base
        errors = f", {r['errors']} errors" if r["errors"] else ""
        rows.append((f"{n:,}: {LABEL[name]} p50, one client", f"{r['p50']:.2f} ms{errors}",
                     f"{ratio:.1f}x", f"<= {limit}x, 0 errors",
                     _v(ratio <= limit and not r["errors"])))
    if RAW_SQL in lat:
        r = lat[RAW_SQL]
        rows.append((f"{n:,}: {LABEL[RAW_SQL]} p50", f"{r['p50']:.2f} ms",
                     f"{r['p50'] / base:.1f}x", "none (reference)", ""))
    return rows


def _load_rows(n, load, conn_label) -> list[tuple]:
    by = {r["name"]: r for r in load}
    h = healthz_reference(load)
    if not h:
        failed = next((r["error"] for r in load if r["name"] == HEALTHZ and "error" in r),
                      "not measured")
        return [(f"{n:,}: /healthz, {conn_label}", failed, "", "reference", _v(False))]
    each = " and ".join(f"{r['rps']:,.0f}" for r in h["runs"])
    errs = sum(all_errors(r) for r in h["runs"])
    rows = [(f"{n:,}: /healthz req/s, {conn_label} (mean of the runs first and last)",
             f"{h['rps']:,.0f} req/s ({each}; p99 up to {h['p99']:.1f} ms, {errs} errors)",
             "1 (reference)", "", "")]
    for name, (share, p99) in LOAD_TARGETS.items():
        r = by.get(name)
        what = f"{n:,}: {LABEL[name]}, {conn_label}"
        if not r or "error" in r:
            rows.append((what, (r or {}).get("error", "not measured"), "", "", _v(False)))
            continue
        rows.append((f"{what}: req/s", f"{r['rps']:,.0f} req/s", f"{r['rps'] / h['rps']:.1%}",
                     f">= {share:.0%}", _v(r["rps"] >= share * h["rps"])))
        rows.append((f"{what}: p99", f"{r['p99']:.1f} ms", "",
                     f"<= {p99:g} ms", _v(r["p99"] <= p99)))
        rows.append((f"{what}: errors", _errors(r), "", "0 (warm-up included)",
                     _v(_no_errors(r))))
    return rows


def _pgbouncer_rows(n, pgb, lat, load, conn_label) -> list[tuple]:
    """The PgBouncer path: ratios to the /healthz of its own runs (same gunicorn, same minutes;
    the direct path's when an older result has none); the bar is 0 errors."""
    if pgb.get("error") and not pgb.get("one_client"):
        return [(f"{n:,}: PgBouncer path", pgb["error"], "", "0 errors", _v(False))]
    rows = []
    own = {r["name"]: r for r in pgb.get("one_client", [])}
    h = own.get(HEALTHZ) or lat.get(HEALTHZ)
    if HEALTHZ in own:
        rows.append((f"{n:,}: PgBouncer run, /healthz p50, one client", f"{h['p50']:.2f} ms",
                     "1 (reference)", "", ""))
    for r in pgb.get("one_client", []):
        if r["name"] == HEALTHZ:
            continue
        ratio = f"{r['p50'] / h['p50']:.1f}x" if h else ""
        rows.append((f"{n:,}: PgBouncer, {LABEL[r['name']]} p50, one client",
                     f"{r['p50']:.2f} ms, {r['errors']} errors", ratio, "0 errors",
                     _v(r["errors"] == 0)))
    hl = healthz_reference(pgb.get("load", [])) or healthz_reference(load)
    if healthz_reference(pgb.get("load", [])):
        each = " and ".join(f"{r['rps']:,.0f}" for r in hl["runs"])
        rows.append((f"{n:,}: PgBouncer run, /healthz req/s, {conn_label} (mean of the runs "
                     "first and last)", f"{hl['rps']:,.0f} req/s ({each})", "1 (reference)",
                     "", ""))
    for r in pgb.get("load", []):
        if r["name"] == HEALTHZ:
            continue
        what = f"{n:,}: PgBouncer, {LABEL[r['name']]}, {conn_label}"
        if "error" in r:
            rows.append((what, r["error"], "", "0 errors", _v(False)))
            continue
        ratio = f"{r['rps'] / hl['rps']:.1%} (req/s)" if hl else ""
        rows.append((what, f"{r['rps']:,.0f} req/s, p99 {r['p99']:.1f} ms, errors {_errors(r)}",
                     ratio, "0 errors (warm-up included)", _v(_no_errors(r))))
    if pgb.get("error"):
        rows.append((f"{n:,}: PgBouncer path", pgb["error"], "", "0 errors", _v(False)))
    return rows


def _conn_label(args) -> str:
    return f"{args.get('load_connections', 32)} connections {args.get('load_seconds', 20):g} s"


def section(results) -> list[str]:
    sizes = [s for s in results["sizes"] if "latency" in s]
    if not sizes:
        return []
    args = results["args"]
    cl = _conn_label(args)
    rows = []
    for s in sizes:
        lat = {r["name"]: r for r in s["latency"]}
        rows += _one_client_rows(s["n"], lat)
        if "load" in s:
            rows += _load_rows(s["n"], s["load"], cl)
        elif s.get("load_error"):
            rows.append((f"{s['n']:,}: concurrent runs", s["load_error"], "", "", _v(False)))
        if "pgbouncer" in s:
            rows += _pgbouncer_rows(s["n"], s["pgbouncer"], lat, s.get("load", []), cl)
    out = [
        "## Speed relative to /healthz", "",
        "Issue 10, \"Speed must not regress\": the machine is shared (2 CPUs, other developers' "
        "tests), so each figure is judged as a ratio to `/healthz` (a view that touches neither "
        "the database nor a template) measured in the same run, through the same gunicorn "
        f"({args['workers']} gthread workers x {args['threads']} threads). One client: the p50 "
        "of the latency table below. Concurrent: wrk (Debian's, bench/wrk_load.py and "
        f"bench/wrk_paths.lua), {cl} per endpoint after {args.get('load_warmup', 2):g} s of "
        "unmeasured warm-up, /healthz first and last (the reference: their mean req/s), each "
        "request on the next property id of a seeded "
        "list (the same for every endpoint); the one-client rows take turns request by request "
        "(bench/http_load.py), so the machine's changing load falls on every endpoint alike. "
        "Errors: answers outside 2xx plus socket errors "
        "(connect, read, write, timeout after 5 s), those of the warm-up beside them and counted "
        "in the verdict. PgBouncer: Debian's pgbouncer in "
        "transaction mode started by the benchmark on its own port, gunicorn's Django pointed "
        "at it (DATABASE_URL), /healthz measured the same way beside its endpoints (the "
        "reference of its ratios); its bar is 0 errors.", "",
        "| Measure | Value | Ratio to /healthz | Target | Result |", "|---|---|---|---|---|"]
    out += [f"| {a} | {b} | {c} | {d} | {e} |" for a, b, c, d, e in rows]
    out += ["", *_load_table(sizes, cl), *_pgbouncer_notes(sizes)]
    return out + [""]


def _load_table(sizes, conn_label) -> list[str]:
    runs = []  # (size, path, run, the /healthz reference of its path)
    for s in sizes:
        for path, load in (("direct", s.get("load", [])),
                           ("PgBouncer", s.get("pgbouncer", {}).get("load", []))):
            ref = healthz_reference(load) or healthz_reference(s.get("load", []))
            runs += [(s["n"], path, r, ref) for r in load]
    if not runs:
        return []
    out = [f"Concurrent runs ({conn_label}, wrk):", "",
           "| Properties | Path | Endpoint | Requests | req/s | % of /healthz (mean) | p50 ms | "
           "p90 ms | p99 ms | max ms | non-2xx | socket errors (connect / read / write / "
           "timeout) | warm-up errors |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for n, path, r, h in runs:
        if "error" in r:
            out.append(f"| {n:,} | {path} | {r['name']} | {r['error']} |" + " |" * 9)
            continue
        share = f"{r['rps'] / h['rps']:.1%}" if h else ""
        k, w = r["socket"], r.get("warmup") or {}
        warm = w.get("error", w.get("errors", ""))
        out.append(f"| {n:,} | {path} | {r['name']} | {r['requests']:,} | {r['rps']:,.0f} | "
                   f"{share} | {r['p50']:.1f} | {r['p90']:.1f} | {r['p99']:.1f} | "
                   f"{r['max']:.1f} | {r['non2xx']} | {k['connect']} / {k['read']} / "
                   f"{k['write']} / {k['timeout']} | {warm} |")
    return out + [""]


def _pgbouncer_notes(sizes) -> list[str]:
    out = []
    for s in sizes:
        p = s.get("pgbouncer")
        if not p:
            continue
        rows = p.get("one_client", [])
        if rows:
            out += [f"Through PgBouncer (port {p['port']}) at {s['n']:,}, one client:", "",
                    "| Endpoint | p50 ms | p90 ms | p99 ms | requests | errors |",
                    "|---|---|---|---|---|---|"]
            out += [f"| {r['name']} | {r['p50']:.2f} | {r['p90']:.2f} | {r['p99']:.2f} | "
                    f"{r['n']} | {r['errors']} |" for r in rows]
            out.append("")
        if p.get("exception"):
            out += [f"First exception gunicorn logged behind PgBouncer at {s['n']:,}: "
                    f"`{p['exception']}`", ""]
        if p.get("error"):
            out += [f"The PgBouncer run at {s['n']:,} stopped: `{p['error']}`", ""]
    return out
