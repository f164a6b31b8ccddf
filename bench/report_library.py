"""RESULTS.md section "Library (issue 16)": the dashboard with two library cards against the
dashboard without, in the same rounds (library_dashboard.py), with /healthz beside them."""
from http_load import HEALTHZ
from library_dashboard import CARDS, COLD, LABELS, NONE, PHASES

MAX_RATIO = 1.10  # p50 with two cards / p50 without, same phase


def ratio(lib, phase, who) -> float:
    p = lib["phases"][phase]
    return p[LABELS[who]]["p50"] / p[LABELS[NONE]]["p50"]


def _ok(lib, phase, who) -> bool:
    p = lib["phases"][phase]
    errors = p[LABELS[who]]["errors"] + p[LABELS[NONE]]["errors"]
    return ratio(lib, phase, who) <= MAX_RATIO and not errors and not lib.get("checks")


def _median(values) -> float:
    v = sorted(values)
    return v[len(v) // 2] if v else float("nan")


def _judged(lib) -> list[tuple]:
    """(label, phase, citizen, judged) of each comparison with the dashboard without cards."""
    ms = lib["ils_delay_s"] * 1000
    return [
        (f"(b) two cards, records cached, the ILS answering each message after {ms:.0f} ms",
         "up", CARDS, True),
        ("(c) two cards, the ILS down (port closed), records expired: \"does not answer\" "
         "(breaker open)", "down", COLD, True),
        ("(c) two cards, the ILS down, records still cached (read less than "
         f"{lib['cache_s'] // 60} min before)", "down", CARDS, True),
        (f"(d) two cards, the ILS answering after the timeout ({lib['slow_delay_s']:g} s a "
         f"message, timeout {lib['timeout_s']:g} s), records expired (breaker open)",
         "slow", COLD, True),
        ("(d) two cards, the ILS slower than the timeout, records still cached", "slow", CARDS,
         True),
        ("Cold cache: two cards, records not cached, the ILS answering (\"open the card to see "
         "its loans\": the dashboard never calls the ILS)", "up", COLD, False),
    ]


def _rows(lib, verdict) -> list[tuple]:
    rows = []
    for label, phase, who, judged in _judged(lib):
        p = lib["phases"][phase]
        a, b, hz = p[LABELS[NONE]], p[LABELS[who]], p[HEALTHZ]
        rows.append((
            f"{label}: dashboard p50 against no card",
            f"{b['p50']:.2f} ms / {a['p50']:.2f} ms = {ratio(lib, phase, who):.2f}x "
            f"({b['p50'] / hz['p50']:.1f}x and {a['p50'] / hz['p50']:.1f}x /healthz "
            f"{hz['p50']:.2f} ms)",
            f"<= {MAX_RATIO:.2f}x" if judged else "none (information)",
            verdict(_ok(lib, phase, who)) if judged else ""))
    hz = [lib["phases"][ph][HEALTHZ]["p50"] for ph in PHASES]
    rows.append(("/healthz p50 in the phases up / down / slow (the run's reference)",
                 " / ".join(f"{v:.2f}" for v in hz) + " ms", "reference", ""))
    return rows


def targets(results, verdict) -> list[tuple]:
    out = []
    for s in results["sizes"]:
        lib = s.get("library")
        if not lib:
            continue
        for measure, result, target, ok in _rows(lib, verdict):
            if ok:
                out.append((f"Library (issue 16), {s['n']:,} properties: "
                            f"{measure.split(':')[0]}", target, result.split(" (")[0], ok))
    return out


def _verdict(ok):
    return "**PASS**" if ok else "**FAIL**"


def _load(v) -> str:
    return f"{v[0]:.2f}" if v else "?"


def section(results) -> list[str]:
    out = []
    for s in results["sizes"]:
        lib = s.get("library")
        if not lib:
            continue
        rp = lib["record_pages"]
        up = "; ".join(f"card {k + 1}: {_median(v):.0f} ms (min {min(v):.0f}, max "
                       f"{max(v):.0f})" for k, v in enumerate(rp["up"]))
        down = ", ".join(f"{_median(v):.1f}" for v in rp["down"])
        slow = ", ".join(f"{_median(v):.0f}" for v in rp["slow"])
        out += [
            "## Library (issue 16)", "",
            "\"Dashboard p50 with two library cards, ILS answering in 50 ms: no more than 10 % "
            "slower than without cards once cached; with the ILS down: no more than 10 % slower "
            f"either.\" bench/library_dashboard.py on the town of {s['n']:,} properties, in "
            f"{lib['seconds'] / 60:.1f} min; load average (1 min) "
            f"{_load(lib['loadavg_start'])} at its start, {_load(lib['loadavg_end'])} at its "
            f"end. gunicorn (config/gunicorn.py, DEBUG off, {lib['workers']} gthread workers x "
            f"{lib['threads']} threads), one client, `GET /mon-compte/` of three SYNTHETIC "
            "citizens alike but for their cards (a confirmed e-mail, the same 2 verified owner "
            "links, the same household member, a session by `force_login` holding the cards' "
            "PINs as the record page keeps them): no card; two cards (their own and their "
            "household member's; 3 loans, holds and a fine, and 1 loan) with their records in "
            "the cache; the same two cards never read. /healthz takes turns with them, request "
            f"by request. Three phases, each a chunk of {lib['requests']} requests per endpoint "
            f"(after 5 unmeasured), taking turns in each of {lib['rounds']} rounds (the order "
            "reversed every other round): *up*, the ILS (tests/library/ils.py's FakeIls in its "
            f"own process and port) answering every message after "
            f"{lib['ils_delay_s'] * 1000:.0f} ms, the breaker closed, the records read again "
            "through the record pages first; *down*, the ILS stopped (port closed), the breaker "
            f"opened by visiting a record page {lib['breaker_failures']} times; *slow*, the ILS "
            f"answering each message after {lib['slow_delay_s']:g} s (the timeout is "
            f"{lib['timeout_s']:g} s), the breaker opened the same way. Each ratio compares "
            "the citizens within one phase; the lines each one saw were counted in every "
            "body" + (": as expected." if not lib.get("checks") else
                      ": **not as expected**: " + "; ".join(lib["checks"]) + "."), "",
            "How the dashboard gets the cards' data: from the short cache only (one read for "
            f"all the cards; a record is kept {lib['cache_s'] // 60} min), never from the ILS. "
            "There is no background refresh: once a record has expired the line says \"open the "
            "card to see its loans\" (or asks for the PIN, or says the system does not answer "
            "when the breaker says so), and the card's record page reads the ILS again (within "
            "the timeout) and refills the cache.", "",
            "| Measure | Result | Target | Pass/fail |", "|---|---|---|---|"]
        out += [f"| {m} | {r} | {t} | {v} |" for m, r, t, v in _rows(lib, _verdict)]
        out += ["", "| Phase | Endpoint | p50 ms | p90 ms | p99 ms | max ms | requests | errors "
                "| library lines seen |", "|---|---|---|---|---|---|---|---|---|"]
        for phase in PHASES:
            for name in (HEALTHZ, *(LABELS[w] for w in (NONE, CARDS, COLD))):
                r = lib["phases"][phase][name]
                seen = "" if name == HEALTHZ else f"{r['shown_max']:g}"
                out.append(f"| {phase} | {name} | {r['p50']:.2f} | {r['p90']:.2f} | "
                           f"{r['p99']:.2f} | {r['max']:.2f} | {r['n']} | {r['errors']} | "
                           f"{seen} |")
        sql = "; ".join(f"{q['name']} {q['p50']:.3f} ms" for q in lib["sql"])
        out += ["", "The record page (`/mon-compte/bibliotheque/<id>/`), where a citizen waits "
                f"for the ILS (medians of the {lib['rounds']} rounds): the first visit with the "
                f"cache cold, the ILS at {lib['ils_delay_s'] * 1000:.0f} ms a message: {up}. "
                "The ILS down, visits 1 to "
                f"{len(rp['down'])} (the breaker opens after {lib['breaker_failures']}): "
                f"{down} ms. The ILS slower than the timeout, the same visits: {slow} ms.", "",
                f"The library part's SQL alone, through psycopg (p50): {sql}.", ""]
    return out
