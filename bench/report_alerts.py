"""RESULTS.md section "Alerts (issue 13)": the speed targets of issue 13 part 5, measured by the
alerts part (alerts_bench.py), each beside the machine's load and, for the pages, /healthz in
the same run."""
from alerts_pages import HOME, PROPERTY
from http_load import HEALTHZ

TARGETING_S = 2.0  # properties and subscribers counted, every row listed
QUEUED_S = 10.0
DELIVERY_PER_S = 500.0
NIGHTLY_S = 60.0
PAGE_MAX_RATIO = 1.10  # p50 with current alerts / p50 without


def targeting_s(t) -> float:
    return t["count"]["median"] + t["subscribers"]["median"] + t["list"]["median"]


def targeting_ok(t) -> bool:
    return targeting_s(t) <= TARGETING_S


def queued_ok(q) -> bool:
    return q["seconds"] <= QUEUED_S


def delivery_ok(d) -> bool:
    return (d["email_per_s"] >= DELIVERY_PER_S and not d["stalled"]
            and d["smtp"]["lost"] == 0 and d["smtp"]["doubled"] == 0)


def nightly_ok(n) -> bool:
    return n["seconds"] <= NIGHTLY_S


def page_ratio(pages, name) -> float:
    return pages["states"]["with"][name]["p50"] / pages["states"]["without"][name]["p50"]


def page_ok(pages, name) -> bool:
    errors = sum(pages["states"][s][name]["errors"] for s in ("with", "without"))
    return page_ratio(pages, name) <= PAGE_MAX_RATIO and not errors


def _load(v) -> str:
    return f"{v[0]:.2f}" if v else "?"


def _rows(a: dict, verdict) -> list[tuple]:
    """(measure, result, target, verdict) of each target of issue 13 part 5."""
    rows, s = [], a.get("subscribers", {})
    who = f"{s.get('emails', 0):,} e-mail and {s.get('sms', 0):,} SMS subscribers"
    t = a.get("targeting")
    if t:
        rows.append((
            f"Recipients of a polygon over 25 % of the town ({t['reached']:,} of "
            f"{t['properties']:,} properties, {t['subscribers_reached']:,} subscribers), "
            "counted and listed: properties counted + subscribers counted + every row listed "
            f"(median of {len(t['count']['seconds'])} runs; load {_load(t.get('loadavg'))})",
            f"{targeting_s(t):.2f} s ({t['count']['median']:.2f} + "
            f"{t['subscribers']['median']:.2f} + {t['list']['median']:.2f}); the count's SQL "
            f"alone {t['sql_count']['median']:.2f} s; the preview page's reads "
            f"{t['preview']['median']:.2f} s",
            f"<= {TARGETING_S:g} s", verdict(targeting_ok(t))))
    q = a.get("queued")
    if q:
        channels = ", ".join(f"{c} {k:,}" for c, k in sorted(q["channels"].items()))
        rows.append((
            f"A territory-wide alert to all {who}, queued: `fan_out` with the database task "
            f"backend (load {_load(q.get('loadavg'))})",
            f"{q['seconds']:.2f} s: {q['inserted']:,} rows ({channels}), {q['tasks']:,} sending "
            f"tasks; the recipients' query alone {q['recipients_s']:.2f} s",
            f"<= {QUEUED_S:g} s", verdict(queued_ok(q))))
    d = a.get("delivery")
    if d:
        m, h = d["smtp"], d["http"]
        stalled = f"; **stalled**, still queued: {d['stalled']}" if d["stalled"] else ""
        rows.append((
            f"Delivered: {d['emails']:,} e-mails to a local SMTP sink (aiosmtpd, its own "
            f"process), {d['workers']} `db_worker` processes, one connection per batch (load "
            f"{_load(d['loadavg_start'])} at the start, {_load(d['loadavg_end'])} at the end)",
            f"{d['email_per_s']:,.0f} messages/s, lost {m['lost']}, doubled {m['doubled']} "
            f"({d['email_s']:.1f} s from the workers' start; at the sink, first to last: "
            f"{m['per_s']:,.0f}/s; the workers' CPU "
            + " and ".join(f"{c:.0f} s" for c in d.get("workers_cpu_s") or [] if c is not None)
            + f", the sink's {m.get('cpu_s', 0):.0f} s){stalled}",
            f">= {DELIVERY_PER_S:g} messages/s, 0 lost, 0 doubled", verdict(delivery_ok(d))))
        if d["sms"]:
            rows.append((
                f"Delivered: {d['sms']:,} text messages to a local HTTP gateway sink "
                "(HttpGatewayBackend), the same workers, after the e-mails",
                f"{h['per_s']:,.0f} messages/s at the sink; lost {h['lost']}, doubled "
                f"{h['doubled']}", "none (information)", ""))
    ni = a.get("nightly")
    if ni:
        rows.append((
            f"The nightly \"collection tomorrow\" job for every subscribed property "
            f"({ni['properties']:,}), at {ni['at'][:16].replace('T', ' ')} (collections on "
            f"{ni['day']}: {ni['streams_tomorrow']} of the town), schedule cache empty, to the "
            f"end of queuing (load {_load(ni.get('loadavg'))})",
            f"{ni['seconds']:.1f} s: {ni['created']:,} reminders queued ({ni['tasks']:,} "
            f"sending tasks); {ni['queries']:,} SQL statements, {ni['sql_s']:.1f} s in them",
            f"<= {NIGHTLY_S:g} s", verdict(nightly_ok(ni))))
    p = a.get("pages")
    if p:
        hw, hn = (p["states"][st][HEALTHZ] for st in ("with", "without"))
        for name, label in ((HOME, "Home page `/`"),
                            (PROPERTY, f"Property page `/propriete/{p['property']}/`")):
            w, o = p["states"]["with"][name], p["states"]["without"][name]
            rows.append((
                f"{label}, p50 with {p['alerts']} current alerts, all reaching the property "
                f"({w['shown']:.0f} shown), against none ({o['shown']:.0f} shown)",
                f"{w['p50']:.2f} ms / {o['p50']:.2f} ms = {page_ratio(p, name):.2f}x "
                f"({w['p50'] / hw['p50']:.1f}x and {o['p50'] / hn['p50']:.1f}x /healthz)",
                f"<= {PAGE_MAX_RATIO:.2f}x", verdict(page_ok(p, name))))
        rows.append((
            "/healthz p50, the same gunicorn and rounds (the run's reference)",
            f"{hw['p50']:.2f} ms with, {hn['p50']:.2f} ms without "
            f"({hw['p50'] / hn['p50']:.2f}x: the noise between the states)", "reference", ""))
    return rows


def targets(results, verdict) -> list[tuple]:
    """Rows for the Targets table at the top: (target, goal, measured, result)."""
    out = []
    for s in results["sizes"]:
        a = s.get("alerts")
        if not a:
            continue
        for measure, result, target, ok in _rows(a, verdict):
            if ok:
                out.append((f"Alerts (issue 13), {s['n']:,} properties: "
                            f"{measure.split(' (')[0]}", target, result.split(" (")[0], ok))
    return out


def section(results) -> list[str]:
    out = []
    for s in results["sizes"]:
        a = s.get("alerts")
        if not a:
            continue
        sub, p = a.get("subscribers", {}), a.get("pages")
        out += [
            "## Alerts (issue 13)", "",
            f"The alerts part (bench/alerts_bench.py) on the town of {a['n']:,} properties, in "
            f"{a['seconds'] / 60:.1f} min; load average (1 min) {_load(a['loadavg_start'])} at "
            f"its start, {_load(a['loadavg_end'])} at its end (2 CPUs shared with other "
            f"developers' tests). Subscribers: {sub.get('emails', 0):,} by e-mail and "
            f"{sub.get('sms', 0):,} by text message (confirmed, no quiet hours, 1 in 5 in "
            f"English), each subscribed to a random property ({sub.get('properties', 0):,} "
            "properties in all) on their channel, every topic, with the \"collection "
            f"tomorrow\" reminder; written by set-based SQL in {sub.get('seconds', 0):.1f} s. "
            "The e-mails and text messages go to local sinks (aiosmtpd; a JSON HTTP gateway) "
            "in processes of their own, which count what they receive per recipient. The "
            "pages: gunicorn (config.wsgi, DEBUG off, "
            + (f"{p['workers']} gthread workers x {p['threads']} threads), one client, "
               f"{p['rounds']} rounds of {p['requests']} requests per endpoint in each state, "
               "the states alternating (without-with, with-without), /healthz taking turns "
               "with the pages; the current alerts' cache dropped at each switch, as their "
               "save signal does, and refilled by 5 unmeasured requests. " if p else "")
            + "Every latency of the table is reported with the load average of its step; "
            "the pages beside /healthz in the same rounds.", "",
            "| Measure | Result | Target | Pass/fail |", "|---|---|---|---|"]
        out += [f"| {m} | {r} | {t} | {v} |" for m, r, t, v in _rows(a, _verdict)]
        if p:
            sql = p["sql_check"]
            out += ["", f"The property page's statement for its alerts alone "
                    f"(`current_alert_ids_reaching`, {sql['found']} of the {p['alerts']} ids "
                    f"reach it), through psycopg: p50 {sql['p50']:.3f} ms.", ""]
        out += _profiles(a)
    return out


def _verdict(ok):
    return "**PASS**" if ok else "**FAIL**"


def _profiles(a) -> list[str]:
    out = []
    dp = a.get("delivery_profile")
    if dp:
        split = ", ".join(f"{dp['labels'].get(k, k)} {ms:.2f} ms" for k, ms in
                          dp["split_ms"].items())
        out += ["### Alert delivery profile", "",
                f"The delivery missed its target: {dp['messages']:,} e-mails sent again by "
                "`send_deliveries` in one process (batches as the tasks, after one unprofiled "
                f"batch), to a fresh SMTP sink, under cProfile: {dp['seconds']:.1f} s, "
                f"{dp['per_message_ms']:.2f} ms a message (cumulative, per message: {split}). "
                "Also in bench/work/alerts-delivery-profile.txt:", "",
                "<details><summary>cProfile</summary>", "", "```", dp["profile"].strip(), "```",
                "", "</details>", ""]
    ni, npf = a.get("nightly"), a.get("nightly_profile")
    if ni and not nightly_ok(ni):
        top = "; ".join(f"`{q['sql']}...` {q['n']:,} x, {q['s']:.1f} s" for q in ni["sql_top"])
        out += ["### Nightly job profile", "",
                f"The nightly job missed its target. In the run: the kinds' `due()` "
                f"{ni['due_s']:.1f} s of {ni['seconds']:.1f} s (\"collection tomorrow\": "
                f"{ni['due_s_by_kind'].get('collection_tomorrow', 0):.1f} s); "
                f"{ni['queries']:,} SQL statements, {ni['sql_s']:.1f} s; the costliest: {top}."]
        if npf:
            out += ["", f"cProfile of the collection reminder's `due()` alone on "
                    f"{npf['properties']:,} subscribed properties (cache emptied first): "
                    f"{npf['seconds']:.1f} s, {npf['per_property_ms']:.2f} ms a property, "
                    f"{npf['queries']:,} statements taking {npf['sql_s']:.1f} s. Also in "
                    "bench/work/alerts-nightly-profile.txt:", "",
                    "<details><summary>cProfile</summary>", "", "```",
                    npf["profile"].strip(), "```", "", "</details>"]
        out.append("")
    return out
