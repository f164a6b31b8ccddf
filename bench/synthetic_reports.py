"""SYNTHETIC reports (signalements) in the bench database, after the synthetic town: 100,000
service requests by default with set-based SQL (one INSERT ... SELECT, like synthetic_town.py),
one CREATED event each; and a signed-in bench citizen for the web form.

The categories, their questions and departments come from the demo's
data/pincourt/request-categories.json through
`service_requests.importers.categories.load_categories`, and the citizen (a user with a
confirmed e-mail address) and their session through the ORM and
`django.test.Client.force_login`: both in a Django child process (this file run as a script),
as synthetic_zones.py does.

The mix: categories weighted (potholes the most common); submitted_at uniform over the last 2
years; the chance of being still open falls with age (21.5% + 70% e^(-age/90 days): about 30% open
overall, a backlog of old open ones and most of the recent ones); open ones spread over
submitted / acknowledged / in progress / planned, closed ones mostly resolved, some closed not
fixed, duplicates (of the previous report) and not the city's; channels web, phone, e-mail,
counter, Open311; 10% of the web ones still submitted wait for their e-mail confirmation (not
public). Locations uniform over the town's blocks and streets; `property` is the lot under the
point, computed from the grid (NULL in the streets), as `Property.objects.at_point` would give
for a point inside a parcel. Seeded (setseed), except the UUIDs."""
import time

import benchdb
import synthetic_town as town

CATEGORIES_JSON = benchdb.ROOT / "data/pincourt/request-categories.json"
REPORTS = 100_000
YEARS = 2
CITIZEN_EMAIL = "citoyenne-bench@example.org"
# Relative weights by category code (others: 5).
WEIGHTS = {"nid-de-poule": 25, "lampadaire": 15, "collecte-manquee": 15, "deneigement": 12,
           "graffiti": 10, "arbre-tombe": 8, "bruit": 8, "panneau": 7}
TABLES = ["service_requests_servicerequest", "service_requests_event",
          "service_requests_follower", "service_requests_photo"]

REPORTS_SQL = """
INSERT INTO service_requests_servicerequest (id, public_id, category_id, department_id, location,
    address, property_id, description, answers, status, channel, reporter_id, contact_name,
    contact_email, contact_phone, confirmed, confirm_token, submitted_at, updated_at, closed_at,
    expected_on, assigned_to_id, duplicate_of_id, responsible_body, api_client_id, submitter_ip,
    place, street_name)
SELECT g, gen_random_uuid(), c.id, c.department_id, ST_SetSRID(ST_MakePoint(x, y), %(srid)s),
       '', lot.property_id,
       'Signalement synthétique ' || g || ' : ' || c.name_fr || ', vu en passant, merci.',
       '{}'::jsonb, status, channel, NULL, '',
       CASE WHEN channel IN ('web', 'email', 'api') THEN 'citoyen' || g || '@example.org'
            ELSE '' END,
       CASE WHEN channel = 'phone' THEN '514-555-' || lpad((g %% 10000)::text, 4, '0')
            ELSE '' END,
       NOT (channel = 'web' AND status = 'submitted' AND u_conf < 0.1), gen_random_uuid(),
       submitted_at,
       CASE WHEN closed THEN closed_at WHEN status = 'submitted' THEN submitted_at
            ELSE submitted_at + (now() - submitted_at) * u_upd END,
       CASE WHEN closed THEN closed_at END,
       CASE WHEN status = 'planned' THEN (submitted_at + interval '21 days')::date END,
       NULL, CASE WHEN status = 'duplicate' AND g > 1 THEN g - 1 END,
       CASE WHEN status = 'not_city' THEN 'Ministère des Transports' ELSE '' END, NULL, NULL,
       '{}'::jsonb, ''  -- no place in words, no street shown (typed addresses)
FROM (
    SELECT *, status NOT IN ('submitted', 'acknowledged', 'in_progress', 'planned') AS closed,
           submitted_at + least(now() - submitted_at, interval '60 days') * u_close AS closed_at
    FROM (
        SELECT *,
               CASE WHEN u_open < 0.215 + 0.7 * exp(-age / 90.0) THEN
                    CASE WHEN u_kind < 0.30 THEN 'submitted' WHEN u_kind < 0.60 THEN 'acknowledged'
                         WHEN u_kind < 0.85 THEN 'in_progress' ELSE 'planned' END
               ELSE CASE WHEN u_kind < 0.78 THEN 'resolved' WHEN u_kind < 0.86 THEN 'closed'
                         WHEN u_kind < 0.94 THEN 'duplicate' ELSE 'not_city' END
               END AS status,
               CASE WHEN u_chan < 0.55 THEN 'web' WHEN u_chan < 0.80 THEN 'phone'
                    WHEN u_chan < 0.90 THEN 'email' WHEN u_chan < 0.95 THEN 'counter'
                    ELSE 'api' END AS channel,
               now() - age * interval '1 day' AS submitted_at
        FROM (
            SELECT g, random() AS u_cat, random() AS u_open, random() AS u_kind,
                   random() AS u_chan, random() AS u_conf, random() AS u_upd,
                   random() AS u_close, random() * %(days)s AS age,
                   %(x0)s + random() * (%(x1)s - %(x0)s) AS x,
                   %(y0)s + random() * (%(y1)s - %(y0)s) AS y
            FROM generate_series(1, %(reports)s) AS g
        ) draw
    ) typed
) s
JOIN LATERAL (SELECT k.id FROM unnest(%(cat_ids)s::bigint[], %(cat_cum)s::float8[]) AS k(id, cum)
              WHERE k.cum > s.u_cat ORDER BY k.cum LIMIT 1) pick ON true
JOIN service_requests_category c ON c.id = pick.id
-- the lot under the point, from the grid of synthetic_town.py (a street: no property)
CROSS JOIN LATERAL (
    SELECT CASE WHEN cx < %(lots_w)s AND cy < 2 * %(ld)s AND i < %(n)s THEN i + 1 END
           AS property_id
    FROM (SELECT cx, cy, (by * %(bx)s + bx) * %(per_block)s + floor(cy / %(ld)s)::int
                 * %(per_row)s + floor(cx / %(lw)s)::int AS i
          FROM (SELECT bx, by, s.x - %(x0)s - bx * %(px)s AS cx, s.y - %(y0)s - by * %(py)s AS cy
                FROM (SELECT floor((s.x - %(x0)s) / %(px)s)::int AS bx,
                             floor((s.y - %(y0)s) / %(py)s)::int AS by) b) o) grid
) lot
ORDER BY g
"""
EVENTS_SQL = """
INSERT INTO service_requests_event (request_id, at, actor_id, kind, from_status, to_status, note,
                                    public)
SELECT id, submitted_at, NULL, 'created', '', 'submitted', '', true
FROM service_requests_servicerequest ORDER BY id
"""


def build(n: int, reports: int = REPORTS, log=print) -> dict:
    """Replace the bench database's reports with `reports` synthetic ones over the town of n
    properties (which must be built), and (re)create the bench citizen and their session."""
    lay = town.layout(n)
    started = time.perf_counter()
    child = benchdb.run_django(__file__)  # categories, citizen, session
    cats = child["categories"]
    weights = [WEIGHTS.get(c["code"], 5) for c in cats]
    cum, total = [], 0
    for w in weights:
        total += w
        cum.append(total / sum(weights))
    cum[-1] = 1.0 + 1e-9  # random() < 1: always a category
    params = {
        "srid": town.SRID, "reports": reports, "days": 365.25 * YEARS, "n": n,
        "x0": lay.x0, "y0": lay.y0, "x1": lay.x0 + lay.blocks_x * town.PITCH_X,
        "y1": lay.y0 + lay.blocks_y * town.PITCH_Y, "px": town.PITCH_X, "py": town.PITCH_Y,
        "lw": town.LOT_W, "ld": town.LOT_D, "lots_w": town.PER_ROW * town.LOT_W,
        "per_row": town.PER_ROW, "per_block": town.LOTS_PER_BLOCK, "bx": lay.blocks_x,
        "cat_ids": [c["id"] for c in cats], "cat_cum": cum,
    }
    timings = {}
    with benchdb.connect() as conn:
        with conn.transaction():
            conn.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
            conn.execute("SELECT setseed(0.5151)")
            for name, sql in (("reports", REPORTS_SQL), ("events", EVENTS_SQL)):
                t = time.perf_counter()
                conn.execute(sql, params)
                timings[name] = time.perf_counter() - t
            conn.execute("SELECT setval(pg_get_serial_sequence("
                         "'service_requests_servicerequest', 'id'), %s)", [reports])
        conn.autocommit = True
        t = time.perf_counter()
        for table in TABLES:
            conn.execute(f"VACUUM ANALYZE {table}")
        timings["vacuum analyze"] = time.perf_counter() - t
        stats = _stats(conn)
        _check(conn)
    out = {"reports": reports, "categories": cats, "stats": stats, "timings": timings,
           "page_size": child["page_size"],
           "citizen": child["citizen"], "seconds": time.perf_counter() - started,
           "extent": [params["x0"], params["y0"], params["x1"], params["y1"]]}
    log(f"  {reports:,} reports built in {out['seconds']:.1f} s: {stats['open_public']:,} open "
        f"and public ({stats['open_public'] / reports:.0%}), {stats['with_property']:.0%} on a "
        "lot")
    return out


def _stats(conn) -> dict:
    row = conn.execute("""
        SELECT count(*) FILTER (WHERE status IN ('submitted', 'acknowledged', 'in_progress',
                                                 'planned') AND confirmed),
               count(*) FILTER (WHERE NOT confirmed),
               avg((property_id IS NOT NULL)::int),
               min(submitted_at)::date, max(submitted_at)::date
        FROM service_requests_servicerequest""").fetchone()
    statuses = dict(conn.execute("SELECT status, count(*) FROM service_requests_servicerequest "
                                 "GROUP BY 1 ORDER BY 2 DESC").fetchall())
    channels = dict(conn.execute("SELECT channel, count(*) FROM service_requests_servicerequest "
                                 "GROUP BY 1 ORDER BY 2 DESC").fetchall())
    events = conn.execute("SELECT count(*) FROM service_requests_event").fetchone()[0]
    return {"open_public": row[0], "unconfirmed": row[1], "with_property": float(row[2]),
            "first": row[3], "last": row[4], "statuses": statuses, "channels": channels,
            "events": events}


def _check(conn):
    """The grid arithmetic gives the parcel that covers the point, or none in a street."""
    bad = conn.execute("""
        SELECT count(*) FROM (SELECT * FROM service_requests_servicerequest
                              ORDER BY id LIMIT 2000) r
        LEFT JOIN properties_property p ON p.id = r.property_id
        WHERE (r.property_id IS NULL AND EXISTS (
                   SELECT 1 FROM properties_property q
                   WHERE ST_Covers(q.parcel, r.location)
                     AND ST_Distance(ST_Boundary(q.parcel), r.location) > 0.01))
           OR (r.property_id IS NOT NULL AND NOT ST_Covers(p.parcel, r.location))""").fetchone()[0]
    if bad:
        raise RuntimeError(f"synthetic reports: {bad} of the first 2,000 have the wrong property")


def _child(argv) -> dict:
    """Runs with Django set up on the bench database."""
    import datetime as dt

    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session
    from django.test import Client

    from service_requests.importers.categories import load_categories
    from service_requests.models import Category, Question

    loaded = load_categories(CATEGORIES_JSON)
    categories = []
    for c in Category.objects.filter(active=True).prefetch_related("questions").order_by(
            "sort_order", "code"):
        answers = {}
        for q in c.questions.all():  # an answer to every question, as a careful citizen gives
            if q.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
                answers[f"q_{q.code}"] = q.choices[0]["key"]
            elif q.kind == Question.Kind.DATE:
                answers[f"q_{q.code}"] = (dt.date.today() - dt.timedelta(days=1)).isoformat()
            elif q.kind == Question.Kind.NUMBER:
                answers[f"q_{q.code}"] = "30"
            else:
                answers[f"q_{q.code}"] = "Depuis hier soir"
        categories.append({"id": c.pk, "code": c.code, "department_id": c.department_id,
                           "answers": answers})
    User = get_user_model()
    User.objects.filter(email=CITIZEN_EMAIL).delete()
    Session.objects.all().delete()  # the bench database's sessions are all ours
    user = User.objects.create_user(username="citoyenne-bench", email=CITIZEN_EMAIL,
                                    password="x-Bench-Citoyenne-2026!",
                                    first_name="Citoyenne", last_name="Bench")
    EmailAddress.objects.create(user=user, email=CITIZEN_EMAIL, verified=True, primary=True)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"loaded": loaded, "categories": categories,
            "page_size": settings.REST_FRAMEWORK["PAGE_SIZE"],
            "citizen": {"user_id": user.pk, "session_cookie": settings.SESSION_COOKIE_NAME,
                        "session": cookie, "csrf_cookie": settings.CSRF_COOKIE_NAME}}


if __name__ == "__main__":
    benchdb.child_main(_child)
