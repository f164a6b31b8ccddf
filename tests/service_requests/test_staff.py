"""The clerks' side of requests: one queue for every channel (filters, overdue, an area drawn on
the map or a distance around an address), a request's page (status with public or internal
note, merge, assignment, expected date, photo review) and the intake of phone and counter
requests; what the citizen and the public see of it afterwards. Spatial filters are checked
against shapely and pyproj on the same points, not against the site's own SQL."""
import datetime as dt
import html
import json
from pathlib import Path

import pytest
import shapely
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from pyproj import Geod, Transformer

from citizens.models import PropertyLink
from core.models import AccessLog
from service_requests import services
from service_requests.importers.categories import load_categories
from service_requests.models import Category, Event, Follower, ServiceRequest

pytestmark = pytest.mark.django_db
CATEGORIES = Path(__file__).parents[2] / "data" / "pincourt" / "request-categories.json"
TO_WGS84 = Transformer.from_crs(settings.GUICHET_SRID, 4326, always_xy=True)
GEOD = Geod(ellps="GRS80")
QUEUE = reverse("requests_staff:queue")


@pytest.fixture
def categories():
    if not Category.objects.filter(code="nid-de-poule").exists():
        load_categories(CATEGORIES)
    return {c.code: c for c in Category.objects.all()}


@pytest.fixture
def pothole(categories):
    return categories["nid-de-poule"]


@pytest.fixture
def graffiti(categories):
    """Another category in another department: noise (sécurité publique)."""
    return categories["bruit"]


def answers_for(category) -> dict:
    """A valid answer to each required question, from the category's data."""
    sample = {"single": lambda q: q.choices[0]["key"], "multiple": lambda q: [q.choices[0]["key"]],
              "date": lambda q: timezone.localdate().isoformat(), "number": lambda q: "1",
              "text": lambda q: "oui"}
    return {q.code: sample[q.kind](q) for q in category.questions.filter(required=True)}


@pytest.fixture
def homes():
    """Demo properties spread over the town whose first address names them alone (the demo
    has a few shared civic addresses and ranges such as "100-92", not what these tests are
    about) and whose address point lies in their own parcel."""
    from properties.models import Property
    from properties.selectors import find_properties

    picked = []
    for prop in (Property.objects.exclude(address_point=None).exclude(addresses=None)
                 .order_by("pk")[:600:20]):
        hits = find_properties(prop.addresses.order_by("pk").first().label, limit=2)
        if [h["property_id"] for h in hits] == [prop.pk] and \
                Property.objects.at_point(prop.address_point) == prop:
            picked.append(prop)
    assert len(picked) >= 15
    return picked


@pytest.fixture
def clerk(django_user_model):
    return django_user_model.objects.create_user(
        username="commis", email="commis@pincourt.example", password="x-Commis-2026!",
        is_staff=True, first_name="Carole", last_name="Commis")


def report(category, prop, user, **extra):
    return services.submit_request(category=category, point=prop.address_point,
                                   description="Problème", answers=answers_for(category),
                                   user=user, **extra)


def queue_ids(client, **params) -> set[int]:
    response = client.get(QUEUE, params)
    assert response.status_code == 200
    return {int(n) for n in response.content.decode().split('data-request="')[1:]
            for n in [n.split('"')[0]]}


def fr(message):
    with translation.override("fr"):
        return gettext(message)


def lonlat(point):
    return TO_WGS84.transform(point.x, point.y)


# Who may see the clerks' pages

def test_the_clerks_pages_refuse_a_citizen_and_send_a_visitor_to_sign_in(
        client, make_citizen, pothole, homes):
    alice = make_citizen("alice@example.org")
    mine = report(pothole, homes[0], alice)
    urls = [QUEUE, reverse("requests_staff:intake"),
            reverse("requests_staff:detail", args=[mine.pk])]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response.url
    client.force_login(alice)  # even for her own request: the staff page shows internal notes
    for url in urls:
        assert client.get(url).status_code == 403
    assert client.post(reverse("requests_staff:detail", args=[mine.pk]),
                       {"action": "status", "status-status": "resolved"}).status_code == 403
    assert ServiceRequest.objects.get(pk=mine.pk).status == "submitted"


# The queue

def test_the_queue_holds_every_channel_and_filters_by_status_category_and_department(
        client, clerk, make_citizen, pothole, graffiti, homes):
    alice = make_citizen("alice@example.org")
    web = report(pothole, homes[0], alice)
    phone = report(graffiti, homes[1], alice, channel="phone", clerk=clerk)
    fixed = report(pothole, homes[2], alice, channel="counter", clerk=clerk)
    services.change_status(request=fixed, status="resolved", by=clerk)
    waiting = report(pothole, homes[3], None, contact_email="visiteur@example.org")
    client.force_login(clerk)
    assert queue_ids(client) == {web.pk, phone.pk}  # open by default; unconfirmed not yet
    assert queue_ids(client, status="resolved") == {fixed.pk}
    assert queue_ids(client, status=["open", "resolved"]) == {web.pk, phone.pk, fixed.pk}
    assert queue_ids(client, category=graffiti.code) == {phone.pk}
    assert queue_ids(client, department=pothole.department.code) == {web.pk}
    assert queue_ids(client, channel="phone") == {phone.pk}
    assert queue_ids(client, q=f"#{fixed.pk}", status=["open", "resolved"]) == {fixed.pk}
    services.confirm_email(token=waiting.confirm_token)
    assert waiting.pk in queue_ids(client)


def test_overdue_requests_are_marked_and_filtered(client, clerk, make_citizen, pothole,
                                                  homes):
    alice = make_citizen("alice@example.org")
    late, recent, closed_late = (report(pothole, homes[i], alice) for i in range(3))
    services.change_status(request=closed_late, status="resolved", by=clerk)
    # Backdated past the category's target delay (from the category data, not from the code).
    old = timezone.now() - dt.timedelta(days=pothole.target_days + 1)
    ServiceRequest.objects.filter(pk__in=[late.pk, closed_late.pk]).update(submitted_at=old)
    client.force_login(clerk)
    assert queue_ids(client, overdue="on", status=["open", "resolved"]) == {late.pk}
    page = client.get(QUEUE).content.decode()
    row = page.split(f'data-request="{late.pk}"')[0].rsplit("<tr", 1)[1]
    assert 'class="late"' in row
    assert 'class="late"' not in page.split(f'data-request="{recent.pk}"')[0].rsplit("<tr", 1)[1]
    detail = client.get(reverse("requests_staff:detail", args=[late.pk])).content.decode()
    assert 'data-testid="overdue"' in detail


def test_an_area_drawn_on_the_map_keeps_the_requests_inside_it(client, clerk, make_citizen,
                                                               pothole, homes):
    alice = make_citizen("alice@example.org")
    made = [report(pothole, h, alice) for h in homes[:12]]
    points = {r.pk: lonlat(r.location) for r in made}
    # A triangle over some of the points, drawn in WGS 84 as Leaflet.draw would send it.
    xs, ys = sorted(p[0] for p in points.values()), sorted(p[1] for p in points.values())
    ring = [(xs[0] - 1e-4, ys[0] - 1e-4), (xs[-1] + 1e-4, ys[0] - 1e-4),
            (xs[0] - 1e-4, ys[-1] + 1e-4), (xs[0] - 1e-4, ys[0] - 1e-4)]
    triangle = shapely.Polygon(ring)
    expected = {pk for pk, p in points.items() if triangle.covers(shapely.Point(p))}
    assert 0 < len(expected) < len(made)  # the area separates the points: the test can fail
    client.force_login(clerk)
    area = json.dumps({"type": "Polygon", "coordinates": [ring]})
    assert queue_ids(client, area=area) == expected


def test_a_broken_area_says_so_instead_of_showing_everything(client, clerk, make_citizen,
                                                             pothole, homes):
    report(pothole, homes[0], make_citizen("alice@example.org"))
    client.force_login(clerk)
    response = client.get(QUEUE, {"area": "{not geojson"})
    assert response.status_code == 200
    assert fr("The area drawn on the map could not be read: draw it again.") in \
        html.unescape(response.content.decode())
    assert 'data-request="' not in response.content.decode()


def test_near_an_address_is_the_area_filter_without_the_map(client, clerk, make_citizen,
                                                            pothole, homes):
    alice = make_citizen("alice@example.org")
    made = [report(pothole, h, alice) for h in homes[:12]]
    caller = homes[0]
    label = caller.addresses.order_by("pk").first().label
    origin = lonlat(caller.address_point)

    def metres(r):
        lon, lat = lonlat(r.location)
        return GEOD.inv(origin[0], origin[1], lon, lat)[2]

    # MTM 8 distances and ellipsoidal ones differ by well under 1 m here: keep a margin.
    for radius in (100, 250):
        expected = {r.pk for r in made if metres(r) <= radius - 1}
        doubtful = {r.pk for r in made if abs(metres(r) - radius) < 1}
        client.force_login(clerk)
        found = queue_ids(client, near=label, radius=radius)
        assert expected <= found <= expected | doubtful
    assert queue_ids(client, near="99999 rue Inexistante") == set()


# A request's page

def test_a_public_status_change_reaches_the_citizen_and_an_internal_note_does_not(
        client, clerk, make_citizen, smtp_sink, pothole, homes,
        django_capture_on_commit_callbacks):
    alice = make_citizen("alice@example.org")
    mine = report(pothole, homes[0], alice, contact_phone="514-555-0101")
    url = reverse("requests_staff:detail", args=[mine.pk])
    client.force_login(clerk)
    page = client.get(url).content.decode()
    assert "alice@example.org" in page and "514-555-0101" in page  # the clerk sees who
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail task runs on commit
        response = client.post(url, {"action": "note", "note-note": "Voir avec le contremaître"})
        assert response.status_code == 302
        response = client.post(url, {"action": "status", "status-status": "planned",
                                     "status-note": "Réparation prévue lundi",
                                     "status-public": "on"})
    assert response.status_code == 302
    assert ServiceRequest.objects.get(pk=mine.pk).status == "planned"
    [message] = smtp_sink.to("alice@example.org")
    assert "Réparation prévue lundi" in smtp_sink.text(message)
    assert "contremaître" not in smtp_sink.text(message)
    client.force_login(alice)
    own = client.get(reverse("service_requests:mine_detail", args=[mine.public_id]))
    text = own.content.decode()
    assert "Réparation prévue lundi" in text and "contremaître" not in text
    public = client.get(reverse("service_requests:public_detail", args=[mine.pk])).content
    assert b"contrema" not in public and b"alice@example.org" not in public
    # Each view of the citizen's request by the clerk is in her access log.
    assert AccessLog.objects.filter(subject=alice, actor=clerk,
                                    record=f"request:{mine.pk}").exists()


def test_honest_closing_states_need_their_reason_and_save_nothing_without_it(
        client, clerk, make_citizen, pothole, homes):
    mine = report(pothole, homes[0], make_citizen("alice@example.org"))
    url = reverse("requests_staff:detail", args=[mine.pk])
    client.force_login(clerk)
    refused = client.post(url, {"action": "status", "status-status": "not_city"})
    assert refused.status_code == 400
    assert fr("Say which body is responsible.") in html.unescape(refused.content.decode())
    refused = client.post(url, {"action": "status", "status-status": "closed"})
    assert refused.status_code == 400
    refused = client.post(url, {"action": "status", "status-status": "duplicate",
                                "status-duplicate_of": 999999})
    assert refused.status_code == 400
    mine.refresh_from_db()
    assert mine.status == "submitted" and mine.events.count() == 1
    client.post(url, {"action": "status", "status-status": "not_city", "status-public": "on",
                      "status-responsible_body": "Hydro-Québec"})
    mine.refresh_from_db()
    assert mine.status == "not_city" and mine.responsible_body == "Hydro-Québec"
    assert mine.closed_at is not None
    public = client.get(reverse("service_requests:public_detail", args=[mine.pk]))
    assert "Hydro-Québec" in public.content.decode()


def test_merging_a_duplicate_makes_its_reporter_follow_the_original(
        client, clerk, make_citizen, pothole, homes):
    alice, bob = make_citizen("alice@example.org"), make_citizen("bob@example.org")
    original = report(pothole, homes[0], alice)
    copy = report(pothole, homes[0], bob)
    client.force_login(clerk)
    page = client.get(reverse("requests_staff:detail", args=[copy.pk])).content.decode()
    assert f"#{original.pk}" in page.split('data-testid="candidates"')[1]  # offered within 50 m
    client.post(reverse("requests_staff:detail", args=[copy.pk]), {
        "action": "status", "status-status": "duplicate", "status-public": "on",
        "status-duplicate_of": original.pk})
    copy.refresh_from_db()
    assert copy.status == "duplicate" and copy.duplicate_of_id == original.pk
    assert Follower.objects.filter(request=original, user=bob).exists()
    client.force_login(bob)
    mine = client.get(reverse("service_requests:mine")).content.decode()
    assert f"#{original.pk}" in mine and f"#{copy.pk}" in mine


def test_assignment_and_expected_date(client, clerk, make_citizen, pothole, homes):
    alice = make_citizen("alice@example.org")
    mine = report(pothole, homes[0], alice)
    url = reverse("requests_staff:detail", args=[mine.pk])
    client.force_login(clerk)
    client.post(url, {"action": "assign", "assign-assigned_to": clerk.pk})
    on = timezone.localdate() + dt.timedelta(days=9)
    client.post(url, {"action": "expected", "expected-expected_on": on.isoformat()})
    mine.refresh_from_db()
    assert mine.assigned_to == clerk and mine.expected_on == on
    assert queue_ids(client, assigned="me") == {mine.pk}
    assert queue_ids(client, assigned="none") == set()
    assert not mine.events.get(kind=Event.Kind.ASSIGNED).public
    client.force_login(alice)
    own = client.get(reverse("service_requests:mine_detail", args=[mine.public_id]))
    assert on.strftime("%Y") in own.content.decode()
    assert "Commis" not in own.content.decode()  # who works on it stays internal


# Intake of phone and counter requests

def test_a_phone_request_logged_for_a_citizen_appears_in_her_requests(
        client, clerk, make_citizen, graffiti, homes):
    alice = make_citizen("alice@example.org")
    alice.first_name, alice.last_name = "Alice", "Gagné"
    alice.save()
    home = homes[4]
    PropertyLink.objects.create(user=alice, property=home, role="owner", status="verified")
    label = home.addresses.order_by("pk").first().label
    neighbour = report(graffiti, home, make_citizen("voisin@example.org"))  # already reported
    client.force_login(clerk)
    intake = reverse("requests_staff:intake")
    for who in ("gagne", "ALICE@example", label):  # name without accent, e-mail, address
        found = client.get(intake, {"who": who}).content.decode()
        assert f"?citizen={alice.pk}" in found, who
    form = client.get(intake, {"citizen": alice.pk, "category": graffiti.code})
    assert label in form.content.decode()  # her address is offered as the place
    nearby = form.content.decode().split('data-testid="intake-nearby"')[1].split("</section>")[0]
    assert f"#{neighbour.pk}" in nearby  # what is already reported there
    response = client.post(f"{intake}?citizen={alice.pk}&category={graffiti.code}", {
        "channel": "phone", "address": label, "description": "Musique forte chaque nuit",
        "contact_phone": "514-555-0142",
        **{f"q_{code}": value for code, value in answers_for(graffiti).items()}})
    created = ServiceRequest.objects.get(reporter=alice)
    assert "voisin@example.org" not in form.content.decode()
    assert response.status_code == 302
    assert response.url == reverse("requests_staff:detail", args=[created.pk])
    assert created.channel == "phone" and created.confirmed and created.property_id == home.pk
    assert created.events.get().actor == clerk
    client.force_login(alice)
    mine = client.get(reverse("service_requests:mine")).content.decode()
    row = mine.split(f"#{created.pk}</a>")[1].split("</tr>")[0]
    assert fr("phone") in row  # the channel it came by
    # The history says how it came, in the reader's language (not frozen in the clerk's).
    detail = reverse("service_requests:mine_detail", args=[created.public_id])
    french = html.unescape(client.get(detail).content.decode())
    assert fr("Logged by a clerk (%(channel)s).") % {"channel": fr("phone")} in french
    english = html.unescape(client.get("/en" + detail).content.decode())
    assert "Logged by a clerk (phone)." in english


def test_a_caller_without_an_account_needs_a_way_to_be_reached(client, clerk, graffiti,
                                                               homes):
    client.force_login(clerk)
    url = f"{reverse('requests_staff:intake')}?citizen=none&category={graffiti.code}"
    label = homes[0].addresses.order_by("pk").first().label
    data = {"channel": "counter", "address": label, "description": "Bruit",
            **{f"q_{code}": value for code, value in answers_for(graffiti).items()}}
    assert client.post(url, data).status_code == 400
    assert not ServiceRequest.objects.exists()
    response = client.post(url, {**data, "contact_name": "Jean Tremblay",
                                 "contact_phone": "514-555-0100"})
    assert response.status_code == 302
    created = ServiceRequest.objects.get()
    assert created.reporter is None and created.confirmed and created.channel == "counter"
    public = client.get(reverse("service_requests:public_detail", args=[created.pk]))
    assert "Tremblay" not in public.content.decode()


def test_an_intake_outside_the_territory_is_refused(client, clerk, graffiti):
    client.force_login(clerk)
    url = f"{reverse('requests_staff:intake')}?citizen=none&category={graffiti.code}"
    response = client.post(url, {"channel": "phone", "lon": "-71.2", "lat": "46.8",
                                 "description": "Loin", "contact_phone": "418-555-0100",
                                 **{f"q_{c}": v for c, v in answers_for(graffiti).items()}})
    assert response.status_code == 400
    assert fr("This place is outside the municipality: the city can only act on its own "
              "territory.") in html.unescape(response.content.decode())
    assert not ServiceRequest.objects.exists()


# Photos and the public

def test_a_photo_is_public_only_after_review(client, clerk, make_citizen, pothole, homes,
                                             tmp_path, settings):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from service_requests.photos import process_photo

    settings.MEDIA_ROOT = tmp_path
    out = io.BytesIO()
    Image.new("RGB", (80, 60), "blue").save(out, "JPEG")
    processed = process_photo(SimpleUploadedFile("p.jpg", out.getvalue(), "image/jpeg"))
    mine = report(pothole, homes[0], make_citizen("alice@example.org"), photos=[processed])
    photo = mine.photos.get()
    public_url = reverse("service_requests:public_detail", args=[mine.pk])
    assert photo.thumbnail_url not in client.get(public_url).content.decode()
    client.force_login(clerk)
    review = reverse("requests_staff:review_photo", args=[mine.pk, photo.pk])
    assert client.post(review, {"decision": "approve"}).status_code == 302
    client.logout()
    assert photo.thumbnail_url in client.get(public_url).content.decode()
    client.force_login(clerk)
    client.post(review, {"decision": "reject"})
    client.logout()
    assert photo.thumbnail_url not in client.get(public_url).content.decode()


def test_a_photo_file_is_served_only_to_who_may_see_it(client, clerk, make_citizen, pothole,
                                                      homes, tmp_path, settings):
    """Issue 11: photos not yet approved (or refused) were served to anyone with their URL
    (MEDIA_URL). Now a view checks: the reporter and staff always, anyone else only once staff
    approved it; the file is never under a URL of its own."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from service_requests.photos import process_photo

    settings.MEDIA_ROOT = tmp_path
    out = io.BytesIO()
    Image.new("RGB", (80, 60), "green").save(out, "JPEG")
    processed = process_photo(SimpleUploadedFile("p.jpg", out.getvalue(), "image/jpeg"))
    alice = make_citizen("alice@example.org")
    photo = report(pothole, homes[0], alice, photos=[processed]).photos.get()
    urls = [photo.image_url, photo.thumbnail_url]
    stranger = make_citizen("bob@example.org")

    def statuses(user):
        client.logout()
        if user:
            client.force_login(user)
        return [client.get(url).status_code for url in urls]

    for approved in (None, False):  # not reviewed, then refused
        ServiceRequest.objects.get(pk=photo.request_id).photos.update(approved=approved)
        assert statuses(None) == [404, 404] and statuses(stranger) == [404, 404]
        assert statuses(alice) == [200, 200] and statuses(clerk) == [200, 200]
    ServiceRequest.objects.get(pk=photo.request_id).photos.update(approved=True)
    assert statuses(None) == [200, 200]
    response = client.get(photo.image_url)
    assert response["Content-Type"] == "image/jpeg" and b"".join(response.streaming_content)
    # The stored file has no public URL of its own.
    assert client.get(f"/media/{photo.image.name}").status_code == 404


def test_the_public_list_filters_and_shows_nobody(client, clerk, make_citizen, pothole,
                                                  categories, graffiti, homes):
    alice = make_citizen("alice@example.org")
    alice.last_name = "Lapointe"
    alice.save()
    hole = report(pothole, homes[0], alice, contact_phone="514-555-0177")
    tag = report(categories["graffiti"], homes[1], alice)
    noise = report(graffiti, homes[4], alice)  # the "graffiti" fixture is noise: private
    by_phone = report(pothole, homes[5], alice, clerk=clerk, channel="phone")  # not asked
    done = report(pothole, homes[2], alice)
    services.change_status(request=done, status="resolved", by=clerk)
    hidden = report(pothole, homes[3], None, contact_email="anonyme@example.org")
    url = reverse("service_requests:public_list")

    def listed(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        text = response.content.decode()
        for secret in ("alice@example.org", "Lapointe", "514-555-0177", "anonyme@example.org"):
            assert secret not in text
        return {r.pk for r in (hole, tag, done, hidden, noise, by_phone)
                if f">#{r.pk}<" in text}

    assert listed() == {hole.pk, tag.pk}  # open by default, unconfirmed never
    assert listed(status="closed") == {done.pk}
    assert listed(category=pothole.code, status=["open", "closed"]) == {hole.pk, done.pk}
    assert listed(category=graffiti.code) == set()  # issue 11: noise is never public
    layer = client.get(reverse("report-list"), {"category": pothole.code, "status": "closed"})
    assert [f["id"] for f in layer.json()["features"]] == [done.pk]


def test_overdue_is_one_definition_at_the_boundary_hour(client, clerk, make_citizen, pothole,
                                                        homes):
    """Late from the day after the due date (the local date it came in plus the category's
    target days), whatever the hour it came in: the queue (SQL) and the request's page (Python)
    agree on both sides of the boundary. Before, the queue counted hours (submitted_at < now -
    target) and marked `early` late hours before its own page did."""
    from service_requests.selectors import is_overdue, overdue_q

    alice = make_citizen("alice@example.org")
    early, just_late = (report(pothole, homes[i], alice) for i in range(2))
    today = timezone.localdate()
    local = timezone.get_current_timezone()
    due_today = dt.datetime.combine(today - dt.timedelta(days=pothole.target_days),
                                    dt.time(0, 5), tzinfo=local)  # due today: not late yet
    due_yesterday = dt.datetime.combine(today - dt.timedelta(days=pothole.target_days + 1),
                                        dt.time(23, 55), tzinfo=local)  # late since 00:00
    ServiceRequest.objects.filter(pk=early.pk).update(submitted_at=due_today)
    ServiceRequest.objects.filter(pk=just_late.pk).update(submitted_at=due_yesterday)
    client.force_login(clerk)
    assert queue_ids(client, overdue="on") & {early.pk, just_late.pk} == {just_late.pk}
    for pk, late in [(early.pk, False), (just_late.pk, True)]:
        detail = client.get(reverse("requests_staff:detail", args=[pk])).content.decode()
        assert ('data-testid="overdue"' in detail) is late, pk
    # Both definitions, on the due date and the day after, for the same request.
    early.refresh_from_db()
    due = today
    for on, late in [(due, False), (due + dt.timedelta(days=1), True)]:
        in_sql = ServiceRequest.objects.filter(overdue_q(on), pk=early.pk).exists()
        assert is_overdue(early, on) is late and in_sql is late, on


def test_a_call_is_public_only_if_the_caller_agreed_and_noise_never(client, clerk,
                                                                     make_citizen, pothole,
                                                                     graffiti, homes):
    """Issue 11: phone and counter requests, and noise complaints, were published with the
    caller's home address without anyone being asked. Now the clerk records the caller's
    answer; a private category (noise: the `graffiti` fixture) is never public, whatever the
    channel; the web form says what will be public before the citizen sends it."""
    intake = reverse("requests_staff:intake")
    client.force_login(clerk)
    made = {}
    for agreed in (False, True):
        prop = homes[6 + agreed]
        label = prop.addresses.order_by("pk").first().label
        response = client.post(f"{intake}?citizen=none&category={pothole.code}", {
            "channel": "phone", "address": label, "description": "Trou profond",
            "contact_name": "Appelant", "contact_phone": "514-555-0111",
            **({"public": "on"} if agreed else {}),
            **{f"q_{code}": value for code, value in answers_for(pothole).items()}})
        assert response.status_code == 302
        made[agreed] = ServiceRequest.objects.order_by("-pk").first()
    form = client.get(f"{intake}?citizen=none&category={graffiti.code}").content.decode()
    assert 'data-testid="private-category"' in form and 'name="public"' not in form
    noise = report(graffiti, homes[8], make_citizen("c@example.org"))  # on the web
    client.logout()
    public = {f["id"] for f in client.get(reverse("report-list"),
                                          {"status": "open", "page_size": 1000}).json()["features"]}
    assert made[True].pk in public
    assert made[False].pk not in public and noise.pk not in public
    listed = client.get("/open311/v2/requests.json").json()
    assert {r["service_request_id"] for r in listed} & {str(made[False].pk), str(noise.pk)} == set()
    assert client.get(reverse("service_requests:public_detail",
                              args=[noise.pk])).status_code == 404
    details = client.get(reverse("service_requests:report_details"),
                         {"category": graffiti.code, "lon": "-73.99", "lat": "45.38"})
    assert fr("This kind of request is never shown to the public: only the city's staff see "
              "it.") in details.content.decode()


def test_an_expected_date_is_from_the_request_day_to_two_years_ahead(client, clerk, make_citizen,
                                                                     pothole, homes):
    alice = make_citizen("alice@example.org")
    mine = report(pothole, homes[0], alice)
    url = reverse("requests_staff:detail", args=[mine.pk])
    client.force_login(clerk)
    today = timezone.localdate()
    first, last = timezone.localdate(mine.submitted_at), today + dt.timedelta(days=730)
    message = html.escape(fr(
        "The expected date must be between the day of the request (%(first)s) and two years "
        "from today (%(last)s).") % {"first": first.isoformat(), "last": last.isoformat()})
    for on in ("1900-01-01", (last + dt.timedelta(days=1)).isoformat()):
        response = client.post(url, {"action": "expected", "expected-expected_on": on})
        assert response.status_code == 400, on
        assert message in response.content.decode(), on
    for on in (first - dt.timedelta(days=1), dt.date(9999, 12, 31)):
        with pytest.raises(services.ValidationError):
            services.set_expected(request=mine, on=on, by=clerk)
    mine.refresh_from_db()
    assert mine.expected_on is None
    assert not mine.events.filter(kind=Event.Kind.EXPECTED).exists()
    response = client.post(url, {"action": "expected", "expected-expected_on": last.isoformat()})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.expected_on == last
