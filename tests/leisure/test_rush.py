"""Registration night (issue 15 part 3): 1,000 parents confirm their baskets at the instant the
residents' window opens, through the real server (gunicorn, 2 gthread workers, the project's
config/gunicorn.py) on loopback, from an asyncio client (aiohttp) with 64 requests in flight.

What must hold, read back from the database: no group over its capacity; each group exactly
min(capacity, demand) registered, then its waiting list in confirmation order (every registered
`seq` below every waiting one, positions 1..n by `seq`), then those refused because the waiting
list was full too; one active registration per member and group (none doubled); every basket
item decided (none lost); no non-resident confirmed before `everyone_from`, no one before
`residents_from`; and over HTTP only the redirect to the registrations and the 400 of a
confirmation sent before its window (refused, nothing changed; retried once the window opens).

No timing is asserted (the machine is shared): the window checks are implications that hold
whatever the speed (a 400 was sent before its window; a success came back after it).

The data is committed (gunicorn's workers must see it) from a thread of the test, on a
connection of its own in autocommit, and deleted at the end. Not `transaction=True`: such a
test ends with a flush of every table, the demo town's too, and pytest-django runs them after
the others: after tests/citizens/test_auth_throttle.py's flush, the demo's places and
properties this test uses would be gone."""
import asyncio
import datetime as dt
import http.client
import os
import random
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from decimal import Decimal
from importlib import import_module
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone
from django.utils.crypto import get_random_string

from citizens.models import HouseholdMember, PropertyLink
from core.models import AccessLog
from geo.models import Place
from leisure import services
from leisure.models import Activity, ActivityCategory, Group, Registration, Season, TimeSlot
from properties.models import Property

aiohttp = pytest.importorskip("aiohttp")

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db
S = Registration.Status
PARENTS, RESIDENTS = 1000, 900
GROUPS, CAPACITY, WAITING_LIST = 50, 20, 30
TWO_ITEMS = 100  # parents with a second item, in another group at other hours
CONCURRENCY = 64  # requests in flight
GAP_S = 2  # everyone's window opens this long after the residents'
LEAD_S = 4  # the residents' window opens this long after the baskets are ready
PROBE_S = 1.5  # the probes are sent this long before the residents' window
CONFIRM = "/loisirs/panier/confirmer/"
DONE = "/loisirs/inscriptions/"
BORN = dt.date(2017, 5, 4)  # 9 on the groups' reference date
CODE = "RUSH"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, proc, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"nothing answers on port {port}")


def committed(fn, *args, **kwargs):
    """fn(*args) in a thread of its own, hence on a connection of its own in autocommit: what it
    writes is committed at once, for the server's workers to read (this test's own connection
    is in the test's transaction, rolled back at its end)."""
    out = {}

    def run():
        try:
            out["value"] = fn(*args, **kwargs)
        except BaseException as error:  # re-raised in the test's thread
            out["error"] = error
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if "error" in out:
        raise out["error"]
    return out.get("value")


def _clean_up():
    users = get_user_model().objects.filter(username__startswith="rush-")
    Registration.objects.filter(group__season__code=CODE).delete()
    TimeSlot.objects.filter(group__season__code=CODE).delete()
    Group.objects.filter(season__code=CODE).delete()
    Season.objects.filter(code=CODE).delete()
    Activity.objects.filter(code__startswith=f"{CODE}-").delete()
    ActivityCategory.objects.filter(code=CODE.lower()).delete()
    ids = list(users.values_list("pk", flat=True))
    AccessLog.objects.filter(subject_id__in=ids).delete()
    AccessLog.objects.filter(actor_id__in=ids).delete()
    Session.objects.filter(session_key__startswith="rush").delete()
    PropertyLink.objects.filter(user_id__in=ids).delete()
    HouseholdMember.objects.filter(user_id__in=ids).delete()
    EmailAddress.objects.filter(user_id__in=ids).delete()
    users.delete()
    from django.core.cache import cache

    cache.clear()  # what the server wrote in the database cache


@pytest.fixture
def server(tmp_path):
    """gunicorn with the project's settings (config/gunicorn.py: gthread), 2 workers, on the
    test database: its port."""
    port = _free_port()
    db = connection.settings_dict
    url = (f"postgis://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
           f"{db['PORT'] or 5432}/{db['NAME']}")
    env = dict(os.environ, DATABASE_URL=url, DEBUG="False", ALLOWED_HOSTS="127.0.0.1",
               LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT), DJANGO_SETTINGS_MODULE="config.settings")
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py",
             "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2",
             "--log-level", "warning"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_for(port, proc)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        print(log.read_text()[-3000:])  # shown when the test fails
        committed(_clean_up)


# The town on registration night

def _season_and_groups():
    today = timezone.localdate()
    far = timezone.now() + dt.timedelta(days=1)  # moved to a few seconds from now below
    season = Season.objects.create(
        code=CODE, name_fr="Soir des inscriptions", name_en="Registration night",
        starts_on=today + dt.timedelta(days=30), ends_on=today + dt.timedelta(days=120),
        residents_from=far, everyone_from=far + dt.timedelta(seconds=GAP_S),
        closes_at=far + dt.timedelta(days=7))
    category = ActivityCategory.objects.create(code=CODE.lower(), name_fr="Ruée",
                                               name_en="Rush")
    places = list(Place.objects.order_by("pk")[:GROUPS])
    activities = [Activity.objects.create(code=f"{CODE}-{k}", category=category,
                                          title_fr=f"Activité {k}", title_en=f"Activity {k}")
                  for k in range(5)]
    groups = Group.objects.bulk_create([
        Group(season=season, code=f"{CODE}-{i:02d}", activity=activities[i % 5],
              place=places[i % len(places)], age_min=5, age_max=12, age_on=season.starts_on,
              capacity=CAPACITY, waiting_list_size=WAITING_LIST,
              fee_resident=Decimal("40.00"), fee_non_resident=Decimal("60.00"))
        for i in range(GROUPS)])
    # Each group its own hour of the week (5 days x 10 hours): no two of them overlap.
    days = ["MO", "TU", "WE", "TH", "FR"]
    for i, g in enumerate(groups):
        TimeSlot.objects.create(group=g, rule=f"FREQ=WEEKLY;BYDAY={days[i % 5]}",
                                start_time=dt.time(8 + i // 5), end_time=dt.time(8 + i // 5, 50),
                                starts_on=season.starts_on, ends_on=season.ends_on)
    return season, groups


def _parents():
    """1,000 accounts (confirmed e-mail, unusable password: nobody signs in), each with a child
    of the groups' ages; the first 900 residents (a verified link to a demo property), and a
    session each."""
    User = get_user_model()
    password = make_password(None)
    users = User.objects.bulk_create([
        User(username=f"rush-{i:04d}", email=f"rush-{i:04d}@example.org", password=password)
        for i in range(PARENTS)])
    EmailAddress.objects.bulk_create([EmailAddress(user=u, email=u.email, primary=True,
                                                   verified=True) for u in users])
    members = HouseholdMember.objects.bulk_create([
        HouseholdMember(user=u, first_name=f"Enfant{i}", last_name="Ruée",
                        birth_year=BORN.year, birth_date=BORN) for i, u in enumerate(users)])
    homes = list(Property.objects.order_by("pk").values_list("pk", flat=True))
    now = timezone.now()
    PropertyLink.objects.bulk_create([
        PropertyLink(user=u, property_id=homes[i % len(homes)], role=PropertyLink.Role.OWNER,
                     status=PropertyLink.Status.VERIFIED, method=PropertyLink.Method.CODE,
                     decided_at=now) for i, u in enumerate(users[:RESIDENTS])])
    store = import_module(settings.SESSION_ENGINE).SessionStore
    sessions, cookies = [], []
    for u in users:
        key = "rush" + get_random_string(28, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {SESSION_KEY: str(u.pk), HASH_SESSION_KEY: u.get_session_auth_hash(),
                BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend"}
        sessions.append(Session(session_key=key, session_data=store().encode(data),
                                expire_date=now + dt.timedelta(hours=1)))
        cookies.append(key)
    Session.objects.bulk_create(sessions)
    return users, members, cookies


def _baskets(users, members, groups):
    """Each parent's basket, through the service as on the site, before any window is open (no
    seat held). Demand is uneven on purpose: 10 groups wanted about 3 times over (their waiting
    lists overflow), 10 about 1.5 times (waiting lists), 30 under their capacity."""
    rng = random.Random(15)
    weights = [6] * 10 + [3] * 10 + [0.7] * 30
    wanted = {}
    for i, (user, member) in enumerate(zip(users, members, strict=True)):
        first = rng.choices(range(GROUPS), weights)[0]
        chosen = [first]
        if i % (PARENTS // TWO_ITEMS) == 0:
            chosen.append(rng.choices([g for g in range(GROUPS) if g != first],
                                      [w for g, w in enumerate(weights) if g != first])[0])
        for g in chosen:
            added = services.add_to_basket(user, groups[g].pk, [member])
            assert [r.held_until for r in added] == [None]  # no seat before the window
        wanted[user.pk] = [groups[g].pk for g in chosen]
    return wanted


# The rush

async def _rush(port, cookies, order, residents, opens, everyone, probes):
    """Every parent's confirmation, in the line's `order`, all at `opens` (the probes' at
    `opens - PROBE_S`), at most CONCURRENCY in flight; a 400 sent before the parent's window is
    retried once it opens.
    Returns {parent index: [(sent, received, status, location), ...]} (wall-clock seconds)."""
    csrf = get_random_string(32)
    attempts = defaultdict(list)
    gate = asyncio.Semaphore(CONCURRENCY)
    origin = f"http://127.0.0.1:{port}"

    async def wait_until(moment):
        delay = moment - time.time()
        if delay > 0:
            await asyncio.sleep(delay)

    async def parent(http, i):
        window = opens if i in residents else everyone
        for _ in range(3):
            async with gate:
                sent = time.time()
                try:
                    async with http.post(
                            origin + CONFIRM, allow_redirects=False,
                            headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookies[i]}; "
                                               f"{settings.CSRF_COOKIE_NAME}={csrf}",
                                     "X-CSRFToken": csrf, "Origin": origin,
                                     "Referer": origin + "/loisirs/panier/"}) as response:
                        body = await response.read()
                        status, location = response.status, response.headers.get("Location")
                        if status == 400:  # the refusal names the season (its window)
                            location = "window" if b"Soir des inscriptions" in body else None
                except (TimeoutError, aiohttp.ClientError) as error:
                    status, location = repr(error), None
                received = time.time()
            attempts[i].append((sent, received, status, location))
            if status != 400 or sent >= window:
                return  # done, or an error the assertions report
            await wait_until(window)

    timeout = aiohttp.ClientTimeout(total=120)
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout,
                                     cookie_jar=aiohttp.DummyCookieJar()) as http:
        # Tasks started in the line's order take the semaphore in that order (it is FIFO).
        await wait_until(opens - PROBE_S)
        tasks = [asyncio.create_task(parent(http, i)) for i in order if i in probes]
        await wait_until(opens)
        tasks += [asyncio.create_task(parent(http, i)) for i in order if i not in probes]
        await asyncio.gather(*tasks)
    return attempts


def test_registration_night(server):
    t0 = time.monotonic()
    season, groups = committed(_season_and_groups)
    users, members, cookies = committed(_parents)
    wanted = committed(_baskets, users, members, groups)
    setup_s = time.monotonic() - t0
    # The windows: the residents' on a whole second, LEAD_S from now; everyone's GAP_S later.
    opens = float(int(time.time()) + LEAD_S)
    everyone = opens + GAP_S
    committed(Season.objects.filter(pk=season.pk).update,
              residents_from=dt.datetime.fromtimestamp(opens, dt.UTC),
              everyone_from=dt.datetime.fromtimestamp(everyone, dt.UTC),
              closes_at=dt.datetime.fromtimestamp(opens + 86400, dt.UTC))
    season.refresh_from_db()
    residents = set(range(RESIDENTS))
    # Non-residents first in the line (they must be refused until their window), then the
    # residents by the group they want first, so that the server's threads work on the same
    # group at once, at its last seats too (shuffled within a group); a few of each sent
    # early, before the residents' window.
    first_group = {i: wanted[u.pk][0] for i, u in enumerate(users)}
    shuffled = random.Random(3).sample(range(RESIDENTS), RESIDENTS)
    order = list(range(RESIDENTS, PARENTS)) + sorted(shuffled, key=first_group.get)
    probes = set(range(10)) | set(range(RESIDENTS, RESIDENTS + 5))
    # asyncio.run in a thread of its own: in the whole suite, the browser tests' Playwright
    # leaves an event loop running in this thread, where asyncio.run refuses to start.
    attempts = committed(asyncio.run,
                         _rush(server, cookies, order, residents, opens, everyone, probes))
    assert len(order) == PARENTS and set(attempts) == set(range(PARENTS))
    rush_s = max(a[-1][1] for a in attempts.values()) - opens

    # HTTP: only the redirect to the registrations, and the 400 of a confirmation sent before
    # its window; every parent ends with one success (none lost over HTTP).
    unexpected, refused, done_at = [], Counter(), {}
    for i, tries in attempts.items():
        window = opens if i in residents else everyone
        for sent, received, status, location in tries:
            if status in (302, 303) and location and location.endswith(DONE):
                # a success came back after its window opened (the server decided in between)
                if received < window:
                    unexpected.append((i, "registered before its window", sent, received))
                done_at[i] = (sent, received)
            elif status == 400 and location == "window" and sent < window:
                refused["resident" if i in residents else "non-resident"] += 1
            else:
                unexpected.append((i, status, location, sent - window, received - window))
    assert unexpected == [], unexpected[:20]
    assert len(done_at) == PARENTS, "parents without a confirmation"
    # The probes were sent 1.5 s before the residents' window: refused (not a timing
    # assertion in practice: a request takes milliseconds on loopback).
    assert refused["resident"] >= 1 and refused["non-resident"] >= 1, refused

    # The database: nothing left in a basket, nothing doubled, the order kept.
    rows = list(Registration.objects.filter(group__season=season).select_related("user"))
    assert len(rows) == sum(len(g) for g in wanted.values())  # no row added, none lost
    assert Counter(r.status for r in rows)[S.IN_BASKET] == 0
    assert all(r.seq is not None and r.confirmed_at is not None for r in rows)
    per_member_group = Counter((r.member_id, r.group_id) for r in rows
                               if r.status in Registration.ACTIVE)
    assert max(per_member_group.values()) == 1, "a member twice in a group"
    got = defaultdict(list)
    for r in rows:
        got[r.user_id].append(r.group_id)
    assert {k: sorted(v) for k, v in got.items()} == {k: sorted(v) for k, v in wanted.items()}
    by_group = defaultdict(list)
    for r in rows:
        by_group[r.group_id].append(r)
    # No overbooking, ever: the seats counted in every group first.
    seated = {g.code: sum(1 for r in by_group[g.pk] if r.status in Registration.SEATED)
              for g in groups}
    assert {code: n for code, n in seated.items() if n > CAPACITY} == {}, "overbooked"
    index = {u.pk: i for i, u in enumerate(users)}
    summary = Counter()
    for group in groups:
        regs = sorted(by_group[group.pk], key=lambda r: r.seq)
        demand = len(regs)
        statuses = [r.status for r in regs]
        registered = min(CAPACITY, demand)
        waiting = min(WAITING_LIST, max(0, demand - CAPACITY))
        full = demand - registered - waiting
        # In seq order: the registered, then the waiting list, then those refused (full).
        assert statuses == ([S.REGISTERED] * registered + [S.WAITING] * waiting
                            + [S.CANCELLED] * full), (group.code, statuses)
        assert all(r.reason == Registration.Reason.FULL for r in regs if r.status == S.CANCELLED)
        assert [services.waiting_position(r) for r in regs if r.status == S.WAITING] == list(
            range(1, waiting + 1))
        # The seats went in the order the baskets were confirmed: under the group's lock, the
        # moment of the decision and the seq grow together...
        moments = [r.confirmed_at for r in regs]
        assert moments == sorted(moments), group.code
        # ... and a parent whose answer came back before another's request left was served
        # first.
        for a in regs:
            for b in regs:
                if done_at[index[a.user_id]][1] < done_at[index[b.user_id]][0]:
                    assert a.seq < b.seq, (group.code, a.user_id, b.user_id)
        summary.update(registered=registered, waiting=waiting, full=full)
    # The windows, to the second: no one before the residents', no non-resident before
    # everyone's.
    for r in rows:
        assert r.confirmed_at >= season.residents_from
        if index[r.user_id] not in residents:
            assert not r.resident and r.confirmed_at >= season.everyone_from, r.confirmed_at
        else:
            assert r.resident
    # The scenario is the one meant: every outcome happened.
    assert summary["registered"] <= GROUPS * CAPACITY
    assert summary["waiting"] > 0 and summary["full"] > 0, summary
    print(f"setup {setup_s:.1f} s; rush {rush_s:.1f} s after the window opened; {summary}; "
          f"refused before their window: {dict(refused)}")
