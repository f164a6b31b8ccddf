"""SYNTHETIC collection zones for the synthetic town, one active zone set per stream of the
Stream table (when SPECS knows it), plus a DRAFT garbage set whose boundaries moved one street
over in some block rows (a known share of the properties changes zone and day: the change
preview's workload). Also the Quebec holidays (this year and the next two) and the watering
by-law of the demo (data/pincourt/watering-bylaw-generated.json).

Zones are few (tens of rows): written through the ORM in a Django child process (this file run
as a script), each set created as a draft and activated by
`collections_schedule.planning.activate_zone_set`, i.e. through the application's own checks
(no overlap, no gap, valid geometries, every rule gives dates). Shapes: zone_shapes.py."""
import datetime as dt
import math
import time

import benchdb
import synthetic_town as town
import zone_shapes as shapes

VERTICES = 800  # per strip zone: real sector limits follow streets, curves and lanes
STAIR_ROWS = 6  # a boundary steps one block over every 6 block rows (450 m)
DRAFT_SHARE = 0.10  # the draft moves about this share of the properties...
DRAFT_BAND = 3  # ...in bands of 3 block rows
DAYS = ["MO", "TU", "WE", "TH", "FR"]
SEASONAL = ("RRULE:FREQ=WEEKLY;BYDAY=MO;BYMONTH=4,5,6,7,8,9,10,11\n"
            "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;BYMONTH=1,2,3,12")  # make_zones.py organics


def _garbage(k, monday):
    return (f"O-{k + 1:02d}", f"Ordures — secteur {k + 1}",
            f"RRULE:FREQ=WEEKLY;BYDAY={DAYS[k % 5]}", monday + dt.timedelta(days=k % 5))


def _recycling(k, monday):  # every other week, zones 6-10 on the weeks 1-5 skip
    return (f"R-{k + 1:02d}", f"Recyclage — secteur {k + 1}",
            f"RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY={DAYS[k % 5]}",
            monday + dt.timedelta(days=k % 5 + 7 * (k // 5 % 2)))


def _bulky(k, monday):  # first, second, third, fourth Friday of the month
    return (f"E-{k + 1}", f"Encombrants — secteur {k + 1}",
            f"RRULE:FREQ=MONTHLY;BYDAY={k % 4 + 1}FR", monday + dt.timedelta(days=4))


# slug -> (layout, zones, rule): "x" vertical strips, "y" horizontal strips, None the whole town.
SPECS = {
    "garbage": ("x", 10, _garbage),
    "recycling": ("y", 10, _recycling),
    "organics": (None, 1, lambda k, m: ("BRUN", "Matières organiques — toute la ville",
                                        SEASONAL, m)),
    "green-waste": (None, 1, lambda k, m: ("VERTS", "Résidus verts — printemps et automne",
                                           "RRULE:FREQ=WEEKLY;BYDAY=FR;BYMONTH=5,10,11",
                                           m + dt.timedelta(days=4))),
    "bulky": ("x", 4, _bulky),
    "christmas-trees": (None, 1, lambda k, m: ("SAPINS", "Sapins — deuxième mercredi de janvier",
                                               "RRULE:FREQ=YEARLY;BYMONTH=1;BYDAY=2WE", m)),
}


def build(n: int, log=print) -> dict:
    """Replace the bench database's zones, holidays and watering rules for the n-lot town."""
    out = benchdb.run_django(__file__, n)
    log(f"  zones built in {out['seconds']:.1f} s: {out['zones']} zones in {out['sets']} sets, "
        f"{out['vertices']['avg']:.0f} vertices per zone on average; draft moves "
        f"{out['draft']['expected']:,} properties")
    return out


def plan(lay: town.Layout, slug: str):
    """(grid, cuts per row or [], rules) of the active set of a stream, None when not in
    SPECS."""
    if slug not in SPECS:
        return None
    layout, count, rule = SPECS[slug]
    g = shapes.grid(lay, horizontal=layout == "y")
    if layout is None:
        return g, [], rule, 1
    count = min(count, shapes.max_strips(g))
    cuts = shapes.cuts_per_row(g, shapes.base_cuts(g, count), STAIR_ROWS)
    return g, cuts, rule, count


def draft_cuts(g, count):
    fraction = min(1.0, DRAFT_SHARE * g.cols / max(1, count - 1))
    shifted = shapes.shifted_rows(g.rows, fraction, DRAFT_BAND)
    return shapes.cuts_per_row(g, shapes.base_cuts(g, count), STAIR_ROWS, shifted), shifted


def expected_changes(lay: town.Layout, old: list, new: list) -> int:
    """Lots whose garbage strip differs between the two cut sets (adjacent strips never share a
    weekday, so each of them changes zone and day)."""
    changed = 0
    for b in range(math.ceil(lay.n / town.LOTS_PER_BLOCK)):
        row, col = divmod(b, lay.blocks_x)
        if shapes.strip_of(old, col, row) != shapes.strip_of(new, col, row):
            changed += min(town.LOTS_PER_BLOCK, lay.n - b * town.LOTS_PER_BLOCK)
    return changed


def _child(n: int):
    """Runs with Django set up on the bench database."""
    from django.contrib.gis.geos import MultiPolygon, Polygon
    from django.db import connection
    from django.utils import timezone

    from collections_schedule import models as m
    from collections_schedule.holidays import load_holidays
    from collections_schedule.importers.watering_bylaw import load_watering_bylaw
    from collections_schedule.planning import activate_zone_set

    started = time.perf_counter()
    lay = town.layout(n)
    today = timezone.localdate()
    effective = dt.date(today.year, 1, 1)
    monday = effective + dt.timedelta(days=-effective.weekday() % 7)
    tables = [t._meta.db_table for t in (m.CollectionException, m.Zone, m.ZoneSet, m.Holiday,
                                         m.WateringRule, m.WateringBan)]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")

    def make_set(stream, name, cuts, g, rule, seed):
        zone_set = m.ZoneSet.objects.create(stream=stream, name=name, source="bench (synthetic)")
        for k, ring in enumerate(shapes.strips(g, cuts, VERTICES, seed)):
            code, label, rrules, dtstart = rule(k, monday)
            m.Zone.objects.create(zone_set=zone_set, code=code, name=label, rrules=rrules,
                                  dtstart=dtstart, geom=MultiPolygon(Polygon(ring), srid=town.SRID))
        return zone_set

    activation, skipped, draft, per_stream = {}, [], {}, {}
    for stream in m.Stream.objects.all():
        p = plan(lay, stream.slug)
        if p is None:
            skipped.append(stream.slug)
            continue
        g, cuts, rule, count = p
        per_stream[stream.slug] = count
        zone_set = make_set(stream, f"{stream.name_fr} {effective.year}", cuts, g, rule,
                            seed=len(activation))
        t = time.perf_counter()
        activate_zone_set(zone_set=zone_set, effective_from=effective, user=None)
        activation[stream.slug] = time.perf_counter() - t
        if stream.slug == "garbage":
            new, shifted = draft_cuts(g, count)
            d = make_set(stream, "Ordures — nouveau découpage (brouillon)", new, g, rule,
                         seed=99)
            draft = {"id": d.pk, "expected": expected_changes(lay, cuts, new),
                     "rows_shifted": len(shifted), "rows": g.rows, "zones": count}
    holidays = load_holidays(m.Holiday, [today.year, today.year + 1, today.year + 2])
    rules, bans = load_watering_bylaw(benchdb.ROOT / "data/pincourt/watering-bylaw-generated.json")
    for table in tables:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {table}")
    with connection.cursor() as cursor:
        cursor.execute(f"""SELECT count(*), count(DISTINCT zone_set_id),
                avg(ST_NPoints(geom)), min(ST_NPoints(geom)), max(ST_NPoints(geom))
                FROM {tables[1]}""")
        zones, sets, vavg, vmin, vmax = cursor.fetchone()
    return {"zones": zones, "sets": sets, "per_stream": per_stream,
            "streams_without_zones": skipped,
            "vertices": {"avg": float(vavg), "min": vmin, "max": vmax},
            "activation_s": activation, "draft": draft, "holidays": holidays,
            "watering": {"rules": rules, "bans": bans}, "effective_from": effective.isoformat(),
            "seconds": time.perf_counter() - started}


if __name__ == "__main__":
    benchdb.child_main(lambda argv: _child(int(argv[0])))
