"""Alert targeting (issue 13, target: <= 2 s): the recipients of a polygon covering 25 % of the
town, counted and listed, timed in a Django child process (this file run as a script) on the
bench database:

- the polygon: the middle quarter of the territory's bounding box (half its width, half its
  height), resolved as a clerk's drawn area (`targeting.resolve_area`, clipped to the
  territory);
- `count`: `selectors.properties_reached(area).count()`, the preview's figure;
- `list`: `selectors.reached_rows(area)`, every row (matricule, first address) the CSV writes;
- `subscribers`: `selectors.subscribers_reached(alert).count()`, the people the alert would be
  sent to (their subscriptions on the reached properties), what the preview of a saved alert
  adds;
- `preview`: the preview page's reads (`selectors.reach`: count, first 200 rows; the alert is
  not saved, so without the subscribers' count, timed above);
- `sql_count`: the count's SQL alone through the same connection (reference, no ORM).

Each is run `runs` times (median, min, max); the share of the properties reached is reported.

    BENCH_DB=guichet_bench .venv/bin/python bench/alert_targeting.py 5   # standalone
"""
import statistics
import sys
import time

import benchdb


def measure(runs: int, log=print) -> dict:
    out = benchdb.run_django(__file__, "time", runs)
    for key in ("resolve", "count", "subscribers", "list", "preview", "sql_count"):
        s = out[key]
        out[key] = {"seconds": s, "min": min(s), "median": statistics.median(s), "max": max(s)}
    log(f"  alert targeting ({out['reached']:,} of {out['properties']:,} properties, "
        f"{out['share']:.0%}; {out['subscribers_reached']:,} subscribers): count median "
        f"{out['count']['median']:.2f} s (its SQL alone {out['sql_count']['median']:.2f} s), "
        f"subscribers {out['subscribers']['median']:.2f} s, list of every row median "
        f"{out['list']['median']:.2f} s, preview median {out['preview']['median']:.2f} s "
        f"(runs: {runs})")
    return out


def _polygon():
    from django.contrib.gis.geos import Polygon

    from geo.models import Territory

    xmin, ymin, xmax, ymax = Territory.objects.current().geom.extent
    w, h = xmax - xmin, ymax - ymin
    return Polygon.from_bbox((xmin + w / 4, ymin + h / 4, xmax - w / 4, ymax - h / 4))


# The count's statement as the ORM sends it (selectors.properties_reached), in plain SQL.
COUNT_SQL = """
SELECT count(*) FROM properties_property p
WHERE p.retired_roll_year IS NULL
  AND (ST_Intersects(p.parcel, %(area)s::geometry)
       OR (p.parcel IS NULL AND ST_Intersects(p.address_point, %(area)s::geometry)))
"""


def _time(runs: int) -> dict:
    from django.conf import settings
    from django.db import connection

    from alerts import selectors, targeting
    from alerts.models import Alert, Topic
    from properties.models import Property

    polygon = _polygon()
    polygon.srid = settings.GUICHET_SRID
    timings = {"resolve": [], "count": [], "subscribers": [], "list": [], "preview": [],
               "sql_count": []}
    topic = Topic.objects.first() or Topic(pk=0)
    for _ in range(runs):
        t = time.perf_counter()
        area = targeting.resolve_area(target=Alert.Target.POLYGON, drawn=polygon)
        timings["resolve"].append(time.perf_counter() - t)
        t = time.perf_counter()
        count = selectors.properties_reached(area).count()
        timings["count"].append(time.perf_counter() - t)
        t = time.perf_counter()
        rows = selectors.reached_rows(area)
        timings["list"].append(time.perf_counter() - t)
        alert = Alert(pk=None, area=area, topic_id=topic.pk)
        t = time.perf_counter()
        subscribers = selectors.subscribers_reached(alert).count()
        timings["subscribers"].append(time.perf_counter() - t)
        t = time.perf_counter()
        selectors.reach(alert)
        timings["preview"].append(time.perf_counter() - t)
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(COUNT_SQL, {"area": area.hexewkb.decode()})
            sql_count = cursor.fetchone()[0]
        timings["sql_count"].append(time.perf_counter() - t)
    if not len(rows) == count == sql_count:
        raise RuntimeError(f"{len(rows)} rows listed, {count} counted, {sql_count} by SQL")
    total = Property.objects.filter(retired_roll_year=None).count()
    return {**timings, "reached": count, "properties": total, "share": count / total,
            "subscribers_reached": subscribers}


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "time":
        benchdb.child_main(lambda argv: _time(int(argv[1])))
    else:
        import json

        print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 5), default=str))
