"""RESULTS.md parts for reports (signalements): the targets of the report form and of the
public reports layer, the synthetic reports, the measures, and the profiles of what missed its
target."""
import reports_http as rh
import synthetic_reports

SUBMIT_P50_MS = 30.0
LAYER_P50_MS = 50.0


def _by_name(http) -> dict:
    return {r["name"]: r for r in [http["layer"], http["layer_sql"], *http["form"]]}


def missed(http) -> list[str]:
    """"layer" and/or "submit" when they miss their target (or had errors)."""
    r = _by_name(http)
    out = []
    if r[rh.LAYER]["p50"] > LAYER_P50_MS or r[rh.LAYER]["errors"]:
        out.append("layer")
    if r[rh.SUBMIT]["p50"] > SUBMIT_P50_MS or r[rh.SUBMIT]["errors"]:
        out.append("submit")
    return out


def targets(results, verdict) -> list[tuple]:
    rows = []
    for s in results["sizes"]:
        http = s.get("reports", {}).get("http")
        if not http:
            continue
        r = _by_name(http)
        total = s["reports"]["built"]["reports"]
        w, h = http["viewport_m"]
        sub, lay = r[rh.SUBMIT], r[rh.LAYER]
        rows.append((f"Report submitted through the web form (POST of a signed-in citizen, "
                     f"{sub['n']:,} reports), p50, {total:,} reports, town of {s['n']:,} "
                     f"properties", f"<= {SUBMIT_P50_MS:g} ms", f"{sub['p50']:.2f} ms "
                     f"({sub['errors']} errors)",
                     verdict(sub["p50"] <= SUBMIT_P50_MS and not sub["errors"])))
        rows.append((f"Public reports layer, {w / 1000:g} km x {h / 1000:g} km viewport, open "
                     f"reports ({lay['rows']:.0f} features a page on average), p50, {total:,} "
                     f"reports, town of {s['n']:,} properties", f"<= {LAYER_P50_MS:g} ms",
                     f"{lay['p50']:.2f} ms", verdict(lay["p50"] <= LAYER_P50_MS
                                                     and not lay["errors"])))
    return rows


def _items(r) -> str:
    if r["name"] == rh.DETAILS:
        return f"{r['rows']:.2f} open reports nearby shown"
    if r["name"] == rh.LAYER:
        return f"{r['rows']:.1f} features ({r['matched']:.0f} matched)"
    if r["name"] == rh.LAYER_SQL:
        return f"{r['rows']:.1f} rows (COUNT alone: p50 {r['count_p50']:.2f} ms)"
    return ""


def section(results) -> list[str]:
    sizes = [s for s in results["sizes"] if "reports" in s]
    if not sizes:
        return []
    b0 = sizes[0]["reports"]["built"]
    out = [
        "## Reports (signalements)", "",
        f"bench/synthetic_reports.py adds {b0['reports']:,} SYNTHETIC reports to each town with "
        "one set-based INSERT ... SELECT (and one CREATED event each), after loading the demo's "
        "categories, questions and departments (data/pincourt/request-categories.json) with "
        "`service_requests.importers.categories.load_categories` in a Django child process. "
        "Categories weighted (potholes, street lights and missed collections the most common); "
        f"`submitted_at` uniform over the last {synthetic_reports.YEARS} years; the chance of "
        "being still open falls with age (21.5% + 70% e^(-age/90 days): a backlog of old open "
        "reports and most of the recent ones), open ones spread over submitted / acknowledged / "
        "in progress / planned, closed ones mostly resolved, some closed not fixed, duplicates "
        "and not the city's; channels web 55%, phone 25%, e-mail 10%, counter 5%, Open311 5%; "
        "10% of the web reports still submitted wait for their e-mail confirmation (not "
        "public). Locations uniform over the town's blocks and streets, each on the lot under "
        "it (none in a street). A signed-in citizen (a user with a confirmed e-mail, the "
        "session made by `force_login` in the child) sends the form; signed-in users are not "
        "throttled.", "",
        "| Properties | Reports | Open and public | Waiting for e-mail confirmation | On a lot "
        "| Statuses | Submitted between | Build time |", "|---|---|---|---|---|---|---|---|"]
    for s in sizes:
        b = s["reports"]["built"]
        st = b["stats"]
        statuses = ", ".join(f"{k} {v / b['reports']:.0%}" for k, v in st["statuses"].items())
        out.append(f"| {s['n']:,} | {b['reports']:,} | {st['open_public']:,} "
                   f"({st['open_public'] / b['reports']:.0%}) | {st['unconfirmed']:,} | "
                   f"{st['with_property']:.0%} | {statuses} | {st['first']} - {st['last']} | "
                   f"{b['seconds']:.1f} s |")
    h0 = next((s["reports"]["http"] for s in sizes if "http" in s["reports"]), None)
    if h0 is None:
        return out + [""]
    w, h = h0["viewport_m"]
    out += [
        "", "Measured through gunicorn (same server settings and client as the latency table "
        "above, concurrency 1), in this order:", "",
        f"- **{rh.LAYER}**: the public reports layer (`service_requests.api."
        f"ReportViewSet`) for a {w:,} m x {h:,} m map viewport (about 1 km x 0.6 km, a phone or "
        "small window at zoom ~16) at a random place wholly inside the town, every open "
        f"status, default page size ({h0.get('page_size', 200)} features, newest first), with its "
        "`count`; "
        f"{h0['requests']:,} viewports (seeded) after warm-up, on exactly the synthetic "
        "reports. Items: features returned, and how many open reports the viewport holds.",
        f"- **{rh.LAYER_SQL}**: the two statements that view sends (the paginator's COUNT, then "
        "the page: every column, `ST_Transform` to WGS 84, category join, `ORDER BY "
        f"submitted_at DESC, id DESC LIMIT {h0.get('page_size', 200)}`), copied from Django's "
        "SQL, through psycopg with a client-side-binding cursor like Django's, same viewports, "
        "both timed together; it excludes Python (model instances, serializer, JSON) and HTTP.",
        f"- **{rh.DETAILS}** then **{rh.SUBMIT}**: the report form of the signed-in citizen "
        "(session cookie), as a browser sends it, "
        f"{h0['form_requests']:,} reports (after {h0['form_warmup']} warm-up ones) at random "
        "points of the town, the categories in turn. The GET "
        "(`/signaler/details/?category=<code>&lon=..&lat=..`) is the page that runs the "
        "duplicate check (`services.open_nearby`: open, confirmed reports of the category "
        "within 50 m, nearest first, 5 shown) and gives the CSRF token (and cookie); the POST "
        "to the same URL sends the CSRF token, the description, an answer to every question of "
        "the category and an empty photo input (multipart/form-data, Origin header), and "
        "`services.submit_request` creates the request (territory check, the lot under the "
        "point, the request, its CREATED event) and answers 302 to the citizen's page of the "
        "request, not followed. **The POST does not run the duplicate check again**: a "
        "successful submit only re-checks the place is in the territory; the duplicate check is "
        "the GET. Errors: a GET that is not 200 with a token, a POST that is not a 302 to the "
        "request's page. The third row is both, the citizen's whole wait for one report "
        "(without the redirected page).", "",
        "| Properties | Measure | p50 ms | p90 ms | p99 ms | max ms | mean ms | requests | "
        "errors | items (mean) |", "|---|---|---|---|---|---|---|---|---|---|"]
    for s in sizes:
        http = s["reports"].get("http")
        if not http:
            continue
        for r in [http["layer"], http["layer_sql"], *http["form"]]:
            out.append(f"| {s['n']:,} | {r['name']} | {r['p50']:.2f} | {r['p90']:.2f} | "
                       f"{r['p99']:.2f} | {r['max']:.2f} | {r['mean']:.2f} | {r['n']} | "
                       f"{r['errors']} | {_items(r)} |")
    out.append("")
    for s in sizes:
        http = s["reports"].get("http")
        if http:
            out.append(f"- {s['n']:,} properties: the raw SQL returned as many rows as the API "
                       f"features for {http['layer_same_rows']:,} of {http['requests']:,} "
                       f"viewports; the form created {http['form_created']:,} requests "
                       "(warm-up included), all in the database afterwards.")
    return out + ["", *profile_section(results)]


def profile_section(results) -> list[str]:
    profiles = results.get("reports_profile") or {}
    out = []
    for mode, p in profiles.items():
        ms = p["per_request_ms"]
        what = (rh.LAYER if mode == "layer" else
                f"{rh.SUBMIT} (each after its details page, not timed; django.test.Client "
                "skips the CSRF check)")
        extra = (f"; the serializer (`ReportSerializer.to_representation`, all features) "
                 f"{ms['serializer']:.2f} ms, JSON rendering {ms['render']:.2f} ms"
                 if mode == "layer" else "")
        out += [
            f"### Profile: {mode}", "",
            f"It missed its target: {p['requests']} requests at {p['n']:,} properties replayed "
            f"in-process through django.test.Client (bench/reports_profile.py; middleware "
            f"included, no HTTP): {what}. Without a profiler, per request: p50 "
            f"{p['wall_ms_p50']:.2f} ms, mean {p['wall_ms_mean']:.2f} ms, "
            f"{p['queries_per_request']:.1f} SQL queries taking {ms['sql']:.2f} ms (execute and "
            f"fetch, as seen from Django){extra}. Also in "
            f"bench/work/reports-profile-{mode}.txt:", "",
            "<details><summary>cProfile, top functions</summary>", "", "```",
            p["profile"].strip(), "```", "", "</details>", ""]
    return out
