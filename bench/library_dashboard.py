"""The dashboard with library cards (issue 16): "Dashboard p50 with two library cards, ILS
answering in 50 ms: no more than 10 % slower than without cards once cached; with the ILS down:
no more than 10 % slower either."

What the dashboard does with a card (library/selectors.py `dashboard_lines`): it reads the
card's record from the short cache only (Django's cache, GUICHET_LIBRARY_CACHE_S = 5 min), in
one read for all the cards, and never calls the library's system (ILS). When a record is not in
the cache (never read, or expired), there is no background refresh: the line says "open the
card to see its loans" (the PIN is in the session), "type the card's PIN" (it is not), or "the
library's system does not answer" (the circuit breaker, in the same cache, says it fails). Only
the card's record page (`/mon-compte/bibliotheque/<id>/`) calls the ILS, within
GUICHET_LIBRARY_TIMEOUT_S, and puts the record in the cache for 5 minutes.

So the bench measures, through gunicorn (http_load.gunicorn: config/gunicorn.py, DEBUG off,
2 gthread workers x 4 threads, on BENCH_HTTP_PORT) and one client (http_load.run_http: one
keep-alive connection per endpoint, the endpoints taking turns request by request), three
SYNTHETIC citizens who differ only by their cards (each: a confirmed e-mail, the same 2
verified owner links as bench_citizen.py, the same household member, a session made by
`force_login`, the cards' PINs kept in it as the record page keeps them, library.pins):

- `none`: no library card (a);
- `cards`: two cards, their own and their household member's (the FakeIls patrons of
  tests/library/ils.py: 3 loans, holds and a fine; 1 loan), records in the cache (b);
- `cold`: the same two cards, records not in the cache (never read): "open the card" while the
  ILS answers; "does not answer" once the breaker has opened (c, d).

and /healthz beside them, in three phases that take turns within each round (order reversed
every other round), each measured in its own chunk of requests:

- `up`: the ILS (FakeIls in its own process, on its own port) answers every message after
  50 ms; the breaker closed (its keys deleted, as a success after the ILS came back does);
  the `cards` records dropped and read again through their record pages (the first visit:
  what a citizen waits for when the cache is cold, timed), then the chunk;
- `down`: the ILS process stopped (its port closed): the `cold` citizen's record page visited
  until the breaker opens (timed), then the chunk. The `cards` records are still cached (read
  less than 5 minutes before), so that citizen sees their loans; the `cold` one sees "does not
  answer";
- `slow`: the ILS answering each message after the timeout (+0.5 s): the breaker opened the
  same way (each visit waits for the timeout, timed), then the chunk.

Targets (report_library.py): (b) `cards` p50 in `up` over `none` p50 in `up` <= 1.10; (c)
`cold` (records expired, ILS down) and `cards` (still cached, ILS down) p50 in `down` over
`none` in `down` <= 1.10; (d) the same in `slow`. The cold case (`cold` in `up`) is reported,
not judged. The bodies are checked: the lines each citizen should see are counted.

Beside them, the library part's own SQL through psycopg: the cards' query and the records'
cache read the dashboard sends for `cards` (captured from Django in the child), and the
breaker's read a `cold` dashboard adds.

This file is also the Django child that makes the citizens (`setup`), and the ILS process
(`ils PORT DELAY`)."""
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import benchdb
import http_load
import psycopg

HERE = Path(__file__).resolve()
NONE, CARDS, COLD = "none", "cards", "cold"
CITIZENS = (NONE, CARDS, COLD)
LABELS = {
    NONE: "GET /mon-compte/ (a) no library card",
    CARDS: "GET /mon-compte/ (b) two cards, records cached",
    COLD: "GET /mon-compte/ two cards, records not cached",
}
PHASES = ("up", "down", "slow")
ILS_DELAY_S = 0.05  # every message answered after 50 ms (issue 16)
REFILL = 5  # unmeasured requests per endpoint at the start of each chunk
EMAIL = "bibliotheque-bench-{}@example.org"
# What each citizen's lines say (French, the site's language), counted in the bodies.
LINE = b'data-testid="library-line"'
OK_MARK = " à payer".encode()  # the amount owed ends every line read from a record
TO_LOAD_MARK = "ouvrez la carte pour voir ses prêts".encode()
DOWN_MARK = b'data-testid="library-unavailable"'
RECORD_DOWN = "ne répond pas".encode()  # the record page's message: the system does not answer


def _marks(phase: str) -> dict:
    """The marker counted in each citizen's dashboard and how many lines it should show."""
    return {NONE: (LINE, 0), CARDS: (OK_MARK, 2),
            COLD: (TO_LOAD_MARK if phase == "up" else DOWN_MARK, 2)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def fake_ils(port: int, delay: float):
    """FakeIls (tests/library/ils.py) in its own process on 127.0.0.1:port, each message
    answered after `delay` seconds; stopped (its port closed) after the block."""
    proc = subprocess.Popen([benchdb.PY, str(HERE), "ils", str(port), str(delay)],
                            cwd=benchdb.ROOT, stdout=subprocess.PIPE, text=True,
                            preexec_fn=http_load._die_with_parent)
    try:
        if proc.stdout.readline().strip() != "ready":
            raise RuntimeError(f"the fake ILS did not start on port {port}")
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        proc.stdout.close()


def _cache_delete(patterns: list[str]) -> None:
    """Deletes the cache entries whose key ends with one of `patterns` (LIKE), in the database
    cache's table (the default), else through a Django child."""
    import alerts_pages

    table = alerts_pages.cache_table()
    if table is None:
        benchdb.run_django(HERE, "cache-delete", *patterns)
        return
    with benchdb.connect(autocommit=True) as conn:
        conn.execute(f"DELETE FROM {table} WHERE cache_key LIKE ANY(%s)",
                     [[f"%{p}" for p in patterns]])


def reset_breaker() -> None:
    """The breaker closed, as a successful call after the system came back leaves it."""
    _cache_delete(["library:breaker:%"])


def forget_records(card_ids: list[str]) -> None:
    _cache_delete([f"library:record:{pk}" for pk in card_ids])


def _visit(client, path: str, headers: dict) -> tuple[float, int, bytes]:
    t = time.perf_counter_ns()
    status, _headers, body = client.send("GET", path, headers=headers)
    return (time.perf_counter_ns() - t) / 1e6, status, body


def _record_visits(paths: list[str], headers: dict, expect_down: bool) -> list[dict]:
    """GET each record page once (one keep-alive connection), timed; checks what it says."""
    client = http_load.Client()
    out = []
    try:
        for path in paths:
            ms, status, body = _visit(client, path, headers)
            down = RECORD_DOWN in body
            if status != 200 or down != expect_down:
                raise RuntimeError(f"record page {path}: status {status}, "
                                   f"{'unavailable' if down else 'read'} (expected "
                                   f"{'unavailable' if expect_down else 'read'})")
            out.append({"ms": ms, "unavailable": down})
    finally:
        client.close()
    return out


def _chunk(made: dict, phase: str, requests: int) -> list:
    paths = {http_load.HEALTHZ: ("/healthz", None, None)}
    for who in CITIZENS:
        paths[LABELS[who]] = ("/mon-compte/", _marks(phase)[who][0],
                              http_load.cookie_header(made[who]))
    endpoints = [http_load.Endpoint(name, [path] * requests, [path] * REFILL, marker, headers)
                 for name, (path, marker, headers) in paths.items()]
    return http_load.run_http(endpoints)


def measure(rounds: int, requests: int, workers: int, threads: int, log_path,
            log=print, ils_port: int = 0) -> dict:
    port = ils_port or free_port()
    env = {"GUICHET_LIBRARY_SIP2_HOST": "127.0.0.1", "GUICHET_LIBRARY_SIP2_PORT": str(port),
           "GUICHET_LIBRARY_SIP2_INSTITUTION": "PINCOURT"}
    made = benchdb.run_django(HERE, "setup", env=env)
    timeout = made["timeout_s"]
    slow_delay = timeout + 0.5
    empty_cache()
    cards, cold = made[CARDS], made[COLD]
    cards_headers, cold_headers = (http_load.cookie_header(c) for c in (cards, cold))
    all_cards = cards["cards"] + cold["cards"]
    samples = {ph: {} for ph in PHASES}
    shown = {ph: {} for ph in PHASES}
    errors = {ph: {} for ph in PHASES}
    visits = {"up": [], "down": [], "slow": []}
    trips = made["breaker_failures"] + 1  # until it opens, and one more: no longer called
    started = time.time()
    load_start = os.getloadavg()
    log(f"  library: ILS on 127.0.0.1:{port} ({ILS_DELAY_S * 1000:.0f} ms a message; "
        f"{slow_delay:.1f} s when slow, the timeout {timeout:g} s)")
    with http_load.gunicorn(workers, threads, log_path, env=env):
        for r in range(-1, rounds):  # round -1: warm-up, every phase, nothing kept
            order = PHASES if r % 2 == 0 or r < 0 else PHASES[::-1]
            for phase in order:
                reset_breaker()
                if phase == "up":
                    with fake_ils(port, ILS_DELAY_S):
                        forget_records(all_cards)
                        seen = _record_visits(cards["records"], cards_headers, False)
                        results = _chunk(made, phase, requests if r >= 0 else 20)
                else:
                    ctx = (fake_ils(port, slow_delay) if phase == "slow"
                           else contextlib.nullcontext())
                    with ctx:
                        seen = _record_visits(cold["records"][:1] * trips, cold_headers, True)
                        results = _chunk(made, phase, requests if r >= 0 else 20)
                if r < 0:
                    continue
                visits[phase].append([v["ms"] for v in seen])
                for res in results:
                    samples[phase].setdefault(res.name, []).extend(res.samples_ms)
                    shown[phase].setdefault(res.name, []).append(res.rows)
                    errors[phase][res.name] = errors[phase].get(res.name, 0) + res.errors
            if r >= 0:
                log(f"  round {r + 1}/{rounds} done ({time.time() - started:.0f} s)")
        # the library part's SQL alone, the `cards` records in the cache as in the chunks
        reset_breaker()
        with fake_ils(port, ILS_DELAY_S):
            forget_records(all_cards)
            _record_visits(cards["records"], cards_headers, False)
        sql = _sql(made["sql"])
    out = {"rounds": rounds, "requests": requests, "workers": workers, "threads": threads,
           "ils_delay_s": ILS_DELAY_S, "slow_delay_s": slow_delay, "timeout_s": timeout,
           "cache_s": made["cache_s"], "breaker_failures": made["breaker_failures"],
           "breaker_open_s": made["breaker_open_s"], "properties": made["properties"],
           "seconds": time.time() - started, "loadavg_start": load_start,
           "loadavg_end": os.getloadavg(), "sql": sql, "phases": {}, "record_pages": {}}
    for phase in PHASES:
        out["phases"][phase] = {}
        for name, values in samples[phase].items():
            res = http_load.Result(name, values, errors[phase][name])
            out["phases"][phase][name] = {**res.summary(), "shown_min": min(shown[phase][name]),
                                          "shown_max": max(shown[phase][name])}
    # the record pages: per round, the visits of each phase
    n_cards = len(cards["records"])
    out["record_pages"] = {
        "up": [[v[k] for v in visits["up"]] for k in range(n_cards)],  # per card
        "down": [[v[k] for v in visits["down"]] for k in range(trips)],  # per visit
        "slow": [[v[k] for v in visits["slow"]] for k in range(trips)]}
    out["checks"] = check(out)
    for phase in PHASES:
        p = out["phases"][phase]
        base, hz = p[LABELS[NONE]]["p50"], p[http_load.HEALTHZ]["p50"]
        log(f"  {phase}: /healthz p50 {hz:.2f} ms; none {base:.2f} ms; "
            + "; ".join(f"{who} {p[LABELS[who]]['p50']:.2f} ms "
                        f"({p[LABELS[who]]['p50'] / base:.2f}x)" for who in (CARDS, COLD)))
    for problem in out["checks"]:
        log(f"  CHECK: {problem}")
    return out


def check(out: dict) -> list[str]:
    """What the bodies showed against what each citizen should see in each phase."""
    problems = []
    for phase in PHASES:
        for who in CITIZENS:
            r = out["phases"][phase][LABELS[who]]
            want = _marks(phase)[who][1]
            if r["shown_min"] != want or r["shown_max"] != want:
                problems.append(f"{phase}, {who}: {r['shown_min']:g} to {r['shown_max']:g} "
                                f"lines as expected, not {want}")
            if r["errors"]:
                problems.append(f"{phase}, {who}: {r['errors']} errors")
    return problems


def empty_cache() -> None:
    import alerts_pages

    alerts_pages.empty_cache()


def _sql(statements: list[dict], count: int = 300) -> list[dict]:
    """Each statement of the library part alone, through a client-side-binding cursor like
    Django's, taking turns."""
    results = [http_load.Result(s["label"], []) for s in statements]
    with benchdb.connect(cursor_factory=psycopg.ClientCursor) as conn:
        for k in range(count + 20):
            for s, res in zip(statements, results, strict=True):
                t = time.perf_counter_ns()
                rows = conn.execute(s["sql"]).fetchall()
                if k >= 20:
                    res.samples_ms.append((time.perf_counter_ns() - t) / 1e6)
                res.rows = len(rows)
        conn.rollback()
    return [r.summary() for r in results]


# The Django child

def _setup(argv) -> dict:
    from importlib import import_module

    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from citizens.models import HouseholdMember, PropertyLink
    from core.models import AccessLog
    from library import pins
    from library.models import LibraryCard
    from library.selectors import dashboard_lines
    from properties.models import Property
    from tests.library.conftest import ALICE_CARD, ALICE_PIN, LEA_CARD, LEA_PIN

    User = get_user_model()
    emails = [EMAIL.format(who) for who in CITIZENS]
    AccessLog.objects.filter(subject__email__in=emails).delete()
    PropertyLink.objects.filter(user__email__in=emails).delete()
    User.objects.filter(email__in=emails).delete()  # their cards and household go with them
    ids = list(Property.objects.order_by("id").values_list("id", flat=True))
    chosen = [ids[len(ids) // 3], ids[2 * len(ids) // 3]]  # as bench_citizen.py
    out = {"properties": chosen, "timeout_s": settings.GUICHET_LIBRARY_TIMEOUT_S,
           "cache_s": settings.GUICHET_LIBRARY_CACHE_S,
           "breaker_failures": settings.GUICHET_LIBRARY_BREAKER_FAILURES,
           "breaker_open_s": settings.GUICHET_LIBRARY_BREAKER_OPEN_S}
    for who in CITIZENS:
        email = EMAIL.format(who)
        user = User.objects.create_user(username=f"bibliotheque-bench-{who}", email=email,
                                        password="x-Bench-Bibliotheque-2026!",
                                        first_name="Élise", last_name="Tremblay")
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        for pk in chosen:
            PropertyLink.objects.create(user=user, property_id=pk, role=PropertyLink.Role.OWNER,
                                        status=PropertyLink.Status.VERIFIED,
                                        method=PropertyLink.Method.CODE,
                                        decided_at=timezone.now())
        lea = HouseholdMember.objects.create(user=user, first_name="Léa", last_name="Tremblay",
                                             birth_year=2015)
        client = Client()
        client.force_login(user)
        cards = []
        if who != NONE:
            session = client.session
            for member, barcode, pin in ((None, ALICE_CARD, ALICE_PIN),
                                         (lea, LEA_CARD, LEA_PIN)):
                card = LibraryCard.objects.create(user=user, member=member, barcode=barcode,
                                                  last_four=barcode[-4:])
                pins.keep(session, card.pk, pin)  # as the record page keeps a typed PIN
                cards.append(card)
            session.save()
        out[who] = {"user_id": user.pk, "session_cookie": settings.SESSION_COOKIE_NAME,
                    "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "cards": [str(card.pk) for card in cards],
                    "records": [reverse("library:record", args=[card.pk]) for card in cards]}
        if who == CARDS:
            # The library part's statements for this citizen (records not cached yet: the
            # breaker's read, which only a card without a cached record adds, comes last).
            store = import_module(settings.SESSION_ENGINE).SessionStore
            with CaptureQueriesContext(connection) as captured:
                dashboard_lines(user, store(out[who]["session"]))
            sql = [q["sql"] for q in captured.captured_queries
                   if "django_session" not in q["sql"]]
            labels = ["the cards of the citizen (library_librarycard, its household member)",
                      "the cards' records, one cache read",
                      "the breaker's state, one cache read (only when a record is missing)"]
            if len(sql) != len(labels):
                labels = [f"statement {k + 1} of the library part" for k in range(len(sql))]
            out["sql"] = [{"label": label, "sql": text}
                          for label, text in zip(labels, sql, strict=True)]
    return out


def _cache_delete_child(argv) -> dict:
    import fnmatch

    from django.core.cache import cache

    # Another cache than the database's (e.g. Redis): only its known keys can be deleted.
    deleted = 0
    keys = ["library:breaker:open", "library:breaker:failures", "library:breaker:tripped"]
    for pattern in argv:
        if pattern.startswith("library:record:"):
            deleted += bool(cache.delete(pattern))
        else:
            for key in keys:
                if fnmatch.fnmatch(key, pattern.replace("%", "*")):
                    deleted += bool(cache.delete(key))
    return {"deleted": deleted}


def _child(argv) -> dict:
    return {"setup": _setup, "cache-delete": _cache_delete_child}[argv[0]](argv[1:])


def _serve_ils(port: int, delay: float) -> None:
    sys.path.insert(0, str(benchdb.ROOT))
    from tests.library.ils import FakeIls

    FakeIls(delay=delay).start(port=port)
    print("ready", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        signal.pause()


if __name__ == "__main__":
    if sys.argv[1:2] == ["ils"]:
        _serve_ils(int(sys.argv[2]), float(sys.argv[3]))
    else:
        benchdb.child_main(_child)
