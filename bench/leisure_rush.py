"""Registration night through gunicorn (issue 15 part 3): the basket confirmation during a rush,
and the leisure catalogue with 2,000 groups; `run.py --only leisure`.

The data is GENERATED, in a Django child on the bench database (this file run as a script):
a season whose windows open in a day, 2,000 groups (20 seats, a waiting list of 30) over the
synthetic town's venues (VENUES: parks, fields, schools, arenas...), each with a weekly time
slot (60 day-and-hour combinations), 5 activities and 1 category; 4,000 parents (accounts with
a confirmed e-mail, a verified link to a property of the town: residents; a child of the
groups' ages; a database session each), their baskets (1 item, 1 in 10 a second one in another
group at another hour) written as `leisure.services.add_to_basket` writes them before the
window opens (no seat held): half the parents on 50 "hot" groups (40 each: 20 registered, 20
waiting), the others spread over the rest; and SPARES more parents, left out of the rush.
Rebuilt on each run (the previous ones deleted first), deleted at the end.

Then, under one gunicorn (http_load.gunicorn: config/gunicorn.py, 2 gthread workers x 4
threads, DEBUG off):
1. `GET /loisirs/` (the season's first page of 50 groups, the map's places counted over the
   2,000) and `GET /healthz`, one client, taking turns (http_load.run_http);
2. `/healthz` with 32 concurrent clients (threads, one keep-alive connection each): the
   reference of the rush;
3. the window opened (residents_from = now), then the rush: 32 concurrent clients, each parent's
   `POST /loisirs/panier/confirmer/` (session cookie, CSRF cookie and header) on a connection of
   its own (CLIENTS) taken in turn from a shared shuffled list until every basket is confirmed;
   a 302/303 to `/loisirs/inscriptions/` is a success, anything else an error;
4. `/healthz` with 32 clients again.
After it, from the database: no group over its capacity, no basket left, no member twice in a
group, every registered seq below every waiting one in its group.
Beside them, the raw SQL through psycopg (client-side binding, like Django's): every statement of
one `confirm_basket` (captured from Django in the child: a spare parent's basket in a hot group,
full after the rush), replayed in a transaction rolled back; and every statement of the
catalogue page (captured the same way), replayed."""
import random
import sys
import threading
import time
from pathlib import Path

import benchdb
import http_load
import psycopg

CODE = "BENCH-RUSH"
USERS = "rush-bench-"  # username prefix of the generated parents
SESSIONS = "rushbench"  # session key prefix
GROUPS, CAPACITY, WAITING_LIST = 2000, 20, 30
PARENTS, HOT, PER_HOT = 4000, 50, 40
SPARES = 200  # parents left out of the rush: confirmed one by one in-process, under cProfile
CLIENTS = 32
# The rush's parents are 4,000 browsers: each confirmation comes on a connection of its own (a
# parent's), from one of 32 clients at a time. Carried instead by the 32 clients' keep-alive
# connections (`--rush-shared-connections`), the rush measures gunicorn's spread of those 32
# connections: gthread keeps a connection on the worker that accepted it, and a worker that
# accepted 24 of the 32 gives its clients three times the other's latency (measured on
# 2026-12-06: per client mean 720 ms against 237 ms, p99 1,084 ms; the same rush with a
# connection per parent: every client's mean between 266 and 315 ms).
SHARED_CONNECTIONS = "the 32 clients' keep-alive connections carry every parent"
# Where a town's leisure groups meet: its parks, fields, schools, libraries, arenas, community
# and sports centres and pools (257 of the 666 places of the 20,000-property town), not its
# bus stops or pharmacies.
VENUES = ["park", "sports-field", "school", "library", "arena", "community-centre",
          "sports-centre", "pool"]
CONFIRM, DONE, CATALOGUE = "/loisirs/panier/confirmer/", "/loisirs/inscriptions/", "/loisirs/"
CSRF = "RushBenchCsrfSecret0123456789abc"  # 32 letters and digits: a valid CSRF secret
CONFIRM_NAME = "POST /loisirs/panier/confirmer/ (32 clients, during the rush)"
CATALOGUE_NAME = "GET /loisirs/ (2,000 groups, one client)"
HEALTHZ_ONE = "GET /healthz (one client, taking turns with the catalogue)"
HEALTHZ_LOAD = "GET /healthz (32 clients, before and after the rush)"
SQL_CONFIRM = "raw SQL of one confirmation (psycopg, rolled back)"
SQL_CATALOGUE = "raw SQL of the catalogue page (psycopg)"


def _pct(data: list, p: float) -> float:
    return http_load.Result("", data).pct(p)


def _summary(name: str, samples: list, errors: int = 0, **extra) -> dict:
    return {"name": name, "n": len(samples), "errors": errors, "p50": _pct(samples, 50),
            "p95": _pct(samples, 95), "p99": _pct(samples, 99),
            "max": max(samples, default=float("nan")),
            "mean": sum(samples) / max(1, len(samples)), **extra}


def _concurrent(requests: list, clients: int, connection_each: bool = False
                ) -> tuple[list, list, float]:
    """Send `requests` ((method, path, headers) each, taken in turn from a shared list) from
    `clients` threads, each on its own keep-alive connection, or, `connection_each`, on a new
    connection per request (a parent's browser: the rush's 4,000 parents are 4,000 browsers, not
    32 connections that carry them all; see SHARED_CONNECTIONS): (latencies in ms, the answers
    (status, headers) in the requests' order, wall seconds)."""
    latencies, answers = [None] * len(requests), [None] * len(requests)
    lock, position = threading.Lock(), [0]

    def work():
        client = http_load.Client()
        try:
            while True:
                with lock:
                    k = position[0]
                    position[0] += 1
                if k >= len(requests):
                    return
                method, path, headers = requests[k]
                if connection_each:
                    client.close()
                    client = http_load.Client()
                t = time.perf_counter_ns()
                try:
                    status, got, _body = client.send(method, path, headers=headers)
                except OSError as error:
                    status, got = repr(error), []
                latencies[k] = (time.perf_counter_ns() - t) / 1e6
                answers[k] = (status, dict(got))
        finally:
            client.close()

    threads = [threading.Thread(target=work) for _ in range(clients)]
    t = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, answers, time.perf_counter() - t


def _healthz_load(clients: int, count: int) -> tuple[list, int]:
    latencies, answers, _s = _concurrent([("GET", "/healthz", {})] * count, clients)
    return latencies, sum(1 for status, _h in answers if status != 200)


def _replay(statements: list, runs: int, rollback: bool, each: list | None = None) -> list:
    """Each run: every statement, in one transaction (rolled back when `rollback`); `each`,
    when given, gets each statement's own samples (ms)."""
    samples = []
    if each is not None:
        each.extend([] for _ in statements)
    with benchdb.connect(cursor_factory=psycopg.ClientCursor) as conn:
        for k in range(runs + 5):
            t = time.perf_counter_ns()
            for i, sql in enumerate(statements):
                s = time.perf_counter_ns()
                cur = conn.execute(sql)
                if cur.description:
                    cur.fetchall()
                if each is not None and k >= 5:
                    each[i].append((time.perf_counter_ns() - s) / 1e6)
            if rollback:
                conn.rollback()
            else:
                conn.commit()
            if k >= 5:  # 5 unmeasured first
                samples.append((time.perf_counter_ns() - t) / 1e6)
    return samples


def _check(season_id: int, spare_user: int) -> dict:
    """What the rush left, read from the database (the spares, made after the rush's parents,
    have the higher user ids: their baskets are not counted)."""
    with benchdb.connect() as conn:
        rows = conn.execute("""
            SELECT g.id, g.capacity,
                   count(*) FILTER (WHERE r.status = 'registered'),
                   count(*) FILTER (WHERE r.status = 'waiting'),
                   count(*) FILTER (WHERE r.status = 'cancelled' AND r.reason = 'full'),
                   count(*) FILTER (WHERE r.status = 'basket' AND r.user_id < %s),
                   max(r.seq) FILTER (WHERE r.status = 'registered'),
                   min(r.seq) FILTER (WHERE r.status = 'waiting')
            FROM leisure_group g LEFT JOIN leisure_registration r ON r.group_id = g.id
            WHERE g.season_id = %s GROUP BY g.id""", [spare_user, season_id]).fetchall()
        doubled = conn.execute("""
            SELECT count(*) FROM (
                SELECT r.member_id, r.group_id FROM leisure_registration r
                JOIN leisure_group g ON g.id = r.group_id
                WHERE g.season_id = %s
                  AND r.status IN ('basket', 'registered', 'waiting', 'offered')
                GROUP BY 1, 2 HAVING count(*) > 1) d""", [season_id]).fetchone()[0]
    return {
        "registered": sum(r[2] for r in rows), "waiting": sum(r[3] for r in rows),
        "full": sum(r[4] for r in rows), "left_in_basket": sum(r[5] for r in rows),
        "overbooked_groups": sum(1 for r in rows if r[2] > r[1]),
        "groups_full": sum(1 for r in rows if r[2] == r[1]),
        "out_of_order_groups": sum(1 for r in rows if r[6] is not None and r[7] is not None
                                   and r[6] > r[7]),
        "doubled": doubled}


def measure(workers: int, threads: int, log_path, requests: int = 500, sql_runs: int = 300,
            profile_dir: Path | None = None, connection_each: bool = True, log=print) -> dict:
    """The part (module docstring); `profile_dir`: also profile the catalogue and the
    confirmation in-process after the rush (function `profile`), writing there;
    `connection_each`: each parent's confirmation on a connection of its own (else the 32
    clients' keep-alive connections carry them all: SHARED_CONNECTIONS)."""
    started, load_start = time.time(), _loadavg()
    t = time.perf_counter()
    built = benchdb.run_django(__file__, "build")
    log(f"  leisure: {built['groups']:,} groups, {built['parents']:,} parents with "
        f"{built['items']:,} basket items built in {time.perf_counter() - t:.1f} s")
    session, cookie = built["session_cookie"], built["csrf_cookie"]
    rng = random.Random(15)
    order = rng.sample(built["sessions"], len(built["sessions"]))
    try:
        with http_load.gunicorn(workers, threads, log_path):
            one = http_load.run_http([
                http_load.Endpoint(CATALOGUE_NAME, [CATALOGUE] * requests, [CATALOGUE] * 20),
                http_load.Endpoint(HEALTHZ_ONE, ["/healthz"] * requests, ["/healthz"] * 20)])
            for r in one:
                log(f"  {r.name}: p50 {r.pct(50):.2f} ms, p99 {r.pct(99):.2f} ms, "
                    f"errors {r.errors}")
            _healthz_load(CLIENTS, 500)  # warm-up: every thread of both workers
            before, before_errors = _healthz_load(CLIENTS, 3200)
            with benchdb.connect(autocommit=True) as conn:  # the window opens
                conn.execute("UPDATE leisure_season SET residents_from = now(), "
                             "everyone_from = now() WHERE code = %s", [CODE])
            confirms = [("POST", CONFIRM, {
                "Cookie": f"{session}={key}; {cookie}={CSRF}", "X-CSRFToken": CSRF,
                "Origin": f"http://{http_load.HOST}:{http_load.PORT}", "Content-Length": "0"})
                for key in order]
            rush, answers, rush_s = _concurrent(confirms, CLIENTS, connection_each)
            after, after_errors = _healthz_load(CLIENTS, 3200)
    finally:
        check = _check(built["season"], built["spare_user"])
    errors = sum(1 for status, headers in answers if status not in (302, 303)
                 or not headers.get("Location", "").endswith(DONE))
    statuses = {}
    for status, _h in answers:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    log(f"  rush: {len(rush):,} confirmations in {rush_s:.1f} s "
        f"({len(rush) / rush_s:.0f}/s), p50 {_pct(rush, 50):.1f} ms, p99 {_pct(rush, 99):.1f} ms,"
        f" errors {errors}; {check}")
    each_confirm, each_catalogue = [], []
    sql_confirm = _replay(built["confirm_sql"], sql_runs, rollback=True, each=each_confirm)
    sql_catalogue = _replay(built["catalogue_sql"], sql_runs, rollback=True,
                            each=each_catalogue)
    out = {
        "seconds": time.time() - started, "loadavg_start": load_start, "loadavg_end": _loadavg(),
        "built": {k: v for k, v in built.items()
                  if k not in ("sessions", "spare_sessions", "confirm_sql", "catalogue_sql")},
        "confirm_statements": len(built["confirm_sql"]),
        "catalogue_statements": len(built["catalogue_sql"]),
        "one_client": [r.summary() | {"p95": r.pct(95)} for r in one],
        "healthz_load": _summary(HEALTHZ_LOAD, before + after, before_errors + after_errors,
                                 p99_before=_pct(before, 99), p99_after=_pct(after, 99)),
        "rush": _summary(CONFIRM_NAME, rush, errors, seconds=rush_s, statuses=statuses),
        "sql_confirm": _summary(SQL_CONFIRM, sql_confirm),
        "sql_catalogue": _summary(SQL_CATALOGUE, sql_catalogue),
        "check": check, "clients": CLIENTS, "workers": workers, "threads": threads,
        "connection_each": connection_each,
        "statements": {
            "confirmation": [{"sql": q, "p50": _pct(t, 50)}
                             for q, t in zip(built["confirm_sql"], each_confirm, strict=True)],
            "catalogue": [{"sql": q, "p50": _pct(t, 50)}
                          for q, t in zip(built["catalogue_sql"], each_catalogue, strict=True)]},
    }
    log(f"  raw SQL: confirmation p50 {out['sql_confirm']['p50']:.2f} ms "
        f"({out['confirm_statements']} statements), catalogue p50 "
        f"{out['sql_catalogue']['p50']:.2f} ms ({out['catalogue_statements']} statements)")
    if profile_dir is not None:
        out["profile"] = profile(built, profile_dir, log=log)
    benchdb.run_django(__file__, "clean")
    return out


def _loadavg() -> float:
    import os

    return os.getloadavg()[0]


# In the Django child

def _clean():
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session

    from citizens.models import HouseholdMember, PropertyLink
    from core.models import AccessLog
    from leisure.models import Activity, ActivityCategory, Group, Registration, Season, TimeSlot

    Registration.objects.filter(group__season__code=CODE).delete()
    TimeSlot.objects.filter(group__season__code=CODE).delete()
    Group.objects.filter(season__code=CODE).delete()
    Season.objects.filter(code=CODE).delete()
    Activity.objects.filter(code__startswith=f"{CODE}-").delete()
    ActivityCategory.objects.filter(code=CODE.lower()).delete()
    users = get_user_model().objects.filter(username__startswith=USERS)
    ids = list(users.values_list("pk", flat=True))
    AccessLog.objects.filter(subject_id__in=ids).delete()
    AccessLog.objects.filter(actor_id__in=ids).delete()
    Session.objects.filter(session_key__startswith=SESSIONS).delete()
    PropertyLink.objects.filter(user_id__in=ids).delete()
    HouseholdMember.objects.filter(user_id__in=ids).delete()
    EmailAddress.objects.filter(user_id__in=ids).delete()
    users.delete()
    return {"deleted_users": len(ids)}


def _build() -> dict:
    import datetime as dt
    from decimal import Decimal
    from importlib import import_module

    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.models import Session
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from citizens.models import HouseholdMember, PropertyLink
    from geo.models import Place
    from leisure import services
    from leisure.models import Activity, ActivityCategory, Group, Registration, Season, TimeSlot
    from properties.models import Property

    _clean()
    rng = random.Random(15)
    now = timezone.now()
    today = timezone.localdate()
    far = now + dt.timedelta(days=1)
    season = Season.objects.create(
        code=CODE, name_fr="Soir d'inscription (banc)", name_en="Registration night (bench)",
        starts_on=today + dt.timedelta(days=30), ends_on=today + dt.timedelta(days=120),
        residents_from=far, everyone_from=far, closes_at=far + dt.timedelta(days=7))
    category = ActivityCategory.objects.create(code=CODE.lower(), name_fr="Banc",
                                               name_en="Bench")
    activities = [Activity.objects.create(code=f"{CODE}-{k}", category=category,
                                          title_fr=f"Activité {k}", title_en=f"Activity {k}")
                  for k in range(5)]
    places = list(Place.objects.filter(category__slug__in=VENUES).order_by("pk")
                  .values_list("pk", flat=True))
    groups = Group.objects.bulk_create([
        Group(season=season, code=f"{CODE}-{i:04d}", activity=activities[i % 5],
              place_id=places[(i * 7919) % len(places)], age_min=5, age_max=12,
              age_on=season.starts_on, capacity=CAPACITY, waiting_list_size=WAITING_LIST,
              fee_resident=Decimal("40.00"), fee_non_resident=Decimal("60.00"))
        for i in range(GROUPS)])
    days = ["MO", "TU", "WE", "TH", "FR"]
    slots = []
    for i, group in enumerate(groups):  # 60 combinations: day i % 5, hour 8 + (i // 5) % 12
        slot = TimeSlot(group=group, rule=f"FREQ=WEEKLY;BYDAY={days[i % 5]}",
                        start_time=dt.time(8 + (i // 5) % 12),
                        end_time=dt.time(8 + (i // 5) % 12, 50),
                        starts_on=season.starts_on, ends_on=season.ends_on)
        slot.refresh_weekdays()
        slots.append(slot)
    TimeSlot.objects.bulk_create(slots)

    User = get_user_model()
    password = make_password(None)
    users = User.objects.bulk_create([
        User(username=f"{USERS}{i:05d}", email=f"{USERS}{i:05d}@example.org", password=password)
        for i in range(PARENTS + 1 + SPARES)])  # then the spares: the raw SQL, the profile
    EmailAddress.objects.bulk_create([EmailAddress(user=u, email=u.email, primary=True,
                                                   verified=True) for u in users])
    born = dt.date(season.starts_on.year - 9, 5, 4)
    members = HouseholdMember.objects.bulk_create([
        HouseholdMember(user=u, first_name=f"Enfant{i}", last_name="Banc",
                        birth_year=born.year, birth_date=born) for i, u in enumerate(users)])
    homes = list(Property.objects.order_by("pk").values_list("pk", flat=True)[:len(users)])
    PropertyLink.objects.bulk_create([
        PropertyLink(user=u, property_id=homes[i % len(homes)], role=PropertyLink.Role.OWNER,
                     status=PropertyLink.Status.VERIFIED, method=PropertyLink.Method.CODE,
                     decided_at=now) for i, u in enumerate(users)])
    store = import_module(settings.SESSION_ENGINE).SessionStore
    sessions = []
    for u in users:
        data = {SESSION_KEY: str(u.pk), HASH_SESSION_KEY: u.get_session_auth_hash(),
                BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend"}
        sessions.append(Session(
            session_key=SESSIONS + get_random_string(27, "abcdefghijklmnopqrstuvwxyz0123456789"),
            session_data=store().encode(data), expire_date=now + dt.timedelta(hours=2)))
    Session.objects.bulk_create(sessions)
    # The baskets, as add_to_basket writes them before the window opens (no hold).
    baskets = []
    for i, (user, member) in enumerate(zip(users, members, strict=True)):
        if i < HOT * PER_HOT or i == PARENTS or (i > PARENTS and i % 2):
            first = i % HOT
        else:
            first = rng.randrange(HOT, GROUPS)
        chosen = [first]
        if i % 10 == 5 and i < PARENTS:  # a second group, at another hour
            second = rng.randrange(HOT, GROUPS)
            while second % 60 == first % 60 or second == first:
                second = rng.randrange(HOT, GROUPS)
            chosen.append(second)
        baskets += [Registration(group=groups[g], user=user, member=member, resident=True,
                                 status=Registration.Status.IN_BASKET) for g in chosen]
    Registration.objects.bulk_create(baskets)
    # The planner's statistics of what was just written, as a town's database has them (left to
    # autovacuum, the first statements are planned on empty tables: a nested loop over 2,000
    # groups took 4.4 ms where the hash join takes 1.4).
    with connection.cursor() as cursor:
        for model in (Season, ActivityCategory, Activity, Group, TimeSlot, Registration,
                      Session, type(users[0]), type(members[0])):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    spare = users[PARENTS]
    # The SQL of one confirmation (the spare's basket, in hot group 0), window open, rolled back.
    with transaction.atomic():
        Season.objects.filter(pk=season.pk).update(residents_from=now, everyone_from=now)
        with CaptureQueriesContext(connection) as confirm:
            services.confirm_basket(spare)
        transaction.set_rollback(True)
    # The SQL of the catalogue page, as an anonymous visitor's (the second request: the first
    # one's start-up reads left out).
    client = Client()
    for _ in range(2):
        with CaptureQueriesContext(connection) as catalogue:
            response = client.get(CATALOGUE, HTTP_HOST="127.0.0.1")
        assert response.status_code == 200, response.status_code
    skip = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
    return {
        "season": season.pk, "groups": len(groups), "parents": PARENTS,
        "items": len(baskets) - 1 - SPARES,
        "hot": HOT, "per_hot": PER_HOT, "capacity": CAPACITY, "waiting_list": WAITING_LIST,
        "places": len(set(g.place_id for g in groups)), "spare_user": spare.pk,
        "sessions": [s.session_key for s in sessions[:PARENTS]],
        "spare_sessions": [s.session_key for s in sessions[PARENTS + 1:]],
        "session_cookie": settings.SESSION_COOKIE_NAME, "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "confirm_sql": [q["sql"] for q in confirm.captured_queries
                        if not q["sql"].startswith(skip)],
        "catalogue_sql": [q["sql"] for q in catalogue.captured_queries
                          if not q["sql"].startswith(skip)],
        "catalogue_bytes": len(response.content)}


def _profile(argv) -> dict:
    """In-process, one request at a time (no queue, no other request): the catalogue page
    (20 times) and the spares' confirmations (SPARES, after the rush: half in hot groups, full),
    each timed with its SQL (Django's own timing of its statements); cProfile of both, to
    bench/work/leisure-profile-*.txt."""
    import cProfile
    import io
    import json
    import logging
    import pstats

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    spares, cookies, work = json.loads(Path(argv[1]).read_text()), argv[2:4], Path(argv[4])
    client = Client(HTTP_HOST="127.0.0.1")  # one client: its handler (middleware) made once
    client.cookies[cookies[1]] = CSRF
    out = {}

    class Durations(logging.Handler):
        """Each statement's and each BEGIN/COMMIT's duration as Django's debug cursor logs it
        (captured_queries keeps it rounded to the millisecond: a 0.3 ms statement reads 0)."""

        def __init__(self):
            super().__init__(logging.DEBUG)
            self.seconds = []

        def emit(self, record):
            self.seconds.append(getattr(record, "duration", 0.0))

    sql_log = logging.getLogger("django.db.backends")
    sql_log.setLevel(logging.DEBUG)
    sql_log.propagate = False  # not printed: only counted

    def timed(label, calls):
        wall, sql, statements = [], [], []
        profiler = cProfile.Profile()
        for call in calls:
            durations = Durations()
            sql_log.addHandler(durations)
            try:
                with CaptureQueriesContext(connection) as queries:
                    t = time.perf_counter()
                    profiler.enable()
                    response = call()
                    profiler.disable()
                    wall.append((time.perf_counter() - t) * 1000)
            finally:
                sql_log.removeHandler(durations)
            assert response.status_code in (200, 302, 303), response.status_code
            sql.append(sum(durations.seconds) * 1000)
            statements.append(len(queries.captured_queries))
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(60)
        (work / f"leisure-profile-{label}.txt").write_text(text.getvalue())
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(25)
        out[label] = {"n": len(wall), "wall_p50": _pct(wall, 50), "sql_p50": _pct(sql, 50),
                      "statements": _pct(statements, 50), "top_tottime": text.getvalue()}

    client.get(CATALOGUE)
    timed("catalogue", [lambda: client.get(CATALOGUE)] * 20)

    def confirm(key):
        def call():
            client.cookies[cookies[0]] = key
            # Each parent's own browser: no messages cookie left by the previous parent (one
            # client's cookie would pile up every confirmation's messages, and re-encoding
            # them is most of the time measured).
            client.cookies.pop("messages", None)
            return client.post(CONFIRM, HTTP_X_CSRFTOKEN=CSRF)
        return call

    timed("confirmation", [confirm(key) for key in spares])
    return out


def profile(built: dict, work: Path, log=print) -> dict:
    """_profile in a Django child, the window open."""
    import json

    path = work / "leisure-spares.json"
    path.write_text(json.dumps(built["spare_sessions"]))
    out = benchdb.run_django(__file__, "profile", path, built["session_cookie"],
                             built["csrf_cookie"], work)
    for label, p in out.items():
        log(f"  in-process {label}: p50 {p['wall_p50']:.1f} ms, of which SQL "
            f"{p['sql_p50']:.1f} ms ({p['statements']} statements)")
    return out


def _child(argv) -> dict:
    if argv[0] == "profile":
        return _profile(argv)
    return _clean() if argv[0] == "clean" else _build()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    benchdb.child_main(_child)
