"""Reports (signalements) through gunicorn, with http_load's server, client and statistics:

1. the public reports layer, `GET /api/reports/?in_bbox=...&status=open`, for map viewports of
   VIEW_W x VIEW_H metres at random places inside the town (default page size), then beside it
   the same two SQL statements the view sends (the paginator's COUNT, then the page) through
   psycopg, same viewports;
2. the web form of a signed-in citizen, as a browser does it: `GET /signaler/details/` (the
   details page, which runs the duplicate check `services.open_nearby` and shows what it finds;
   it also gives the CSRF token), then `POST` of the form to the same URL (description, an answer
   to every question of the category, an empty photo input; multipart like a browser), which
   creates the request through `services.submit_request` and answers 302 to the request's page
   (not followed). Random points inside the town, categories cycling.

The layer runs first, on exactly the synthetic reports; the form then adds its own."""
import json
import math
import random
import re
import time
import uuid
from http.cookies import SimpleCookie

import benchdb
import http_load
import psycopg

DETAILS = "GET /signaler/details/ (details page: duplicate check)"
SUBMIT = "POST /signaler/details/ (submit)"
FLOW = "GET + POST (the citizen's whole wait)"
LAYER = "GET /api/reports/?in_bbox=<viewport>&status=open"
LAYER_SQL = "raw SQL of the reports layer: COUNT + page (psycopg)"
VIEW_W, VIEW_H = 1000, 600  # metres: a phone or small window map at zoom ~16
ORIGIN = f"http://{http_load.HOST}:{http_load.PORT}"
CSRF_RE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
OPEN = ("submitted", "acknowledged", "in_progress", "planned")
# What ReportViewSet sends for in_bbox + status=open (copied from a CaptureQueriesContext; the
# view passes the box as an EWKB literal of Polygon.from_bbox in SRID 4326, the same 5-point
# rectangle as ST_MakeEnvelope): the paginator's COUNT, then the page, newest first.
WHERE = """
WHERE ("service_requests_servicerequest"."confirmed"
       AND "service_requests_servicerequest"."location"
           && ST_Transform(ST_MakeEnvelope(%(x1)s, %(y1)s, %(x2)s, %(y2)s, 4326), 32188)
       AND "service_requests_servicerequest"."status" IN ('in_progress', 'planned', 'submitted',
                                                          'acknowledged'))"""
COUNT_SQL = 'SELECT COUNT(*) AS "__count" FROM "service_requests_servicerequest"' + WHERE
_R, _C = '"service_requests_servicerequest"', '"service_requests_category"'
PAGE_SQL = (
    "SELECT " + ", ".join(f'{_R}."{c}"' for c in (
        "id", "public_id", "category_id", "department_id", "location", "address",
        "property_id", "description", "answers", "status", "channel", "reporter_id",
        "contact_name", "contact_email", "contact_phone", "confirmed", "confirm_token",
        "submitted_at", "updated_at", "closed_at", "expected_on", "assigned_to_id",
        "duplicate_of_id", "responsible_body", "api_client_id", "submitter_ip"))
    + f', ST_Transform({_R}."location", 4326) AS "location_wgs84", '
    + ", ".join(f'{_C}."{c}"' for c in (
        "id", "code", "name_fr", "name_en", "description_fr", "description_en", "group_fr",
        "group_en", "keywords", "department_id", "target_days", "active", "sort_order"))
    + f' FROM {_R} INNER JOIN {_C} ON ({_R}."category_id" = {_C}."id")' + WHERE
    + f' ORDER BY {_R}."submitted_at" DESC, {_R}."id" DESC LIMIT %(limit)s')


class Browser(http_load.Client):
    """A keep-alive client with a cookie jar. The one-time `messages` cookie set by the POST is
    dropped: the redirect is not followed, and reading the next page would consume it."""

    def __init__(self, cookies: dict):
        super().__init__()
        self.cookies = dict(cookies)

    def fetch(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        status, response_headers, data = self.send(method, path, body, headers)
        for name, value in response_headers:
            if name.lower() == "set-cookie":
                for key, morsel in SimpleCookie(value).items():
                    if key == "messages":
                        continue
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(key, None)
                    else:
                        self.cookies[key] = morsel.value
        return status, dict((k.lower(), v) for k, v in response_headers), data


def multipart(fields: dict) -> tuple[bytes, str]:
    """A browser's multipart/form-data body, with the empty file input of the photos."""
    boundary = f"----GuichetBench{uuid.uuid4().hex}"
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename=""'
                 "\r\nContent-Type: application/octet-stream\r\n\r\n\r\n".encode())
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _to_lonlat(points_m: list) -> list:
    """EPSG:32188 metres to WGS 84, by PostGIS (as the site does it)."""
    with benchdb.connect() as conn:
        return conn.execute("""
            SELECT ST_X(g), ST_Y(g) FROM (
                SELECT k, ST_Transform(ST_SetSRID(ST_MakePoint(x, y), 32188), 4326) AS g
                FROM unnest(%s::float8[], %s::float8[]) WITH ORDINALITY AS t(x, y, k)) p
            ORDER BY k""", [[p[0] for p in points_m], [p[1] for p in points_m]]).fetchall()


def viewports(extent, count, rng) -> list:
    """(min lon, min lat, max lon, max lat) of VIEW_W x VIEW_H m maps wholly inside the town."""
    x0, y0, x1, y1 = extent
    centres = [(rng.uniform(x0 + VIEW_W / 2, x1 - VIEW_W / 2),
                rng.uniform(y0 + VIEW_H / 2, y1 - VIEW_H / 2)) for _ in range(count)]
    boxes = []
    for lon, lat in _to_lonlat(centres):
        dlon = VIEW_W / 2 / (111_320 * math.cos(math.radians(lat)))
        dlat = VIEW_H / 2 / 110_574
        box = (lon - dlon, lat - dlat, lon + dlon, lat + dlat)
        boxes.append(tuple(round(v, 6) for v in box))  # the numbers the URL carries
    return boxes


def layer_path(box) -> str:
    return "/api/reports/?in_bbox={:.6f},{:.6f},{:.6f},{:.6f}&status=open".format(*box)


def run_layer(boxes, warm) -> dict:
    client = http_load.Client()
    result = http_load.Result(LAYER, [])
    features = matched = 0
    counts = []
    try:
        for box in warm:
            client.get(layer_path(box))
        for box in boxes:
            t = time.perf_counter_ns()
            status, body = client.get(layer_path(box))
            result.samples_ms.append((time.perf_counter_ns() - t) / 1e6)
            if status != 200:
                result.errors += 1
                counts.append(None)
                continue
            data = json.loads(body)
            features += len(data["features"])
            matched += data["count"]
            counts.append(len(data["features"]))
    finally:
        client.close()
    result.rows = features / max(1, len(boxes))
    return {**result.summary(), "matched": matched / max(1, len(boxes)), "counts": counts}


def run_layer_sql(boxes, warm, limit) -> dict:
    """The view's two statements per viewport, through a client-side-binding cursor like
    Django's; timed together (two round trips, as the view makes)."""
    result = http_load.Result(LAYER_SQL, [])
    count_ms, rows, counts = [], 0, []
    with benchdb.connect(cursor_factory=psycopg.ClientCursor) as conn:
        def one(box):
            p = {"x1": box[0], "y1": box[1], "x2": box[2], "y2": box[3], "limit": limit}
            t = time.perf_counter_ns()
            conn.execute(COUNT_SQL, p).fetchone()
            t_count = time.perf_counter_ns()
            page = conn.execute(PAGE_SQL, p).fetchall()
            return (t_count - t) / 1e6, (time.perf_counter_ns() - t) / 1e6, len(page)

        for box in warm:
            one(box)
        for box in boxes:
            c_ms, total_ms, n = one(box)
            count_ms.append(c_ms)
            result.samples_ms.append(total_ms)
            rows += n
            counts.append(n)
        conn.rollback()
    result.rows = rows / max(1, len(boxes))
    count_ms.sort()
    return {**result.summary(), "count_p50": count_ms[len(count_ms) // 2], "counts": counts}


def flows(extent, categories, count, rng) -> list:
    """(category, lon, lat, answers) at random points of the town, categories cycling."""
    x0, y0, x1, y1 = extent
    points = _to_lonlat([(rng.uniform(x0, x1), rng.uniform(y0, y1)) for _ in range(count)])
    return [(categories[i % len(categories)], lon, lat) for i, (lon, lat) in enumerate(points)]


def details_path(category, lon, lat) -> str:
    return f"/signaler/details/?category={category['code']}&lon={lon:.7f}&lat={lat:.7f}"


def run_form(todo, warm, citizen) -> list[dict]:
    """GET then POST per report, one keep-alive connection, the citizen's session cookie."""
    browser = Browser({citizen["session_cookie"]: citizen["session"]})
    details, submit = http_load.Result(DETAILS, []), http_load.Result(SUBMIT, [])
    both = http_load.Result(FLOW, [])
    nearby = 0
    try:
        for k, flow in enumerate(warm + todo):
            measured = k >= len(warm)
            category, lon, lat = flow
            path = details_path(category, lon, lat)
            t = time.perf_counter_ns()
            status, _, page = browser.fetch("GET", path, headers={"Referer": ORIGIN + "/"})
            get_ms = (time.perf_counter_ns() - t) / 1e6
            token = CSRF_RE.search(page)
            if status != 200 or token is None:
                if measured:
                    details.errors += 1
                    submit.errors += 1
                continue
            body, ctype = multipart({
                "csrfmiddlewaretoken": token.group(1).decode(),
                "description": f"Banc d'essai {k} : {category['code']} vu ce matin, au bord de "
                               "la rue, merci de vérifier.",
                **category["answers"]})
            t = time.perf_counter_ns()
            status, headers, _ = browser.fetch("POST", path, body, {
                "Content-Type": ctype, "Origin": ORIGIN, "Referer": ORIGIN + path})
            post_ms = (time.perf_counter_ns() - t) / 1e6
            if not measured:
                continue
            details.samples_ms.append(get_ms)
            submit.samples_ms.append(post_ms)
            both.samples_ms.append(get_ms + post_ms)
            nearby += page.count(b"/suivre/")  # one "this is my problem too" form per report
            if status != 302 or "/mon-compte/demandes/" not in headers.get("location", ""):
                submit.errors += 1
                both.errors += 1
    finally:
        browser.close()
    details.rows = nearby / max(1, len(todo))
    return [details.summary(), submit.summary(), both.summary()]


def created_by_form(user_id) -> int:
    with benchdb.connect() as conn:
        return conn.execute("SELECT count(*) FROM service_requests_servicerequest "
                            "WHERE reporter_id = %s", [user_id]).fetchone()[0]


def measure(built: dict, requests: int, warmup: int, form_requests: int, workers: int,
            threads: int, log_path, seed=7, log=print) -> dict:
    rng = random.Random(seed)
    boxes, warm_boxes = (viewports(built["extent"], n, rng) for n in (requests, warmup))
    form_warm = max(10, warmup // 4)
    todo = flows(built["extent"], built["categories"], form_requests + form_warm, rng)
    out = {"viewport_m": [VIEW_W, VIEW_H], "requests": requests, "form_requests": form_requests,
           "form_warmup": form_warm, "page_size": built["page_size"]}
    with http_load.gunicorn(workers, threads, log_path):
        layer = run_layer(boxes, warm_boxes)
        log(f"  {LAYER}: p50 {layer['p50']:.2f} ms, p99 {layer['p99']:.2f} ms, "
            f"{layer['rows']:.0f} features of {layer['matched']:.0f} matched, errors "
            f"{layer['errors']}")
        sql = run_layer_sql(boxes, warm_boxes, built["page_size"])
        log(f"  {LAYER_SQL}: p50 {sql['p50']:.2f} ms (COUNT {sql['count_p50']:.2f}), "
            f"p99 {sql['p99']:.2f} ms")
        same = sum(a == b for a, b in zip(layer.pop("counts"), sql.pop("counts"),
                                           strict=True))
        out["layer"], out["layer_sql"], out["layer_same_rows"] = layer, sql, same
        if same != len(boxes):
            log(f"  WARNING: the raw SQL returned another number of rows than the API for "
                f"{len(boxes) - same} viewports")
        before = created_by_form(built["citizen"]["user_id"])
        out["form"] = run_form(todo[form_warm:], todo[:form_warm], built["citizen"])
        out["form_created"] = created_by_form(built["citizen"]["user_id"]) - before
    for r in out["form"]:
        log(f"  {r['name']}: p50 {r['p50']:.2f} ms, p90 {r['p90']:.2f} ms, p99 {r['p99']:.2f} "
            f"ms, errors {r['errors']}")
    log(f"  reports created by the form: {out['form_created']:,} "
        f"(warm-up {form_warm} included)")
    return out
