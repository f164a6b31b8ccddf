"""The household's follow-up of its leisure registrations (issue 15, part 2): "our week", its
printable summary, the calendar feed at a secret address, the dashboard and /api/me/, the
Law 25 export and erasure, the access log.

Registrations are made through leisure.services (basket, confirmation) in a season of the
test's own, open now. What the pages and the feed must show is computed here independently of
leisure.recurrence: each slot's rule expanded by dateutil's rrulestr, less its skipped dates."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from dateutil.rrule import rrulestr
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from lxml import html as lxml_html

from citizens.models import HouseholdMember, Profile
from core.models import AccessLog
from geo.models import Place
from leisure import services
from leisure.models import (
    Activity,
    ActivityCategory,
    CalendarToken,
    Group,
    Registration,
    Season,
    TimeSlot,
)

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("America/Montreal")
S = Registration.Status


def monday_of(day):
    return day - dt.timedelta(days=day.weekday())


def independent_dates(spec) -> list[dt.date]:
    """A slot's session dates by dateutil alone: its RRULE from the first session to the last
    date, less the skipped dates."""
    rule = rrulestr(spec["rule"], dtstart=dt.datetime.combine(spec["starts_on"], dt.time()))
    until = dt.datetime.combine(spec["ends_on"], dt.time())
    return [d.date() for d in rule.between(dt.datetime.combine(spec["starts_on"], dt.time()),
                                           until, inc=True)
            if d.date() not in set(spec["exceptions"])]


class World:
    """The test's season, groups and households (the specs of the slots kept for the
    independent expansion)."""


@pytest.fixture
def world(django_user_model):
    w = World()
    now = timezone.now()
    w.today = timezone.localdate()
    start = monday_of(w.today) + dt.timedelta(days=14)  # a Monday, two weeks ahead
    w.start = start
    w.season = Season.objects.create(
        code="W2027", name_fr="Saison semaine", name_en="Week season", starts_on=start,
        ends_on=start + dt.timedelta(days=62), residents_from=now - dt.timedelta(days=2),
        everyone_from=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=10))
    category = ActivityCategory.objects.create(code="w-sport", name_fr="Sport W",
                                               name_en="Sport W")
    swim = Activity.objects.create(code="W-SWIM", category=category, title_fr="Natation W",
                                   title_en="Swimming W")
    paint = Activity.objects.create(code="W-PAINT", category=category, title_fr="Peinture W",
                                    title_en="Painting W")
    chess = Activity.objects.create(code="W-CHESS", category=category, title_fr="Échecs W",
                                    title_en="Chess W")
    park = Place.objects.get(name="Parc Bellevue")
    school = Place.objects.get(name="École primaire Edgewater")
    end = w.season.ends_on
    w.specs = {}  # group code: [slot specs]

    def group(code, activity, place, slots, *, capacity=10, waiting=0, room="",
              fees=("40.00", "60.00")):
        g = Group.objects.create(
            season=w.season, code=code, activity=activity, place=place, room=room,
            age_min=0, age_max=99, age_on=start, capacity=capacity, waiting_list_size=waiting,
            fee_resident=Decimal(fees[0]), fee_non_resident=Decimal(fees[1]))
        w.specs[code] = []
        for spec in slots:
            TimeSlot.objects.create(group=g, **spec)
            w.specs[code].append(spec)
        return g

    tuesday, saturday = start + dt.timedelta(days=1), start + dt.timedelta(days=5)
    w.skipped = tuesday + dt.timedelta(days=7)  # the second week's Tuesday: no session
    w.swim = group("W-SWIM-1", swim, park, [
        {"rule": "FREQ=WEEKLY;BYDAY=TU,TH", "starts_on": tuesday, "ends_on": end,
         "start_time": dt.time(18), "end_time": dt.time(19), "exceptions": [w.skipped]},
        {"rule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA;WKST=SU", "starts_on": saturday,
         "ends_on": end, "start_time": dt.time(9, 30), "end_time": dt.time(10, 30),
         "exceptions": []},
    ], room="Bassin")
    w.paint = group("W-PAINT-1", paint, school, [
        {"rule": "FREQ=WEEKLY;BYDAY=MO", "starts_on": start, "ends_on": end,
         "start_time": dt.time(17), "end_time": dt.time(18), "exceptions": []},
    ], room="Local 2", fees=("25.50", "30.00"))
    w.chess = group("W-CHESS-1", chess, school, [
        {"rule": "FREQ=WEEKLY;BYDAY=WE", "starts_on": start + dt.timedelta(days=2),
         "ends_on": end, "start_time": dt.time(10), "end_time": dt.time(11), "exceptions": []},
    ], capacity=1, waiting=5)

    def citizen(name):
        user = django_user_model.objects.create_user(name, email=f"{name}@courriel.example",
                                                     password="x-Mot-De-Passe-2026")
        return user

    def member(user, first, born=dt.date(2015, 5, 1)):
        return HouseholdMember.objects.create(user=user, first_name=first, last_name="Test",
                                              birth_year=born.year, birth_date=born)

    w.alice, w.bob = citizen("alice"), citizen("bob")
    w.lea, w.max = member(w.alice, "Léa"), member(w.alice, "Max")
    w.zoe, w.noe = member(w.bob, "Zoé"), member(w.bob, "Noé")

    def register(user, group_, members):
        services.add_to_basket(user, group_.pk, members)
        return services.confirm_basket(user)

    # Bob first: Zoé takes chess's only seat, Noé waits first; and Zoé paints.
    register(w.bob, w.chess, [w.zoe, w.noe])
    register(w.bob, w.paint, [w.zoe])
    # Alice: Léa swims and paints, Max paints and waits for chess (second on its list).
    register(w.alice, w.swim, [w.lea])
    register(w.alice, w.paint, [w.lea, w.max])
    [outcome] = register(w.alice, w.chess, [w.max])
    assert outcome.status == S.WAITING and outcome.position == 2
    w.register = register
    return w


def expected_week(w, user, monday) -> set[tuple]:
    """{(date, "HH:MM", group code, participant)} of `user`'s registered or offered groups in
    the week of `monday`, by dateutil."""
    sunday = monday + dt.timedelta(days=6)
    out = set()
    for r in Registration.objects.filter(user=user, status__in=[S.REGISTERED, S.OFFERED]):
        for spec in w.specs[r.group.code]:
            for day in independent_dates(spec):
                if monday <= day <= sunday:
                    out.add((day, spec["start_time"].strftime("%H:%M"), r.group.code,
                             str(r.member)))
    return out


def shown_week(response) -> set[tuple]:
    tree = lxml_html.fromstring(response.content)
    out = set()
    for section in tree.xpath("//section[@data-day]"):
        day = dt.date.fromisoformat(section.get("data-day"))
        for row in section.xpath(".//tr[@data-testid='week-session']"):
            cells = [c.text_content().strip() for c in row.xpath("./th|./td")]
            out.add((day, cells[0][:5], row.get("data-group"), cells[2]))
    return out


def week_url(day=None):
    url = reverse("leisure:week")
    return f"{url}?semaine={day.isoformat()}" if day else url


# --- our week ----------------------------------------------------------------------------

def test_the_week_shows_exactly_the_households_sessions(client, world):
    w = world
    client.force_login(w.alice)
    second_week = w.start + dt.timedelta(days=7)  # Léa's Tuesday skipped; no Saturday swim
    for monday in (w.start, second_week, w.start + dt.timedelta(days=14)):
        response = client.get(week_url(monday + dt.timedelta(days=3)))  # any day of the week
        assert response.status_code == 200
        expected = expected_week(w, w.alice, monday)
        assert expected and shown_week(response) == expected
    shown = shown_week(client.get(week_url(second_week)))
    assert w.skipped not in {day for day, *_ in shown}
    assert (second_week + dt.timedelta(days=3), "18:00", "W-SWIM-1", "Léa Test") in shown
    # Max only waits for chess: no chess session in Alice's week; Bob's children never.
    page = client.get(week_url(w.start)).content.decode()
    assert "W-CHESS-1" not in page and "Zoé" not in page and "Noé" not in page
    assert "Bassin" in page and "Parc Bellevue" in page


def test_an_offered_seat_is_in_the_week_and_marked(client, world):
    w = world
    services.cancel(Registration.objects.get(member=w.zoe, group=w.chess).pk, user=w.bob)
    # Noé is offered the seat (first on the list); then Bob declines, and Max is offered it.
    noe = Registration.objects.get(member=w.noe, group=w.chess)
    assert noe.status == S.OFFERED
    services.decline_offer(w.bob, noe.pk)
    max_ = Registration.objects.get(member=w.max, group=w.chess)
    assert max_.status == S.OFFERED
    client.force_login(w.alice)
    response = client.get(week_url(w.start))
    assert shown_week(response) == expected_week(w, w.alice, w.start)
    [row] = lxml_html.fromstring(response.content).xpath("//tr[@data-group='W-CHESS-1']")
    assert "Max Test" in row.text_content() and row.xpath(".//strong[@class='offered']")
    [paint] = lxml_html.fromstring(response.content).xpath(
        "//tr[@data-group='W-PAINT-1'][contains(., 'Max Test')]")
    assert not paint.xpath(".//strong[@class='offered']")


def test_the_week_is_bounded_by_the_seasons_and_defaults_to_the_first_sessions(client, world):
    w = world
    client.force_login(w.alice)
    # Today is two weeks before the season: the default is the week of the first session.
    response = client.get(week_url())
    assert shown_week(response) == expected_week(w, w.alice, w.start)
    tree = lxml_html.fromstring(response.content)
    assert not tree.xpath("//a[@data-testid='week-previous']")
    assert tree.xpath("//a[@data-testid='week-next']/@href") == [
        f"?semaine={(w.start + dt.timedelta(days=7)).isoformat()}"]
    # Far past or far future: kept to the season's first and last weeks.
    far = client.get(week_url(w.start - dt.timedelta(days=400)))
    assert "W-PAINT-1" in far.content.decode()
    assert shown_week(far) == expected_week(w, w.alice, w.start)
    last = monday_of(w.season.ends_on)
    late = client.get(week_url(w.start + dt.timedelta(days=400)))
    assert shown_week(late) == expected_week(w, w.alice, last)
    assert not lxml_html.fromstring(late.content).xpath("//a[@data-testid='week-next']")
    assert client.get(reverse("leisure:week") + "?semaine=demain").status_code == 400


def test_the_week_needs_a_sign_in_and_a_stranger_sees_nothing(client, world,
                                                             django_user_model):
    response = client.get(week_url())
    assert response.status_code == 302 and "/compte/" in response["Location"]
    stranger = django_user_model.objects.create_user("carole", password="x-Mot-De-Passe-2026")
    client.force_login(stranger)
    response = client.get(week_url(world.start))
    assert response.status_code == 200 and shown_week(response) == set()
    page = response.content.decode()
    assert "Léa" not in page and "Zoé" not in page and "W-PAINT-1" not in page


def test_the_printable_summary(client, world):
    w = world
    client.force_login(w.alice)
    response = client.get(reverse("leisure:week_summary"))
    assert response.status_code == 200
    tree = lxml_html.fromstring(response.content)
    people = {}
    for section in tree.xpath("//section[@data-testid='summary-person']"):
        name = section.xpath("./h2")[0].text_content().strip()
        people[name] = {row.get("data-group"): [c.text_content().strip()
                                                for c in row.xpath("./th|./td")]
                        for row in section.xpath(".//tr[@data-group]")}
    assert set(people) == {"Léa Test", "Max Test"}  # Bob's children are not there
    assert set(people["Léa Test"]) == {"W-SWIM-1", "W-PAINT-1"}
    assert set(people["Max Test"]) == {"W-PAINT-1"}  # waiting for chess: not in it
    # Not a resident: the non-resident fees; total 60.00 + 30.00 + 30.00.
    assert people["Léa Test"]["W-SWIM-1"][4].replace("\xa0", " ") == "60,00 $"
    total = tree.xpath("//*[@data-testid='summary-total']")[0].text_content()
    assert "120,00 $" in total.replace("\xa0", " ")
    # First and last sessions of each slot (skipped dates count as no session).
    swim_dates = people["Léa Test"]["W-SWIM-1"][2]
    for spec in w.specs["W-SWIM-1"]:
        dates = independent_dates(spec)
        for day in (dates[0], dates[-1]):
            assert f"{day.day} " in swim_dates and str(day.year) in swim_dates
    css = (__import__("pathlib").Path(__file__).resolve().parents[2]
           / "leisure/static/leisure/week.css").read_text()
    assert "@media print" in css and ".site-header" in css and ".site-footer" in css


# --- the calendar feed -------------------------------------------------------------------

def feed_url(client):
    page = client.get(week_url())
    url = lxml_html.fromstring(page.content).xpath("//input[@data-testid='feed-url']/@value")[0]
    return url.removeprefix("http://testserver")


def test_the_feed_expands_to_the_registered_sessions(client, world):
    w = world
    client.force_login(w.alice)
    url = feed_url(client)
    token = CalendarToken.objects.get(user=w.alice).token
    assert token in url and url.endswith(".ics")
    client.logout()  # a calendar app asks without a session
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["America/Montreal"]
    events = recurring_ical_events.of(cal).between(
        dt.datetime.combine(w.season.starts_on - dt.timedelta(days=30), dt.time(), TZ),
        dt.datetime.combine(w.season.ends_on + dt.timedelta(days=30), dt.time(), TZ))
    got = sorted((e["DTSTART"].dt, e["DTEND"].dt, str(e["SUMMARY"])) for e in events)
    expected = []
    for r in Registration.objects.filter(user=w.alice, status=S.REGISTERED):
        for spec in w.specs[r.group.code]:
            for day in independent_dates(spec):
                expected.append((dt.datetime.combine(day, spec["start_time"], TZ),
                                 dt.datetime.combine(day, spec["end_time"], TZ),
                                 f"{r.group.activity.title_fr} — {r.member}"))
    assert got == sorted(expected)
    assert all(e["DTSTART"].dt.tzinfo is not None and
               str(e["DTSTART"].params.get("TZID", "America/Montreal")) == "America/Montreal"
               for e in events)
    assert w.skipped not in {e["DTSTART"].dt.date() for e in events}
    assert "Zoé" not in response.content.decode()
    assert AccessLog.objects.filter(subject=w.alice, record="leisure_calendar").exists()


def test_the_feed_uids_are_stable_and_its_language_the_accounts(client, world):
    w = world
    client.force_login(w.alice)
    url = feed_url(client)
    client.logout()

    def uids():
        cal = Calendar.from_ical(client.get(url).content)
        return {str(e["UID"]): str(e["SUMMARY"]) for e in cal.walk("VEVENT")}

    first, second = uids(), uids()
    assert first.keys() == second.keys() and len(first) == 4  # Léa's swim (2 slots), paint x2
    Profile.objects.create(user=w.alice, language="en")
    english = uids()
    assert english.keys() == first.keys()
    assert sorted(first.values()) == ["Natation W — Léa Test", "Natation W — Léa Test",
                                      "Peinture W — Léa Test", "Peinture W — Max Test"]
    assert sorted(english.values()) == ["Painting W — Léa Test", "Painting W — Max Test",
                                        "Swimming W — Léa Test", "Swimming W — Léa Test"]


def test_a_wrong_token_is_a_404_and_a_reset_retires_the_old_address(client, world):
    w = world
    client.force_login(w.alice)
    old = feed_url(client)
    assert client.get(reverse("leisure:calendar_feed", args=["x" * 43])).status_code == 404
    assert client.get(reverse("leisure:calendar_reset")).status_code == 405  # POST only
    response = client.post(reverse("leisure:calendar_reset"))
    assert response.status_code == 302
    new = feed_url(client)
    assert new != old
    client.logout()
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    # Bob's address gives Bob's activities, never Alice's.
    client.force_login(w.bob)
    bobs = feed_url(client)
    client.logout()
    text = client.get(bobs).content.decode()
    assert "Zoé" in text and "Léa" not in text and "Max" not in text


# --- the dashboard and /api/me/ ----------------------------------------------------------

def test_the_dashboard_and_api_me_show_the_registrations_and_positions(client, world):
    w = world
    client.force_login(w.alice)
    page = client.get(reverse("portal:dashboard"))
    tree = lxml_html.fromstring(page.content)
    lines = {li.get("data-group") + ":" + li.text_content().split(":")[0].strip():
             " ".join(li.text_content().split())
             for li in tree.xpath("//ul[@data-testid='dashboard-leisure']/li")}
    assert set(lines) == {"W-SWIM-1:Léa Test", "W-PAINT-1:Léa Test", "W-PAINT-1:Max Test",
                          "W-CHESS-1:Max Test"}
    assert "2" in lines["W-CHESS-1:Max Test"].rsplit(" ", 1)[-1]  # second on the list
    due = tree.xpath("//*[@data-testid='dashboard-leisure-due']")[0].text_content()
    assert "120,00 $" in due.replace("\xa0", " ")
    assert "Zoé" not in page.content.decode() and "Noé" not in page.content.decode()
    assert tree.xpath(f"//a[@href='{reverse('leisure:week')}']")

    data = client.get("/api/me/").json()
    rows = {(r["group_code"], r["participant"]): r for r in data["leisure"]}
    assert set(rows) == {("W-SWIM-1", "Léa Test"), ("W-PAINT-1", "Léa Test"),
                         ("W-PAINT-1", "Max Test"), ("W-CHESS-1", "Max Test")}
    chess = rows[("W-CHESS-1", "Max Test")]
    assert (chess["status"], chess["waiting_position"], chess["fee"]) == ("waiting", 2, None)
    assert rows[("W-SWIM-1", "Léa Test")]["status"] == "registered"
    assert rows[("W-SWIM-1", "Léa Test")]["fee"] == "60.00"
    assert rows[("W-SWIM-1", "Léa Test")]["first_session"] == (
        w.start + dt.timedelta(days=1)).isoformat()
    assert data["leisure_fees_due"] == "120.00"

    client.force_login(w.bob)
    bob = client.get("/api/me/").json()["leisure"]
    assert {(r["group_code"], r["participant"], r["status"], r["waiting_position"])
            for r in bob} == {("W-CHESS-1", "Zoé Test", "registered", None),
                              ("W-CHESS-1", "Noé Test", "waiting", 1),
                              ("W-PAINT-1", "Zoé Test", "registered", None)}


# --- Law 25 ------------------------------------------------------------------------------

def test_export_and_erase(client, world, django_capture_on_commit_callbacks):
    from core import personal_data

    w = world
    exported = personal_data.export(w.bob)["leisure_registrations"]
    assert {(r["group"], r["participant"], r["status"]) for r in exported} == {
        ("W-CHESS-1", "Zoé Test", "registered"), ("W-CHESS-1", "Noé Test", "waiting"),
        ("W-PAINT-1", "Zoé Test", "registered")}
    paint = next(r for r in exported if r["group"] == "W-PAINT-1")
    assert (paint["activity"], paint["fee"], paint["first_session"]) == (
        "Peinture W", "30.00", w.start.isoformat())
    assert paint["attested_prerequisite"] is False  # what the citizen attested is theirs too
    assert not any("Léa" in str(r) for r in exported)

    bob_ids = set(Registration.objects.filter(user=w.bob).values_list("pk", flat=True))
    CalendarToken.objects.create(user=w.bob)
    with django_capture_on_commit_callbacks(execute=True):
        personal_data.erase(w.bob)
    rows = Registration.objects.filter(pk__in=bob_ids)
    assert rows.count() == 3
    assert not rows.filter(user__isnull=False).exists()
    assert not rows.filter(member__isnull=False).exists()
    assert set(rows.values_list("status", flat=True)) == {S.CANCELLED}
    # Zoé's chess seat goes to the waiting list: Max, now first, is offered it.
    assert Registration.objects.get(member=w.max, group=w.chess).status == S.OFFERED
    w.bob.delete()
    assert not CalendarToken.objects.filter(user_id=w.bob.pk).exists()


def test_the_access_log_names_the_week_and_the_calendar(client, world):
    from core.access_log import describe_records

    client.force_login(world.alice)
    client.get(week_url())
    client.get(reverse("leisure:week_summary"))
    records = set(AccessLog.objects.filter(subject=world.alice).values_list("record",
                                                                           flat=True))
    assert "leisure_week" in records
    words = describe_records(["leisure_week", "leisure_calendar"], world.alice)
    assert words["leisure_week"] != "leisure_week"
    assert words["leisure_calendar"] != "leisure_calendar"
