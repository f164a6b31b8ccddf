"""The schedule API (selectors.property_schedule: one lookup query, then what many properties
share from Django's cache under keys of the database's data version and the day) gives the same
JSON as the property page's uncached path, dates that an independent day-by-day expansion
predicts, and stays right when the data changes (by any write path) and at midnight."""
import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import shapely
from django.db import connection, transaction
from django.utils import timezone, translation
from rest_framework.renderers import JSONRenderer

from collections_schedule import planning, selectors
from collections_schedule.holidays import load_holidays
from collections_schedule.importers.watering_bylaw import load_watering_bylaw
from collections_schedule.models import (
    CollectionException,
    Holiday,
    Stream,
    WateringBan,
    WateringRule,
    Zone,
    ZoneSet,
)
from collections_schedule.schedule import next_collections
from collections_schedule.serializers import PropertyScheduleSerializer
from collections_schedule.watering import watering_status
from geo.geometry import to_geos
from properties.models import Property

from .factories import active_zone, territory_area
from .test_watering import BYLAW

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("America/Montreal")
D = dt.date
DAY = dt.timedelta(days=1)


def version():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {selectors.VERSION_TABLE} WHERE id = 1")
        return cursor.fetchone()[0]


def old_json(prop, now):
    """The response as the view built it before the fast path: the serializer over
    next_collections and watering_status (the property page's functions)."""
    now = timezone.localtime(now)
    data = PropertyScheduleSerializer({
        "date": now.date(), "now": now, "streams": next_collections(prop, now.date()),
        "watering": watering_status(prop, now), "ical_url": ""}).data
    del data["ical_url"]
    return JSONRenderer().render(data)


def new_json(prop, now):
    return JSONRenderer().render(selectors.property_schedule(prop.pk, now))


def halves():
    """The territory cut in two at an x that no address point is within 1 m of."""
    area = territory_area()
    xmin, ymin, xmax, ymax = area.extent
    xs = [p.address_point.x for p in Property.objects.exclude(address_point=None)]
    x = (xmin + xmax) / 2 + 0.37
    while any(abs(v - x) < 1 for v in xs):
        x += 1.13
    whole = shapely.from_wkt(area.wkt)
    west = whole.intersection(shapely.box(xmin, ymin, x, ymax))
    east = whole.intersection(shapely.box(x, ymin, xmax, ymax))
    return west, east


def multi(polygon):
    polygons = polygon.geoms if polygon.geom_type == "MultiPolygon" else [polygon]
    return to_geos(shapely.MultiPolygon(polygons))


def next_weekday(day, iso):
    while day.isoweekday() != iso:
        day += DAY
    return day


@pytest.fixture
def town():
    """Zones on two halves of the town, a garbage set taking over in 45 days, four holiday
    policies, exceptions of every kind and scope, the demo's watering by-law with bans in the
    past, now and ahead, and a drip rule limited to the east half."""
    ZoneSet.objects.all().delete()
    Holiday.objects.all().delete()
    WateringBan.objects.all().delete()
    WateringRule.objects.all().delete()
    today = timezone.localdate()
    load_holidays(Holiday, [today.year - 1, today.year, today.year + 1, today.year + 2])
    west, east = halves()
    g1 = active_zone("garbage", "RRULE:FREQ=WEEKLY;BYDAY=TU", D(2026, 1, 6), code="G1",
                     area=multi(west), policy="next_day")
    g2 = g1.zone_set.zones.create(code="G2", geom=multi(east), rrules="FREQ=WEEKLY;BYDAY=FR",
                                  dtstart=D(2026, 1, 2), starts_at="06:30")
    takeover = today + dt.timedelta(days=45)
    gn = active_zone("garbage", "RRULE:FREQ=WEEKLY;BYDAY=WE", D(2026, 1, 7), code="GN",
                     effective_from=takeover)
    r1 = active_zone("recycling", "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", D(2026, 1, 8),
                     code="R1", policy="previous_day")
    o1 = active_zone("organics", "RRULE:FREQ=WEEKLY;BYDAY=MO;BYMONTH=4,5,6,7,8,9,10,11\n"
                     "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;BYMONTH=1,2,3,12", D(2026, 1, 5),
                     code="O1", policy="cancel")
    b1 = active_zone("bulky", "RRULE:FREQ=MONTHLY;BYDAY=1FR", D(2026, 1, 2), code="B1",
                     area=multi(east), policy="keep")
    moved_from = next_weekday(today + dt.timedelta(days=10), 2)
    CollectionException.objects.create(kind="moved", zone=g1, date=moved_from,
                                       new_date=moved_from + DAY, note_fr="Devancée",
                                       note_en="Moved")
    CollectionException.objects.create(kind="cancelled", stream=r1.zone_set.stream,
                                       date=next_weekday(today + dt.timedelta(days=20), 4))
    CollectionException.objects.create(kind="extra", date=today + dt.timedelta(days=3),
                                       note_fr="Grand ménage", note_en="Spring clean-up")
    CollectionException.objects.create(kind="extra", zone=gn, date=takeover + 2 * DAY)
    load_watering_bylaw(BYLAW)
    now = timezone.localtime()
    WateringBan.objects.create(title_fr="Passée", title_en="Past", starts_at=now - 3 * DAY,
                               ends_at=now - DAY)
    WateringBan.objects.create(title_fr="Pénurie", title_en="Shortage", starts_at=now + 3 * DAY,
                               ends_at=now + 4 * DAY, methods=["sprinkler", "drip"])
    WateringBan.objects.create(title_fr="Bris d'aqueduc", title_en="Main break",
                               starts_at=now - dt.timedelta(hours=2),
                               ends_at=now + dt.timedelta(hours=30), area=multi(west))
    WateringRule.objects.filter(method="drip").update(area=multi(east), weekdays=[1, 2, 3, 4, 5])
    return {"zones": (g1, g2, gn, r1, o1, b1), "west": west, "east": east,
            "takeover": takeover, "moved": moved_from}


def sample_properties():
    """Every 12th property, and those without an address point or without an address."""
    props = list(Property.objects.order_by("pk"))
    odd = [p for p in props if p.address_point is None or not p.addresses.exists()]
    return props[::12] + odd


# --- the same JSON as the uncached path -------------------------------------------------------

@pytest.mark.parametrize("when", [
    "now", "midnight-1s", "midnight+1s", "in-2-days-noon", "in-3-days-ban", "takeover-eve",
    "takeover"])
def test_fast_path_gives_the_uncached_paths_json(town, when):
    now = timezone.localtime()
    midnight = dt.datetime.combine(now.date() + DAY, dt.time(), tzinfo=TZ)
    instants = {
        "now": now,
        "midnight-1s": midnight - dt.timedelta(seconds=1),
        "midnight+1s": midnight + dt.timedelta(seconds=1),
        "in-2-days-noon": midnight + dt.timedelta(days=1, hours=12),
        "in-3-days-ban": now + dt.timedelta(days=3, minutes=30),  # the shortage ban started
        "takeover-eve": dt.datetime.combine(town["takeover"] - DAY, dt.time(20, 30), tzinfo=TZ),
        "takeover": dt.datetime.combine(town["takeover"], dt.time(6), tzinfo=TZ),
    }
    at = instants[when]
    for prop in sample_properties():
        assert new_json(prop, at) == old_json(prop, at), (prop.pk, when)


def test_same_json_in_english_and_through_http(client, town):
    props = sample_properties()[:6]
    with translation.override("en"):
        for prop in props:
            now = timezone.localtime()
            assert new_json(prop, now) == old_json(prop, now)
    for prop in props:
        data = client.get(f"/api/properties/{prop.pk}/schedule/").json()
        expected = json.loads(old_json(prop, dt.datetime.fromisoformat(data["now"])))
        assert data.pop("ical_url").endswith(f"/collectes/propriete/{prop.pk}.ics")
        assert data == expected


def test_a_property_without_address_point_is_placed_by_its_parcel(town):
    """schedule.property_point falls back on a point inside the parcel (GEOS point_on_surface);
    the fast path asks PostGIS (ST_PointOnSurface, the same GEOS function)."""
    props = [p for p in sample_properties() if p.parcel is not None][:6]
    Property.objects.filter(pk__in=[p.pk for p in props]).update(address_point=None)
    now = timezone.localtime()
    for prop in Property.objects.filter(pk__in=[p.pk for p in props]):
        got = json.loads(new_json(prop, now))
        assert got["streams"], prop.pk
        assert new_json(prop, now) == old_json(prop, now), prop.pk


def test_a_point_on_a_zone_boundary_gives_the_uncached_answer(town):
    """PostGIS decides on both paths (ST_Covers): a property moved onto a vertex of a zone (on
    its boundary: covered) is in that zone for the API as for the property page."""
    now = timezone.localtime()
    zone = town["zones"][3]  # R1, the only recycling zone
    prop = sample_properties()[0]
    vertex = zone.geom[0].exterior_ring[0]
    Property.objects.filter(pk=prop.pk).update(address_point=f"SRID={zone.geom.srid};POINT("
                                                            f"{vertex[0]!r} {vertex[1]!r})")
    prop.refresh_from_db()
    streams = json.loads(new_json(prop, now))["streams"]
    assert zone.pk in [s["zone"]["id"] for s in streams if s["zone"]]
    assert new_json(prop, now) == old_json(prop, now)


def test_over_a_year_of_days_at_every_hour_of_a_day(town):
    """The cache keys are per day: each day of the coming year (every 9th) and every 3rd hour of
    today give the uncached answer."""
    props = sample_properties()[:5]
    start = timezone.localtime()
    for offset in range(0, 366, 9):
        at = start + dt.timedelta(days=offset)
        for prop in props:
            assert new_json(prop, at) == old_json(prop, at), (prop.pk, offset)
    day = dt.datetime.combine(start.date(), dt.time(), tzinfo=TZ)
    for hour in range(0, 24, 3):
        for prop in props[:2]:
            at = day + dt.timedelta(hours=hour, minutes=59)
            assert new_json(prop, at) == old_json(prop, at), (prop.pk, hour)


def test_the_lookup_in_the_property_statement_gives_the_same_answer(town):
    """The property page reads the lookup's answer with the property (selectors.lookup_of_row,
    a subquery of its statement): the same five values as lookup(), with and without an
    address point or an address, on both halves, with bans ended, in force and ahead."""
    props = sample_properties()
    Property.objects.filter(pk=props[1].pk).update(address_point=None)
    start = timezone.localtime()
    for at in (start, start + dt.timedelta(hours=31), start + 3 * DAY + dt.timedelta(hours=1)):
        rows = {p.pk: p.found for p in Property.objects.filter(pk__in=[p.pk for p in props])
                .annotate(found=selectors.lookup_of_row(at))}
        for prop in props:
            assert rows[prop.pk] == list(selectors.lookup(prop.pk, at)), (prop.pk, at)
    assert {len(found[4]) for found in rows.values()} != {0}  # some bans in view


# --- dates against an independent expansion ----------------------------------------------------

def rule_days(code, day, dtstart):
    """The zones' rules, written as day predicates (no dateutil)."""
    iso = day.isoweekday()
    if code == "G1":
        return iso == 2
    if code == "G2":
        return iso == 5
    if code == "GN":
        return iso == 3
    if code == "R1":
        return iso == 4 and (day - dtstart).days % 14 == 0
    if code == "O1":
        return iso == 1 and (4 <= day.month <= 11 or (day - dtstart).days % 14 == 0)
    if code == "B1":
        return iso == 5 and day.day <= 7  # the first Friday of the month
    raise AssertionError(code)


def expand(zone, lo, hi, holidays, exceptions):
    """[(date, moved from, extra)] of `zone` in [lo, hi], stepping day by day: the rule's dates
    a week around the segment, an explicit exception first, then the stream's holiday policy."""
    stream = zone.zone_set.stream
    mine = [e for e in exceptions if e.zone_id in (None, zone.pk)
            and e.stream_id in (None, stream.pk)]
    out = []
    day = lo - dt.timedelta(days=7)
    while day <= hi + dt.timedelta(days=7):
        if day >= zone.dtstart and rule_days(zone.code, day, zone.dtstart):
            cancelled = [e for e in mine if e.date == day and e.kind == "cancelled"]
            moved = [e for e in mine if e.date == day and e.kind == "moved"]
            if cancelled:
                pass
            elif moved:
                out.append((moved[-1].new_date, day, False))
            elif day in holidays and stream.holiday_policy != "keep":
                if stream.holiday_policy != "cancel":
                    step = DAY if stream.holiday_policy == "next_day" else -DAY
                    new = day + step
                    while new in holidays:
                        new += step
                    out.append((new, day, False))
            else:
                out.append((day, None, False))
        day += DAY
    out += [(e.date, None, True) for e in mine if e.kind == "extra"]
    return sorted((o for o in out if lo <= o[0] <= hi), key=lambda o: o[0])


def test_dates_match_an_independent_day_by_day_expansion(town):
    g1, g2, gn, r1, o1, b1 = town["zones"]
    holidays = set(Holiday.objects.values_list("date", flat=True))
    exceptions = list(CollectionException.objects.order_by("date", "pk"))
    takeover = town["takeover"]
    start = timezone.localtime()
    located = [p for p in sample_properties() if p.address_point is not None]
    sides = [town["west"].covers(shapely.from_wkt(p.address_point.wkt)) for p in located]
    props = ([p for p, west in zip(located, sides, strict=True) if west][:4]
             + [p for p, west in zip(located, sides, strict=True) if not west][:4])
    assert len(props) == 8
    checked = set()
    for offset in (0, 1, 6, 30, 44, 45, 46, 100, 200, 330):
        at = start + dt.timedelta(days=offset)
        today = at.date()
        end = today + dt.timedelta(days=400)
        for prop in props:
            point = shapely.from_wkt(prop.address_point.wkt)
            garbage_now = g1 if town["west"].covers(point) else g2
            plan = {
                "garbage": ([(garbage_now, today, takeover - DAY)] if today < takeover else [])
                + [(gn, max(today, takeover), end)],
                "recycling": [(r1, today, end)], "organics": [(o1, today, end)],
                "bulky": [(b1, today, end)] if town["east"].covers(point) else [],
            }
            data = selectors.property_schedule(prop.pk, at)
            got = {s["stream"]: s for s in data["streams"]}
            assert set(got) == {slug for slug, segments in plan.items() if segments}
            for slug, segments in plan.items():
                if not segments:
                    continue
                expected = [o for zone, lo, hi in segments
                            for o in expand(zone, lo, hi, holidays, exceptions)][:8]
                stream = got[slug]
                assert [(D.fromisoformat(d["date"]),
                         D.fromisoformat(d["moved_from"]) if d["moved_from"] else None,
                         d["extra"]) for d in stream["dates"]] == expected, (slug, offset)
                assert stream["zone"]["code"] == segments[0][0].code
                assert stream["is_today"] == (expected[0][0] == today)
                assert stream["is_tomorrow"] == (expected[0][0] == today + DAY)
                checked |= {(slug, o[1] is not None, o[2]) for o in expected}
    # The comparison went through moved dates (by hand or by a holiday) and extras.
    assert {("garbage", True, False), ("garbage", False, True)} <= checked


# --- staying right when the data changes --------------------------------------------------------

def test_every_write_path_bumps_the_version_and_a_rollback_restores_it():
    seen = {version()}

    def changed():
        v = version()
        assert v not in seen
        seen.add(v)

    stream = Stream.objects.get(slug="garbage")
    stream.color = "#112233"
    stream.save()  # ORM save
    changed()
    Holiday.objects.filter(date__year=1900).update(name_fr="x")  # a statement, even on no row
    changed()
    load_holidays(Holiday, [2031])  # bulk_create (no signal)
    changed()
    with connection.cursor() as cursor:  # raw SQL, as another process or psql would
        cursor.execute("UPDATE collections_schedule_zone SET code = code")
    changed()
    WateringBan.objects.all().delete()
    changed()
    before = version()
    with pytest.raises(RuntimeError), transaction.atomic():
        CollectionException.objects.create(kind="extra", date=D(2031, 5, 5))
        assert version() != before
        raise RuntimeError
    assert version() == before  # rolled back with the data; its number is never given again


def test_two_queries_per_request_once_cached(client, town, django_assert_num_queries):
    """The lookup (version, civic number, zones, rules, bans) and one read of the cache (the
    database cache by default: a query)."""
    prop = Property.objects.exclude(address_point=None).order_by("pk").first()
    client.get(f"/api/properties/{prop.pk}/schedule/")
    with django_assert_num_queries(2):
        assert client.get(f"/api/properties/{prop.pk}/schedule/").status_code == 200


def test_an_exception_written_by_sql_is_seen_by_the_next_request(client, town):
    """Another worker (or psql) writes: nothing in this process is told, the version read with
    the request is enough."""
    g1 = town["zones"][0]
    prop = next(p for p in Property.objects.exclude(address_point=None)
                if town["west"].covers(shapely.from_wkt(p.address_point.wkt)))
    url = f"/api/properties/{prop.pk}/schedule/"
    before = next(s for s in client.get(url).json()["streams"] if s["stream"] == "garbage")
    target = next(d for d in before["dates"] if not d["extra"])
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO collections_schedule_collectionexception "
                       "(kind, zone_id, date, note_fr, note_en) VALUES "
                       "('cancelled', %s, %s, '', '')", [g1.pk, target["moved_from"]
                                                         or target["date"]])
    after = next(s for s in client.get(url).json()["streams"] if s["stream"] == "garbage")
    assert target not in after["dates"]
    assert after["dates"][:7] == [d for d in before["dates"] if d != target]
    assert json.loads(new_json(prop, timezone.localtime()))["streams"] == json.loads(
        old_json(prop, timezone.localtime()))["streams"]


def test_activating_a_zone_set_today_changes_the_answer_at_once(client, town, admin_user):
    prop = Property.objects.exclude(address_point=None).order_by("pk").first()
    url = f"/api/properties/{prop.pk}/schedule/"
    before = {s["stream"]: s for s in client.get(url).json()["streams"]}
    assert before["recycling"]["zone"]["code"] == "R1"
    stream = Stream.objects.get(slug="recycling")
    draft = ZoneSet.objects.create(stream=stream, name="2027")
    Zone.objects.create(zone_set=draft, code="R9", geom=territory_area(),
                        rrules="FREQ=WEEKLY;BYDAY=SA", dtstart=D(2026, 1, 3))
    assert {s["stream"]: s for s in client.get(url).json()["streams"]} == before  # a draft
    planning.activate_zone_set(zone_set=draft, effective_from=timezone.localdate(),
                               user=admin_user, override=True, note="test")
    after = {s["stream"]: s for s in client.get(url).json()["streams"]}
    assert after["recycling"]["zone"]["code"] == "R9"
    assert all(D.fromisoformat(d["date"]).isoweekday() == 6 or d["extra"] or d["moved_from"]
               for d in after["recycling"]["dates"])


def test_a_ban_starting_later_today_and_one_entered_now(town):
    prop = next(p for p in Property.objects.exclude(address_point=None)
                if town["east"].covers(shapely.from_wkt(p.address_point.wkt)))
    noon = dt.datetime.combine(timezone.localdate() + DAY, dt.time(12), tzinfo=TZ)
    handheld = next(w for w in selectors.property_schedule(prop.pk, noon)["watering"]
                    if w["method"] == "handheld")
    assert handheld["allowed_now"] and handheld["ban"] is None
    WateringBan.objects.create(title_fr="Canicule", title_en="Heat wave",
                               starts_at=noon + dt.timedelta(hours=1),
                               ends_at=noon + dt.timedelta(hours=5))
    # Entered now: the same key of day, a new version.
    before = next(w for w in selectors.property_schedule(prop.pk, noon)["watering"]
                  if w["method"] == "handheld")
    assert before["allowed_now"]
    assert before["next_slots"][0]["end"] == (noon + dt.timedelta(hours=1)).isoformat()
    # It starts: the same memo of the day, another instant.
    during = noon + dt.timedelta(hours=2)
    handheld = next(w for w in selectors.property_schedule(prop.pk, during)["watering"]
                    if w["method"] == "handheld")
    assert not handheld["allowed_now"] and handheld["ban"] == "Canicule"
    for at in (noon, during):
        assert new_json(prop, at) == old_json(prop, at)


def test_at_midnight_the_next_day_begins(town):
    prop = next(p for p in Property.objects.exclude(address_point=None)
                if town["west"].covers(shapely.from_wkt(p.address_point.wkt)))
    CollectionException.objects.all().delete()
    data = selectors.property_schedule(prop.pk, timezone.localtime() + DAY)
    garbage = next(s for s in data["streams"] if s["stream"] == "garbage")
    day = D.fromisoformat(garbage["next_date"])
    # The evening before the next collection, then just after midnight: tomorrow, then today.
    eve = dt.datetime.combine(day - DAY, dt.time(23, 59, 59), tzinfo=TZ)
    after = dt.datetime.combine(day, dt.time(0, 0, 1), tzinfo=TZ)
    garbage = next(s for s in selectors.property_schedule(prop.pk, eve)["streams"]
                   if s["stream"] == "garbage")
    assert garbage["is_tomorrow"] and not garbage["is_today"]
    garbage = next(s for s in selectors.property_schedule(prop.pk, after)["streams"]
                   if s["stream"] == "garbage")
    assert garbage["is_today"] and garbage["next_date"] == day.isoformat()
    for at in (eve, after):
        assert new_json(prop, at) == old_json(prop, at)


def test_unknown_property_is_a_404_with_the_same_message(client):
    response = client.get("/api/properties/999999/schedule/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No Property matches the given query."}


# --- HTTP caching ---------------------------------------------------------------------------

def test_etag_and_cache_control_and_a_304_until_the_data_changes(client, town):
    prop = Property.objects.exclude(address_point=None).order_by("pk").first()
    url = f"/api/properties/{prop.pk}/schedule/"
    first = client.get(url)
    etag = first["ETag"]
    assert etag.startswith('W/"')  # weak: `now` differs within the minute it names
    assert "public" in first["Cache-Control"] and "max-age=60" in first["Cache-Control"]
    assert "Accept-Language" in first["Vary"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    if again.status_code == 200:  # the minute changed between the two requests
        etag = again["ETag"]
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and "max-age=60" in again["Cache-Control"]
    WateringBan.objects.create(title_fr="Canicule", title_en="Heat wave",
                               starts_at=timezone.now(), ends_at=timezone.now() + DAY)
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_no_etag_for_an_unknown_property(client):
    response = client.get("/api/properties/999999/schedule/", HTTP_IF_NONE_MATCH="*")
    assert response.status_code == 404
    assert not response.has_header("ETag")
