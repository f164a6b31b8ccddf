"""Alerts at the scale of issue 13 part 5, on the bench town: `run.py --only alerts` (and a step
of the full run at its largest size, `--skip-alerts` to leave it out). Steps, each timed:

a. subscribers: 100,000 e-mail subscribers and 20,000 SMS subscribers (`--alert-subscribers`,
   `--alert-sms`), confirmed, one Subscription each on a random (seeded) property of the town,
   on their channel, with reminders=["collection_tomorrow"]: set-based SQL (INSERT ... SELECT
   generate_series), rebuilt each run;
b. targeting (alert_targeting.py): a polygon over 25 % of the town, its properties and
   subscribers counted, every row listed, the preview's reads; the raw SQL count beside them;
c. queued: a territory-wide alert (sent) to every subscriber, `fan_out.call(alert, 1)` in a
   Django child with the database task backend (GUICHET_TASKS=database): the Delivery rows and
   their sending tasks written;
d. delivered (alerts_delivery.py): 2 `manage.py db_worker` processes send the e-mail rows to an
   aiosmtpd sink and the SMS rows to an HTTP sink (each its own process); messages/s, lost and
   doubled counted at the sinks per recipient;
e. nightly: `alerts.reminders.queue_due` (what `manage.py send_reminders` runs) at 18:00 the
   evening before the coming day with the most collections (read from the synthetic zones'
   rules), the schedule cache emptied first; timed to the end of queuing (Delivery rows and
   sending tasks written); nothing is delivered;
f. pages (alerts_pages.py): home page and a property page through gunicorn, with no current
   alert and with 6 reaching the property (5 buffers around it and a territory-wide one),
   interleaved rounds, /healthz beside them.

What it creates (subscribers, subscriptions, alerts, deliveries, their task rows, the cached
current alerts) is deleted at the start and at the end: the other parts never see it. The
bench database is the bench's own; its alerts tables are emptied (TRUNCATE)."""
import datetime as dt
import os
import statistics
import sys
import time

import alert_targeting
import alerts_delivery
import alerts_pages
import benchdb
import report_alerts

SUBSCRIBERS, SMS = 100_000, 20_000
EMAIL_DOMAIN = "alerts.bench.example"
SMS_PREFIX = "+1438"  # + 7 digits
SEED = 0.1305  # setseed(): the same subscribers' properties every run
TOPICS = benchdb.ROOT / "data/pincourt/alert-topics.json"
WIDE_TOPIC = "avis-ebullition"  # the territory-wide alert's (the demo's boil-water notice)
TASKS = {"GUICHET_TASKS": "database"}
TASK_TABLE = "django_tasks_database_dbtaskresult"
NIGHTLY_PROFILE = 5000  # properties of the nightly job's profile
ALERT_TABLES = ["alerts_delivery", "alerts_subscription_topics", "alerts_subscription",
                "alerts_pushendpoint", "alerts_subscriber", "alerts_alert_zones", "alerts_alert"]


def _load():
    return os.getloadavg()


def run(n: int, args, work, log=print, profile=True) -> dict:
    """Every step on the town of n properties (in the bench database); the results. `profile`:
    profile the delivery and the nightly job when they miss their targets."""
    out = {"n": n, "loadavg_start": _load()}
    started = time.perf_counter()
    cleanup()
    try:
        out["subscribers"] = subscribers(args.alert_subscribers, args.alert_sms, log=log)
        out["targeting"] = alert_targeting.measure(args.targeting_runs, log=log)
        out["targeting"]["loadavg"] = _load()
        out["queued"] = queued(log=log)
        out["delivery"] = alerts_delivery.deliver(out["queued"]["alert"], args.alert_deliver,
                                                  work, log=log)
        if profile and not report_alerts.delivery_ok(out["delivery"]):
            out["delivery_profile"] = alerts_delivery.profile(out["queued"]["alert"], work,
                                                              log=log)
        clear_deliveries()
        out["nightly"] = nightly(log=log)
        clear_deliveries(alerts=True)  # the pages start with no current alert
        if profile and not report_alerts.nightly_ok(out["nightly"]):
            out["nightly_profile"] = profile_nightly(NIGHTLY_PROFILE, work, log=log)
        out["pages"] = alerts_pages.measure(args.alert_rounds, args.alert_requests,
                                            args.workers, args.threads,
                                            work / "gunicorn.log", log=log)
    finally:
        cleanup()
    out["seconds"] = time.perf_counter() - started
    out["loadavg_end"] = _load()
    log(f"  alerts part: {out['seconds']:.0f} s")
    return out


def zones_ready() -> bool:
    """Whether the bench database has active zones over the whole territory (synthetic_zones.py
    built them for this town: their extent is the territory's, within 20 m)."""
    with benchdb.connect() as conn:
        row = conn.execute("""
            SELECT (SELECT count(*) FROM collections_schedule_zoneset WHERE status = 'active'),
                   greatest(abs(ST_XMin(z.e) - ST_XMin(t.e)), abs(ST_YMin(z.e) - ST_YMin(t.e)),
                            abs(ST_XMax(z.e) - ST_XMax(t.e)), abs(ST_YMax(z.e) - ST_YMax(t.e)))
            FROM (SELECT ST_Extent(z.geom) AS e FROM collections_schedule_zone z
                  JOIN collections_schedule_zoneset s ON s.id = z.zone_set_id
                  WHERE s.status = 'active') z,
                 (SELECT ST_Extent(geom) AS e FROM geo_territory) t""").fetchone()
    return bool(row[0]) and row[1] is not None and row[1] < 20


# Clean-up

def cleanup() -> None:
    """Empties the alerts tables, their task rows and the cached current alerts."""
    with benchdb.connect(autocommit=True) as conn:
        conn.execute(f"DELETE FROM {TASK_TABLE} WHERE task_path LIKE 'alerts.%%'")
        conn.execute(f"TRUNCATE {', '.join(ALERT_TABLES)} RESTART IDENTITY")
    alerts_pages.forget_current()


def clear_deliveries(alerts: bool = False) -> None:
    """The deliveries and their task rows of a step, before the next one; and the alerts."""
    with benchdb.connect(autocommit=True) as conn:
        conn.execute(f"DELETE FROM {TASK_TABLE} WHERE task_path LIKE 'alerts.%%'")
        conn.execute("TRUNCATE alerts_delivery" + (", alerts_alert_zones, alerts_alert"
                                                   if alerts else ""))
    if alerts:
        alerts_pages.forget_current()


# a. Subscribers

SUBSCRIBERS_SQL = f"""
INSERT INTO alerts_subscriber (email, phone, language, confirmed_at, phone_confirmed_at, token,
    digest, created_at)
SELECT CASE WHEN i <= %(emails)s THEN 'abonne-' || i || '@{EMAIL_DOMAIN}' ELSE '' END,
       CASE WHEN i > %(emails)s THEN '{SMS_PREFIX}' || lpad((i - %(emails)s)::text, 7, '0')
            ELSE '' END,
       CASE WHEN i %% 5 = 0 THEN 'en' ELSE 'fr' END, now(), NULL, gen_random_uuid(), false, now()
FROM generate_series(1, %(emails)s + %(sms)s) AS i ORDER BY i
"""
SUBSCRIPTIONS_SQL = """
WITH p AS MATERIALIZED (
    SELECT row_number() OVER (ORDER BY id) AS k, id FROM properties_property
    WHERE retired_roll_year IS NULL),
s AS MATERIALIZED (
    SELECT id, phone, 1 + floor(random() * (SELECT count(*) FROM p))::bigint AS k
    FROM (SELECT id, phone FROM alerts_subscriber ORDER BY id) ordered)
INSERT INTO alerts_subscription (subscriber_id, property_id, channels, reminders, created_at)
SELECT s.id, p.id, CASE WHEN s.phone <> '' THEN ARRAY['sms'] ELSE ARRAY['email'] END::varchar[],
       ARRAY['collection_tomorrow']::varchar[], now()
FROM s JOIN p USING (k) ORDER BY s.id
"""


def subscribers(emails: int = SUBSCRIBERS, sms: int = SMS, log=print) -> dict:
    """`emails` e-mail and `sms` SMS subscribers, confirmed, each subscribed to a random
    property (seeded) on their channel, with the collection reminder."""
    timings = {}
    with benchdb.connect() as conn:
        t = time.perf_counter()
        conn.execute(SUBSCRIBERS_SQL, {"emails": emails, "sms": sms})
        timings["subscribers"] = time.perf_counter() - t
        t = time.perf_counter()
        conn.execute("SELECT setseed(%s)", [SEED])
        conn.execute(SUBSCRIPTIONS_SQL)
        timings["subscriptions"] = time.perf_counter() - t
        conn.commit()
        conn.autocommit = True
        t = time.perf_counter()
        conn.execute("ANALYZE alerts_subscriber")
        conn.execute("ANALYZE alerts_subscription")
        timings["analyze"] = time.perf_counter() - t
        properties = conn.execute("SELECT count(DISTINCT property_id) FROM alerts_subscription"
                                  ).fetchone()[0]
    seconds = sum(timings.values())
    log(f"  alert subscribers: {emails:,} e-mail and {sms:,} SMS on {properties:,} properties "
        f"in {seconds:.1f} s")
    return {"emails": emails, "sms": sms, "properties": properties, "timings": timings,
            "seconds": seconds}


# c. Queued

def queued(log=print) -> dict:
    out = benchdb.run_django(__file__, "queue", env=TASKS)
    out["loadavg"] = _load()
    log(f"  alert to every subscriber queued in {out['seconds']:.2f} s: {out['inserted']:,} "
        f"rows ({out['channels']}), {out['tasks']:,} sending tasks (recipients query alone: "
        f"{out['recipients_s']:.2f} s)")
    return out


def _territory_alert(topic_code: str, title: str, **fields):
    from django.utils import timezone

    from alerts import targeting
    from alerts.models import Alert, Topic

    now = timezone.now()
    return Alert.objects.create(
        topic=Topic.objects.get(code=topic_code), title_fr=title, title_en=title,
        body_fr="Essai de charge : faites bouillir l'eau du robinet une minute avant de la boire.",
        body_en="Load test: boil tap water for one minute before drinking it.",
        severity=Alert.Severity.SEVERE, starts_at=now - dt.timedelta(hours=1),
        target=Alert.Target.TERRITORY, area=targeting.territory_area(), **fields)


def _ensure_topics():
    from alerts.importers.topics import load_topics

    load_topics(TOPICS)


def _queue(argv) -> dict:
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from alerts.delivery import fan_out, recipients
    from alerts.models import Alert, Delivery

    _ensure_topics()
    alert = _territory_alert(WIDE_TOPIC, "Alerte banc : tout le territoire",
                             status=Alert.Status.SENT, sent_at=timezone.now())
    t = time.perf_counter()
    inserted = fan_out.call(alert.pk, 1)
    seconds = time.perf_counter() - t
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {TASK_TABLE} WHERE task_path = %s",
                    ["alerts.delivery.send_deliveries"])
        tasks = cur.fetchone()[0]
    channels = dict(Delivery.objects.filter(alert=alert).values_list("channel")
                    .annotate(n=Count("pk")).order_by())
    t = time.perf_counter()
    pairs = len(recipients(alert, 1))  # the recipients' query alone, for the split
    recipients_s = time.perf_counter() - t
    return {"alert": alert.pk, "seconds": seconds, "inserted": inserted, "channels": channels,
            "tasks": tasks, "recipients": pairs, "recipients_s": recipients_s}


# e. Nightly reminders

def nightly(log=print) -> dict:
    alerts_pages.empty_cache()
    out = benchdb.run_django(__file__, "nightly", env=TASKS)
    out["loadavg"] = _load()
    log(f"  nightly reminders at {out['at']} ({out['streams_tomorrow']}): {out['created']:,} "
        f"queued for {out['properties']:,} subscribed properties in {out['seconds']:.1f} s "
        f"({out['queries']:,} SQL statements, {out['sql_s']:.1f} s in SQL; due(): "
        f"{out['due_s']:.1f} s)")
    return out


def pick_evening(days: int = 14):
    """(18:00 local the evening before, that day, {stream: share of the town}) for the coming
    day (within `days`) whose collections cover the most of the town: each active zone's rules
    (dateutil) weighted by its share of the territory's area. Holidays and exceptions are left
    to the job; the cache is not touched."""
    from dateutil.rrule import rrulestr
    from django.db import connection
    from django.utils import timezone

    from collections_schedule.models import Zone, ZoneSet
    from geo.models import Territory

    territory = Territory.objects.current().geom.area
    zones = []
    for z in Zone.objects.filter(zone_set__status=ZoneSet.Status.ACTIVE).select_related(
            "zone_set__stream"):
        start = dt.datetime.combine(z.dtstart, dt.time())
        zones.append((z.zone_set.stream.slug, z.geom.area / territory,
                      rrulestr(z.rrules, dtstart=start, forceset=True)))
    connection.close()
    today = timezone.localdate()
    best = None
    for k in range(1, days + 1):
        day = today + dt.timedelta(days=k)
        moment = dt.datetime.combine(day, dt.time())
        shares = {}
        for slug, share, rule in zones:
            if rule.after(moment - dt.timedelta(seconds=1)) == moment:
                shares[slug] = shares.get(slug, 0) + share
        if best is None or sum(shares.values()) > sum(best[1].values()) + 1e-9:
            best = (day, shares)
    day, shares = best
    evening = timezone.make_aware(dt.datetime.combine(day - dt.timedelta(days=1),
                                                      dt.time(18, 0)))
    return evening, day, shares


class SqlTimer:
    """A connection.execute_wrapper: count and time every statement, grouped by its first
    words (what kind of statement)."""

    def __init__(self):
        self.n, self.s, self.groups = 0, 0.0, {}

    def __call__(self, execute, query, params, many, context):
        t = time.perf_counter()
        try:
            return execute(query, params, many, context)
        finally:
            spent = time.perf_counter() - t
            self.n += 1
            self.s += spent
            key = " ".join(query.split())[:70]
            group = self.groups.setdefault(key, [0, 0.0])
            group[0] += 1
            group[1] += spent

    def top(self, k=6) -> list:
        return [{"sql": key, "n": n, "s": spent} for key, (n, spent) in
                sorted(self.groups.items(), key=lambda g: -g[1][1])[:k]]


def _timed_dues(due_s: dict) -> None:
    """Wraps each registered kind's due() to time it (the schedule's part of the job)."""
    import dataclasses

    from core import reminders as registry

    for code, kind in list(registry._kinds.items()):
        def timed(now, ids, _due=kind.due, _code=code):
            t = time.perf_counter()
            try:
                return list(_due(now, ids))
            finally:
                due_s[_code] = due_s.get(_code, 0) + time.perf_counter() - t
        registry._kinds[code] = dataclasses.replace(kind, due=timed)


def _nightly(argv) -> dict:
    from django.db import connection

    from alerts.models import Delivery, Subscription
    from alerts.reminders import queue_due

    evening, day, shares = pick_evening()
    due_s, sql = {}, SqlTimer()
    _timed_dues(due_s)
    with connection.execute_wrapper(sql):
        t = time.perf_counter()
        result = queue_due(evening)
        seconds = time.perf_counter() - t
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {TASK_TABLE} WHERE task_path = %s",
                    ["alerts.delivery.send_deliveries"])
        tasks = cur.fetchone()[0]
    by_stream = {}
    for subject in Delivery.objects.filter(kind="collection_tomorrow").values_list(
            "subject", flat=True).iterator():
        stream = subject.rsplit(":", 1)[-1]
        by_stream[stream] = by_stream.get(stream, 0) + 1
    properties = (Subscription.objects.filter(reminders__overlap=["collection_tomorrow"])
                  .values("property_id").distinct().count())
    streams = ", ".join(f"{slug} {share:.0%}" for slug, share in sorted(shares.items()))
    return {"at": evening.isoformat(), "day": day.isoformat(),
            "streams_tomorrow": streams or "none", "expected_shares": shares,
            "seconds": seconds, "created": sum(result.created.values()),
            "created_by_kind": result.created, "due_by_kind": result.due,
            "by_stream": by_stream, "tasks": tasks, "properties": properties,
            "queries": sql.n, "sql_s": sql.s, "sql_top": sql.top(),
            "due_s": sum(due_s.values()), "due_s_by_kind": due_s}


def profile_nightly(count: int, work, log=print) -> dict:
    """cProfile of the collection reminder's due() for `count` subscribed properties (seeded
    sample), the cache emptied first, as in the job: where its time goes."""
    log(f"  the nightly job misses its target: profiling due() on {count:,} properties")
    alerts_pages.empty_cache()
    out = benchdb.run_django(__file__, "nightly-profile", count)
    (work / "alerts-nightly-profile.txt").write_text(out["profile"])
    log(f"  {out['seconds']:.1f} s for {count:,} properties ({out['per_property_ms']:.2f} ms "
        f"each, {out['sql_s'] / out['seconds']:.0%} in SQL: {out['queries']:,} statements)")
    return out


def _nightly_profile(argv) -> dict:
    import cProfile
    import io
    import pstats
    import random

    from django.db import connection

    from alerts.models import Subscription
    from core import reminders as registry

    count = int(argv[0])
    evening, _day, _shares = pick_evening()
    ids = sorted(set(Subscription.objects.values_list("property_id", flat=True)))
    sample = random.Random(5).sample(ids, min(count, len(ids)))
    due = registry.get("collection_tomorrow").due
    sql, profiler = SqlTimer(), cProfile.Profile()
    with connection.execute_wrapper(sql):
        t = time.perf_counter()
        profiler.enable()
        dues = list(due(evening, sample))
        profiler.disable()
        seconds = time.perf_counter() - t
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text).strip_dirs()
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(25)
    return {"properties": len(sample), "dues": len(dues), "seconds": seconds,
            "per_property_ms": 1000 * seconds / max(1, len(sample)), "queries": sql.n,
            "sql_s": sql.s, "sql_top": sql.top(), "profile": text.getvalue()}


# f. Pages: the alerts reaching the measured property (alerts_pages.py)

BUFFERS_M = (60, 120, 250, 500, 1000)


def _page_alerts(argv) -> dict:
    """The property nearest the town's centre, 5 buffer alerts around it and a territory-wide
    one, all as drafts (alerts_pages.py makes them current by SQL); their ids."""
    from django.db import connection
    from django.utils import timezone

    from alerts import targeting
    from alerts.models import Alert, Topic
    from geo.models import Territory

    _ensure_topics()
    centre = Territory.objects.current().geom.centroid
    with connection.cursor() as cur:
        cur.execute("SELECT id, ST_AsEWKT(coalesce(address_point, ST_PointOnSurface(parcel))) "
                    "FROM properties_property WHERE retired_roll_year IS NULL "
                    "ORDER BY address_point <-> %s::geometry LIMIT 1", [centre.ewkt])
        pk, point = cur.fetchone()
    from django.contrib.gis.geos import GEOSGeometry

    point = GEOSGeometry(point)
    topics = list(Topic.objects.exclude(code=WIDE_TOPIC).order_by("sort_order"))
    ids = []
    now = timezone.now()
    for k, radius in enumerate(BUFFERS_M):
        area = targeting.resolve_area(target=Alert.Target.BUFFER, drawn=point, buffer_m=radius)
        ids.append(Alert.objects.create(
            topic=topics[k % len(topics)], title_fr=f"Alerte banc {k + 1} : {radius} m",
            title_en=f"Alerte banc {k + 1}: {radius} m",
            body_fr="Essai de charge.", body_en="Load test.",
            starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(days=2),
            target=Alert.Target.BUFFER, drawn=point, buffer_m=radius, area=area).pk)
    ids.append(_territory_alert(WIDE_TOPIC, "Alerte banc : avis d'ébullition").pk)
    return {"property": pk, "alerts": ids}


def _forget(argv) -> dict:
    from django.conf import settings
    from django.core.cache import cache

    from alerts import current

    cache.delete_many([current._KEY.format(language=c) for c, _ in settings.LANGUAGES])
    return {}


def _clear_cache(argv) -> dict:
    from django.core.cache import cache

    cache.clear()
    return {}


def median(values):
    return statistics.median(values) if values else float("nan")


CHILDREN = {"queue": _queue, "nightly": _nightly, "nightly-profile": _nightly_profile,
            "delivery-profile": lambda argv: alerts_delivery.profile_child(argv),
            "page-alerts": _page_alerts,
            "forget": _forget, "clear-cache": _clear_cache}

if __name__ == "__main__":
    benchdb.child_main(lambda argv: CHILDREN[sys.argv[1]](argv[1:]))
