"""The leisure part's targets (issue 15 part 3, registration night) and its section of
RESULTS.md: each latency beside /healthz and the raw SQL measured in the same run."""
import leisure_rush

CONFIRM_P99_MS = 300  # basket confirmation, 32 concurrent clients, during the rush
CATALOGUE_P50_MS = 30  # GET /loisirs/ with 2,000 groups, one client


def _ok(le) -> tuple[bool, bool]:
    rush, check = le["rush"], le["check"]
    sound = (not rush["errors"] and not check["overbooked_groups"] and not check["doubled"]
             and not check["left_in_basket"] and not check["out_of_order_groups"])
    catalogue = next(r for r in le["one_client"] if r["name"] == leisure_rush.CATALOGUE_NAME)
    return (rush["p99"] <= CONFIRM_P99_MS and sound,
            catalogue["p50"] <= CATALOGUE_P50_MS and not catalogue["errors"])


def targets(results, verdict) -> list[tuple]:
    out = []
    for s in results["sizes"]:
        le = s.get("leisure")
        if not le:
            continue
        confirm_ok, catalogue_ok = _ok(le)
        rush = le["rush"]
        catalogue = next(r for r in le["one_client"] if r["name"] == leisure_rush.CATALOGUE_NAME)
        out.append((f"Leisure (issue 15): basket confirmation p99 during a rush, 32 clients, "
                    f"gunicorn 2 workers, {le['built']['groups']:,} groups",
                    f"<= {CONFIRM_P99_MS} ms, 0 errors, no overbooking",
                    f"{rush['p99']:.1f} ms ({rush['errors']} errors, "
                    f"{le['check']['overbooked_groups']} groups overbooked)",
                    verdict(confirm_ok)))
        out.append((f"Leisure (issue 15): catalogue `/loisirs/` p50 with "
                    f"{le['built']['groups']:,} groups, one client",
                    f"<= {CATALOGUE_P50_MS} ms", f"{catalogue['p50']:.2f} ms",
                    verdict(catalogue_ok)))
    return out


def _x(value, reference) -> str:
    return f"{value / reference:.1f}x" if reference else "?"


def section(results) -> list[str]:
    out = []
    for s in results["sizes"]:
        le = s.get("leisure")
        if not le:
            continue
        b, rush, check = le["built"], le["rush"], le["check"]
        one = {r["name"]: r for r in le["one_client"]}
        catalogue, healthz = one[leisure_rush.CATALOGUE_NAME], one[leisure_rush.HEALTHZ_ONE]
        load, sql_c, sql_k = le["healthz_load"], le["sql_confirm"], le["sql_catalogue"]
        confirm_ok, catalogue_ok = _ok(le)
        statuses = ", ".join(f"{k}: {v:,}" for k, v in sorted(rush["statuses"].items()))
        out += [
            "## Leisure registration night (issue 15)", "",
            f"bench/leisure_rush.py on the town of {s['n']:,} properties, in "
            f"{le['seconds'] / 60:.1f} min; load average (1 min) {le['loadavg_start']:.2f} at "
            f"its start, {le['loadavg_end']:.2f} at its end (2 CPUs shared with other "
            "developers' tests). The leisure data is **generated** (a Django child): one "
            f"season, {b['groups']:,} groups of {b['capacity']} seats with a waiting list of "
            f"{b['waiting_list']} at {b['places']:,} of the town's places, a weekly time slot "
            f"each; {b['parents']:,} resident parents (a verified link to a property, a child "
            "of the groups' ages, a database session each, no sign-in during the run) with "
            f"{b['items']:,} basket items written as `add_to_basket` writes them before the "
            f"window (no seat held): half of the parents on {b['hot']} hot groups "
            f"({b['per_hot']} each), the others spread over the rest, 1 in 10 with a second "
            "item at another hour. gunicorn (config/gunicorn.py: "
            f"{le['workers']} gthread workers x {le['threads']} threads, DEBUG off). First one "
            "client, `GET /loisirs/` (the season's first page of 50 groups and the map's "
            f"places over all {b['groups']:,}; {b['catalogue_bytes'] / 1000:.0f} kB before "
            "gzip) taking turns with `GET /healthz`; then `/healthz` from "
            f"{le['clients']} concurrent clients (threads, one keep-alive `http.client` "
            "connection each); the window opened; the rush: every parent's "
            f"`POST /loisirs/panier/confirmer/` (session and CSRF cookies, `X-CSRFToken`) from "
            f"the same {le['clients']} clients, taken in turn from a shuffled list, "
            + ("each on a connection of its own (a parent's browser; connecting is timed)"
               if le.get("connection_each", False) else leisure_rush.SHARED_CONNECTIONS)
            + f"; `/healthz` "
            f"from {le['clients']} clients again. Beside them the raw SQL through psycopg "
            "(client-side binding like Django's): every statement one `confirm_basket` sends "
            f"({le['confirm_statements']}: the basket, the group locks, the rules' reads, the "
            "sequence, the counts, the update; captured from Django on a spare parent's basket "
            "in a hot group, full after the rush), in a transaction rolled back; and the "
            f"catalogue page's {le['catalogue_statements']} statements.", "",
            "| Measure | p50 ms | p95 ms | p99 ms | max ms | requests | errors | ratio |",
            "|---|---|---|---|---|---|---|---|",
            f"| {rush['name']} | {rush['p50']:.1f} | {rush['p95']:.1f} | {rush['p99']:.1f} | "
            f"{rush['max']:.1f} | {rush['n']:,} | {rush['errors']} | p99 "
            f"{_x(rush['p99'], load['p99'])} /healthz's p99 under the same load; p50 "
            f"{_x(rush['p50'], sql_c['p50'])} its raw SQL |",
            f"| {load['name']} | {load['p50']:.1f} | {load['p95']:.1f} | {load['p99']:.1f} | "
            f"{load['max']:.1f} | {load['n']:,} | {load['errors']} | reference (p99 "
            f"{load['p99_before']:.1f} before, {load['p99_after']:.1f} after) |",
            f"| {sql_c['name']} | {sql_c['p50']:.2f} | {sql_c['p95']:.2f} | "
            f"{sql_c['p99']:.2f} | {sql_c['max']:.2f} | {sql_c['n']} | 0 | reference |",
            f"| {catalogue['name']} | {catalogue['p50']:.2f} | {catalogue['p95']:.2f} | "
            f"{catalogue['p99']:.2f} | {catalogue['max']:.2f} | {catalogue['n']} | "
            f"{catalogue['errors']} | p50 {_x(catalogue['p50'], healthz['p50'])} /healthz; "
            f"{_x(catalogue['p50'], sql_k['p50'])} its raw SQL |",
            f"| {healthz['name']} | {healthz['p50']:.2f} | {healthz['p95']:.2f} | "
            f"{healthz['p99']:.2f} | {healthz['max']:.2f} | {healthz['n']} | "
            f"{healthz['errors']} | reference |",
            f"| {sql_k['name']} | {sql_k['p50']:.2f} | {sql_k['p95']:.2f} | "
            f"{sql_k['p99']:.2f} | {sql_k['max']:.2f} | {sql_k['n']} | 0 | reference |",
            "",
            f"The rush: {rush['n']:,} confirmations in {rush['seconds']:.1f} s "
            f"({rush['n'] / rush['seconds']:.0f}/s); answers {statuses}. Afterwards, from the "
            f"database: {check['registered']:,} registered, {check['waiting']:,} waiting, "
            f"{check['full']:,} refused (waiting list full too); "
            f"{check['groups_full']:,} groups full; groups over their capacity: "
            f"{check['overbooked_groups']}; members twice in a group: {check['doubled']}; "
            f"baskets left: {check['left_in_basket']}; groups with a waiting seq below a "
            f"registered one: {check['out_of_order_groups']}.", "",
            *_where(le),
            f"Targets: confirmation p99 <= {CONFIRM_P99_MS} ms during the rush (0 errors, no "
            f"overbooking): **{'PASS' if confirm_ok else 'FAIL'}**; catalogue p50 <= "
            f"{CATALOGUE_P50_MS} ms with {b['groups']:,} groups: "
            f"**{'PASS' if catalogue_ok else 'FAIL'}**.", ""]
    return out


def _where(le) -> list[str]:
    """Where the time goes: the in-process profile (one request at a time, after the rush) and
    the costliest statements of the raw SQL replays."""
    out = []
    prof = le.get("profile") or {}
    rush = le["rush"]
    if prof:
        c, k = prof.get("confirmation"), prof.get("catalogue")
        out += ["Where the time goes (bench/work/leisure-profile-*.txt, cProfile):", ""]
        if c:
            out.append(
                f"- One confirmation in-process, one at a time (the view through Django's test "
                f"client, {c['n']} spare baskets after the rush, half in full groups): p50 "
                f"{c['wall_p50']:.1f} ms, of which SQL {c['sql_p50']:.1f} ms "
                f"({c['statements']:.0f} statements, the access log and the commit included). "
                f"During the rush the server completed {rush['n'] / rush['seconds']:.0f} "
                f"confirmations/s; with {le['clients']} clients always waiting, each waits on "
                f"average {le['clients']} / that rate = "
                f"{le['clients'] / (rush['n'] / rush['seconds']) * 1000:.0f} ms (Little's law): "
                "the latency is the queue in front of the 2 workers, whose CPU (shared with "
                "PostgreSQL and the client on 2 cores) each confirmation uses.")
        if k:
            out.append(
                f"- The catalogue in-process: p50 {k['wall_p50']:.1f} ms, of which SQL "
                f"{k['sql_p50']:.1f} ms ({k['statements']:.0f} statements).")
    statements = (le.get("statements") or {}).get("catalogue") or []
    if statements:
        top = sorted(statements, key=lambda r: -r["p50"])[:3]
        out.append("- The catalogue's costliest statements (raw SQL p50): " + "; ".join(
            f"{r['p50']:.1f} ms `{r['sql'][:90]}...`" for r in top) + ".")
    return [*out, ""] if out else []
