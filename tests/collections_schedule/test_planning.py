"""Zone planning for public works: the checks of a draft set (overlaps, gaps, load, the change
preview and its CSV), activation with its override, the staff pages and the admin merge action.

Zone sets are drawn in the tests over the demo territory (its bounding box cut with shapely), and
every expected number is computed independently with shapely from the demo's address points
fetched as WKT: no PostGIS predicate is involved on the expected side."""
import csv
import datetime as dt
import io

import pytest
import shapely
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.gis.db.models.functions import AsWKT
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from shapely.geometry import Polygon, box

from collections_schedule import planning
from collections_schedule.models import CollectionException, Stream, Zone, ZoneSet
from collections_schedule.services import merge_zones
from geo.models import Territory
from properties.models import Property

pytestmark = pytest.mark.django_db

SRID = settings.GUICHET_SRID
MONDAY = "RRULE:FREQ=WEEKLY;BYDAY=MO"
TUESDAY = "RRULE:FREQ=WEEKLY;BYDAY=TU"
WEDNESDAY = "RRULE:FREQ=WEEKLY;BYDAY=WE"
THURSDAY = "RRULE:FREQ=WEEKLY;BYDAY=TH"
DTSTART = dt.date(2024, 1, 2)  # a Tuesday
ISO = {MONDAY: (1,), TUESDAY: (2,), WEDNESDAY: (3,), THURSDAY: (4,)}


# --- fixtures: the independent side, and crafted zone sets ------------------------------------

@pytest.fixture(scope="module")
def points(django_db_setup, django_db_blocker):
    """{matricule: shapely Point} of the demo properties with an address point (WKT)."""
    with django_db_blocker.unblock():
        rows = (Property.objects.exclude(address_point=None)
                .annotate(wkt=AsWKT("address_point")).values_list("matricule", "wkt"))
        return {m: shapely.from_wkt(wkt) for m, wkt in rows}


@pytest.fixture(scope="module")
def frame(django_db_setup, django_db_blocker, points):
    """(xmin, ymin, xmax, ymax): the territory's bounding box grown to hold every address point,
    plus 50 m, so that a partition of it covers every property."""
    with django_db_blocker.unblock():
        territory = shapely.from_wkt(Territory.objects.current().geom.wkt)
    extent = shapely.union_all([territory.envelope, shapely.MultiPoint(list(points.values()))
                                .envelope])
    xmin, ymin, xmax, ymax = extent.bounds
    return xmin - 50, ymin - 50, xmax + 50, ymax + 50


@pytest.fixture
def stream():
    # A stream of its own: no set of the demo or of another test is in force for it.
    return Stream.objects.create(slug="test-planning", name_fr="Essai", name_en="Test")


def to_geos(polygon) -> MultiPolygon:
    geom = GEOSGeometry(polygon.wkt, srid=SRID)
    return geom if isinstance(geom, MultiPolygon) else MultiPolygon(geom, srid=SRID)


@pytest.fixture
def make_set(stream):
    """make_set({code: (shapely polygon, rrules)}, status=, effective_from=) -> ZoneSet."""

    def make(zones, *, status="draft", effective_from=None, name="Essai"):
        zone_set = ZoneSet.objects.create(stream=stream, name=name, status=status,
                                          effective_from=effective_from)
        for code, (polygon, rrules) in zones.items():
            Zone.objects.create(zone_set=zone_set, code=code, geom=to_geos(polygon),
                                rrules=rrules, dtstart=DTSTART)
        return zone_set

    return make


@pytest.fixture
def planner(django_user_model):
    """A public works employee: staff, allowed to change (hence activate) zone sets."""
    user = django_user_model.objects.create_user(username="planner", password="x-Planif-2025",
                                                 is_staff=True)
    user.user_permissions.add(Permission.objects.get(
        codename="change_zoneset", content_type__app_label="collections_schedule"))
    return user


@pytest.fixture
def citizen(django_user_model):
    return django_user_model.objects.create_user(username="citoyen", password="x-Citoyen-2025")


def split_x(frame, points, fraction=0.5):
    """An x near `fraction` of the frame's width, at least 1 m from every address point's x,
    so that no point lies on a boundary (where 'covers' would count it twice)."""
    x = frame[0] + (frame[2] - frame[0]) * fraction + 0.37
    while any(abs(p.x - x) < 1 for p in points.values()):
        x += 1.13
    return x


def split_y(frame, points, fraction=0.5):
    y = frame[1] + (frame[3] - frame[1]) * fraction + 0.41
    while any(abs(p.y - y) < 1 for p in points.values()):
        y += 1.17
    return y


def halves(frame, points, fraction=0.5):
    xmin, ymin, xmax, ymax = frame
    x = split_x(frame, points, fraction)
    return box(xmin, ymin, x, ymax), box(x, ymin, xmax, ymax)


def covered(polygon, points):
    """Matricules whose point the polygon covers (shapely, boundary included like ST_Covers)."""
    return {m for m, p in points.items() if polygon.covers(p)}


def first_code(zones, point):
    """The zone code a property gets (lowest code covering its point), computed by shapely."""
    return next((code for code in sorted(zones) if zones[code][0].covers(point)), None)


# --- the checks -----------------------------------------------------------------------------

def test_a_clean_partition_passes_and_its_load_matches_shapely(make_set, frame, points):
    xmin, ymin, xmax, ymax = frame
    x, y = split_x(frame, points), split_y(frame, points)
    quarters = {"NO": (box(xmin, y, x, ymax), MONDAY), "NE": (box(x, y, xmax, ymax), TUESDAY),
                "SO": (box(xmin, ymin, x, y), WEDNESDAY),
                "SE": (box(x, ymin, xmax, y), "RRULE:FREQ=WEEKLY;BYDAY=TH,FR")}
    result = planning.check_zone_set(make_set(quarters))

    assert result.ok and not result.problems()
    assert result.overlaps == [] and result.gap_count == 0 and result.gaps == []
    assert result.bad_rules == [] and result.invalid_geometries == []
    expected = {code: len(covered(poly, points)) for code, (poly, _r) in quarters.items()}
    assert {z.code: z.properties for z in result.load_per_zone} == expected
    assert sum(expected.values()) == len(points)  # a partition: every point counted once
    assert {z.code: z.weekdays for z in result.load_per_zone} == {
        "NO": (1,), "NE": (2,), "SO": (3,), "SE": (4, 5)}
    # Per weekday: the properties of the zones collected that day (SE on Thursday and Friday).
    assert {d.weekday: d.properties for d in result.load_per_day} == {
        1: expected["NO"], 2: expected["NE"], 3: expected["SO"], 4: expected["SE"],
        5: expected["SE"]}


def test_overlap_is_reported_with_shapelys_area_and_slivers_are_ignored(make_set, frame,
                                                                         points):
    xmin, ymin, xmax, ymax = frame
    x = split_x(frame, points)
    # West zone with a slanted east edge; the east zone starts 60 m west of the split line.
    west = Polygon([(xmin, ymin), (x + 50, ymin), (x - 30, ymax), (xmin, ymax)])
    east = box(x - 60, ymin, xmax, ymax)
    # A 0.5 m x 1.5 m square inside the east zone: a 0.75 m² sliver, under the 1 m² threshold.
    sliver = box(xmax - 100, ymin + 100, xmax - 99.5, ymin + 101.5)
    result = planning.check_zone_set(make_set(
        {"A": (west, TUESDAY), "B": (east, WEDNESDAY), "C": (sliver, TUESDAY)}))

    assert not result.ok
    assert [(o.zone_a, o.zone_b) for o in result.overlaps] == [("A", "B")]
    # The expected area is shapely's own intersection of the same two polygons.
    assert result.overlaps[0].area_m2 == pytest.approx(west.intersection(east).area, rel=1e-9)
    assert east.intersection(sliver).area == pytest.approx(0.75)  # present, but ignored
    assert result.gap_count == 0


def test_a_hole_in_the_partition_is_counted_property_by_property(make_set, frame, points):
    west, east = halves(frame, points)
    # A 700 m x 500 m hole around the middle of the demo's address points.
    centre = shapely.MultiPoint(list(points.values())).centroid
    hole = box(centre.x - 350.3, centre.y - 250.3, centre.x + 350.3, centre.y + 250.3)
    zones = {"O": (west.difference(hole), TUESDAY), "E": (east.difference(hole), WEDNESDAY)}
    result = planning.check_zone_set(make_set(zones))

    in_hole = {m for m, p in points.items() if hole.contains(p)}  # computed by shapely
    assert len(in_hole) > 10, "the hole must hold some demo properties"
    assert not result.ok
    assert result.gap_count == len(in_hole)
    assert [g.matricule for g in result.gaps] == sorted(in_hole)[:planning.GAP_SAMPLE]
    assert all(g.address for g in result.gaps)  # every demo property has a civic address
    assert {z.code: z.properties for z in result.load_per_zone} == {
        code: len(covered(poly, points)) for code, (poly, _r) in zones.items()}
    assert result.overlaps == []


def test_a_zone_without_any_date_fails_the_checks(make_set, frame, points):
    west, east = halves(frame, points)
    old_rule = "RRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=20240301T000000"  # ended: no date next year
    result = planning.check_zone_set(make_set({"O": (west, TUESDAY), "E": (east, old_rule)}))
    assert result.bad_rules == ["E"] and not result.ok


# --- change preview -------------------------------------------------------------------------

@pytest.fixture
def active_and_draft(make_set, frame, points):
    """An active set in force since last month (two halves, Tuesday west, Wednesday east) and a
    draft whose boundary moved 15% of the width east, same codes and days."""
    old_w, old_e = halves(frame, points, 0.5)
    new_w, new_e = halves(frame, points, 0.65)
    old = {"O": (old_w, TUESDAY), "E": (old_e, WEDNESDAY)}
    new = {"O": (new_w, TUESDAY), "E": (new_e, WEDNESDAY)}
    active = make_set(old, status="active", name="Actuel",
                      effective_from=timezone.localdate() - dt.timedelta(days=30))
    draft = make_set(new, name="Projet")
    expected = {}
    for m, p in points.items():  # computed by shapely
        before, after = first_code(old, p), first_code(new, p)
        if before != after:
            expected[m] = (before, ISO[old[before][1]], after, ISO[new[after][1]])
    return active, draft, expected


def test_preview_lists_exactly_the_properties_that_changed_side(active_and_draft):
    active, draft, expected = active_and_draft
    assert len(expected) > 10, "the boundary shift must move some demo properties"
    assert all(v[0] == "E" and v[2] == "O" for v in expected.values())  # the boundary moved east

    rows = list(planning.iter_changes(draft))
    assert {r.matricule: (r.old_zone, r.old_days, r.new_zone, r.new_days) for r in rows} == expected
    assert [r.matricule for r in rows] == sorted(expected)
    assert all(r.address for r in rows)

    preview = planning.check_zone_set(draft).preview
    assert preview.baseline == active
    assert preview.count == len(expected)
    assert preview.rows == rows[:planning.PREVIEW_ROWS]
    # The set in force compared with itself (its own checks page): nothing changes.
    assert planning.change_preview(active).count == 0


def test_preview_lists_a_change_of_day_without_a_change_of_zone(make_set, frame, points):
    west, east = halves(frame, points)
    make_set({"O": (west, TUESDAY), "E": (east, WEDNESDAY)}, status="active",
             effective_from=dt.date(2024, 1, 1))
    draft = make_set({"O": (west, TUESDAY), "E": (east, THURSDAY)})
    preview = planning.change_preview(draft, limit=10_000)
    assert preview.count == len(covered(east, points))
    assert {(r.old_zone, r.old_days, r.new_zone, r.new_days) for r in preview.rows} == {
        ("E", (3,), "E", (4,))}


def test_preview_without_a_set_in_force_lists_every_property_as_new(make_set, frame, points,
                                                                     client, planner):
    west, east = halves(frame, points)
    draft = make_set({"O": (west, TUESDAY), "E": (east, WEDNESDAY)})
    preview = planning.change_preview(draft)
    assert preview.baseline is None and preview.count == len(points)
    assert len(preview.rows) == planning.PREVIEW_ROWS < len(points)  # the page shows the first
    assert all(r.old_zone is None and r.new_zone in ("O", "E") for r in preview.rows)
    client.force_login(planner)
    page = client.get(reverse("collections_staff:zone_set", args=[draft.pk]))
    assert page.status_code == 200 and page.context["result"].preview.count == len(points)


def test_csv_download_has_the_same_rows(client, planner, active_and_draft):
    _active, draft, expected = active_and_draft
    client.force_login(planner)
    response = client.get(reverse("collections_staff:zone_set", args=[draft.pk]),
                          {"format": "csv"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, for Excel
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    header, rows = table[0], table[1:]
    assert len(header) == 6
    assert [r[0] for r in rows] == sorted(expected)
    assert {r[0]: (r[2], r[4]) for r in rows} == {m: (v[0], v[2]) for m, v in expected.items()}
    with translation.override("fr"):  # the request's language (French by default)
        assert rows == [[c.matricule, c.address, c.old_zone or "", c.old_days_label,
                         c.new_zone or "", c.new_days_label]
                        for c in planning.iter_changes(draft)]


# --- activation -----------------------------------------------------------------------------

@pytest.fixture
def holed_set(make_set, frame, points):
    west, east = halves(frame, points)
    centre = shapely.MultiPoint(list(points.values())).centroid
    hole = box(centre.x - 300.3, centre.y - 300.3, centre.x + 300.3, centre.y + 300.3)
    return make_set({"O": (west.difference(hole), TUESDAY),
                     "E": (east.difference(hole), WEDNESDAY)}, name="Trouée")


def test_activation_is_refused_when_checks_fail_and_allowed_with_override_and_note(
        holed_set, make_set, frame, points, planner):
    west, east = halves(frame, points)
    old = make_set({"O": (west, TUESDAY), "E": (east, WEDNESDAY)}, status="active",
                   effective_from=dt.date(2024, 1, 1), name="Ancien")
    today = timezone.localdate()

    with pytest.raises(ValidationError) as refused:
        planning.activate_zone_set(zone_set=holed_set, effective_from=today, user=planner)
    assert refused.value.code == "checks_failed"
    with pytest.raises(ValidationError) as no_note:
        planning.activate_zone_set(zone_set=holed_set, effective_from=today, user=planner,
                                   override=True, note="   ")
    assert no_note.value.code == "note_required"
    holed_set.refresh_from_db()
    assert holed_set.status == "draft" and holed_set.activated_at is None

    planning.activate_zone_set(zone_set=holed_set, effective_from=today, user=planner,
                               override=True, note="Parc régional : aucune collecte.")
    holed_set.refresh_from_db()
    assert holed_set.status == "active" and holed_set.effective_from == today
    assert holed_set.activated_by == planner and holed_set.activated_at is not None
    assert holed_set.override_note == "Parc régional : aucune collecte."
    # History: the previous set stays active and is still the one in force before today.
    old.refresh_from_db()
    assert old.status == "active"
    in_force = ZoneSet.objects.in_force(today).filter(stream=old.stream)
    assert list(in_force) == [holed_set]
    assert list(ZoneSet.objects.in_force(today - dt.timedelta(days=1))
                .filter(stream=old.stream)) == [old]

    with pytest.raises(ValidationError) as again:
        planning.activate_zone_set(zone_set=holed_set, effective_from=today, user=planner)
    assert again.value.code == "already_active"


def test_a_clean_set_activates_without_override_and_an_empty_one_never(make_set, frame, points,
                                                                      planner):
    west, east = halves(frame, points)
    clean = make_set({"O": (west, TUESDAY), "E": (east, WEDNESDAY)})
    start = timezone.localdate() + dt.timedelta(days=60)
    activated = planning.activate_zone_set(zone_set=clean, effective_from=start, user=planner,
                                           note="ignored: nothing was overridden")
    assert activated.status == "active" and activated.override_note == ""
    empty = make_set({})
    with pytest.raises(ValidationError) as refused:
        planning.activate_zone_set(zone_set=empty, effective_from=start, user=planner,
                                   override=True, note="vide")
    assert refused.value.code == "empty"
    assert ZoneSet.objects.get(pk=empty.pk).status == "draft"


# --- staff pages ----------------------------------------------------------------------------

def staff_urls(zone_set):
    return [reverse("collections_staff:zone_sets"),
            reverse("collections_staff:zone_set", args=[zone_set.pk]),
            reverse("collections_staff:zone_set", args=[zone_set.pk]) + "?format=csv",
            reverse("collections_staff:activate", args=[zone_set.pk])]


def test_staff_pages_are_for_staff_only(client, holed_set, planner, citizen):
    for url in staff_urls(holed_set):
        anonymous = client.get(url)
        assert anonymous.status_code == 302, url
        assert anonymous["Location"].startswith(reverse("account_login")), url  # the one sign-in
    client.force_login(citizen)
    for url in staff_urls(holed_set):
        assert client.get(url).status_code == 403, url
    forbidden = client.post(staff_urls(holed_set)[-1], {"override": "on", "note": "x",
                                                        "effective_from": "2030-01-01"})
    assert forbidden.status_code == 403
    client.force_login(planner)
    for url in staff_urls(holed_set):
        assert client.get(url).status_code == 200, url


def test_activation_needs_the_change_permission(client, holed_set, django_user_model):
    viewer = django_user_model.objects.create_user(username="lecteur", is_staff=True)
    client.force_login(viewer)
    assert client.get(staff_urls(holed_set)[1]).status_code == 200
    assert client.get(staff_urls(holed_set)[-1]).status_code == 403


def test_checks_page_shows_the_tables(client, planner, active_and_draft):
    _active, draft, expected = active_and_draft
    client.force_login(planner)
    response = client.get(reverse("collections_staff:zone_set", args=[draft.pk]))
    html = response.content.decode()
    assert response.context["result"].preview.count == len(expected)
    assert html.count("<caption>") >= 3 and 'scope="col"' in html
    assert 'href="?format=csv"' in html
    for matricule in sorted(expected)[:5]:
        assert matricule in html
    listing = client.get(reverse("collections_staff:zone_sets")).content.decode()
    assert "Projet" in listing and "Actuel" in listing


def test_activation_form_shows_the_refusal_then_activates_with_a_note(client, planner,
                                                                      holed_set):
    client.force_login(planner)
    url = reverse("collections_staff:activate", args=[holed_set.pk])
    refused = client.post(url, {"effective_from": "2030-01-01"})
    assert refused.status_code == 200
    form = refused.context["form"]
    assert form.non_field_errors() and 'role="alert"' in refused.content.decode()
    assert ZoneSet.objects.get(pk=holed_set.pk).status == "draft"
    no_note = client.post(url, {"effective_from": "2030-01-01", "override": "on"})
    assert no_note.status_code == 200 and no_note.context["form"].non_field_errors()
    bad_date = client.post(url, {"effective_from": "demain"})
    assert bad_date.status_code == 200 and bad_date.context["form"].errors["effective_from"]

    done = client.post(url, {"effective_from": "2030-01-01", "override": "on",
                             "note": "Terrain vacant, sans adresse desservie."})
    assert done.status_code == 302
    assert done["Location"] == reverse("collections_staff:zone_set", args=[holed_set.pk])
    holed_set.refresh_from_db()
    assert holed_set.status == "active" and holed_set.effective_from == dt.date(2030, 1, 1)
    assert holed_set.activated_by == planner and holed_set.override_note


# --- admin: merge ---------------------------------------------------------------------------

@pytest.fixture
def three_zones(make_set, frame, points):
    xmin, ymin, xmax, ymax = frame
    a, c = split_x(frame, points, 1 / 3), split_x(frame, points, 2 / 3)
    zones = {"A": (box(xmin, ymin, a, ymax), TUESDAY), "B": (box(a, ymin, c, ymax), WEDNESDAY),
             "C": (box(c, ymin, xmax, ymax), THURSDAY)}
    return make_set(zones), zones


def test_merge_zones_unions_into_the_first_and_keeps_exceptions(three_zones, points):
    zone_set, zones = three_zones
    b = zone_set.zones.get(code="B")
    moved = CollectionException.objects.create(kind="cancelled", zone=b, date=dt.date(2030, 1, 1))
    merged = merge_zones(zones=zone_set.zones.filter(code__in=["B", "A"]))

    assert merged.code == "A"
    assert sorted(zone_set.zones.values_list("code", flat=True)) == ["A", "C"]
    union = shapely.union(zones["A"][0], zones["B"][0])  # computed by shapely
    stored = Zone.objects.annotate(wkt=AsWKT("geom")).get(pk=merged.pk)
    assert shapely.from_wkt(stored.wkt).area == pytest.approx(union.area, rel=1e-9)
    moved.refresh_from_db()
    assert moved.zone_id == merged.pk
    result = planning.check_zone_set(zone_set)
    assert result.ok
    assert {z.code: z.properties for z in result.load_per_zone} == {
        "A": len(covered(union, points)), "C": len(covered(zones["C"][0], points))}


def test_merge_refuses_mixed_sets_active_sets_and_a_single_zone(three_zones, make_set, frame,
                                                                 points):
    zone_set, _zones = three_zones
    west, east = halves(frame, points)
    other = make_set({"O": (west, TUESDAY), "E": (east, WEDNESDAY)}, name="Autre")
    mixed = [zone_set.zones.get(code="A"), other.zones.get(code="O")]
    with pytest.raises(ValidationError) as error:
        merge_zones(zones=mixed)
    assert error.value.code == "different_sets"
    with pytest.raises(ValidationError) as error:
        merge_zones(zones=zone_set.zones.filter(code="A"))
    assert error.value.code == "too_few"
    ZoneSet.objects.filter(pk=other.pk).update(status="active", effective_from=dt.date(2024, 1, 1))
    with pytest.raises(ValidationError) as error:
        merge_zones(zones=other.zones.all())
    assert error.value.code == "not_draft"
    assert zone_set.zones.count() == 3 and other.zones.count() == 2


def test_admin_merge_action(admin_client, three_zones):
    zone_set, _zones = three_zones
    ids = list(zone_set.zones.filter(code__in=["A", "B"]).values_list("pk", flat=True))
    url = reverse("admin:collections_schedule_zone_changelist")
    response = admin_client.post(url, {"action": "merge_selected_zones",
                                       "_selected_action": ids})
    assert response.status_code == 302
    assert sorted(zone_set.zones.values_list("code", flat=True)) == ["A", "C"]


def test_admin_pages(admin_client, three_zones):
    zone_set, _zones = three_zones
    zone = zone_set.zones.first()
    assert admin_client.get(reverse("admin:collections_schedule_zone_change",
                                    args=[zone.pk])).status_code == 200
    changelist = admin_client.get(reverse("admin:collections_schedule_zoneset_changelist"))
    assert reverse("collections_staff:zone_set", args=[zone_set.pk]) in changelist.content.decode()
    assert admin_client.get(reverse("admin:collections_schedule_zone_changelist"),
                            {"zone_set__id__exact": zone_set.pk}).status_code == 200
    for name in ["stream", "zoneset", "collectionexception", "holiday", "wateringrule",
                 "wateringban"]:
        assert admin_client.get(reverse(f"admin:collections_schedule_{name}_add")
                                ).status_code == 200, name
