"""The leisure desk (issue 15): a clerk with the permission leisure.leisure_desk sees a season's
groups and their counts, a group's lists (registered, offered, waiting in order) with each
participant's age, contact and fee, a printable attendance sheet whose columns are the group's
sessions (checked against an independent iCalendar expansion), and registers, moves and cancels
for citizens; cancelling a group tells everyone. A citizen, a visitor and a clerk without the
permission get nothing of it."""
import datetime as dt
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.contrib.staticfiles import finders
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from lxml import html as lxml_html

from citizens.models import HouseholdMember, Profile
from core.models import AccessLog
from geo.models import Place
from leisure import rules, services
from leisure.models import Activity, Registration, Season
from tests.leisure.conftest import BORN, make_group
from tests.leisure.test_recurrence import independent

pytestmark = pytest.mark.django_db
S = Registration.Status
PASSWORD = "x-Mot-De-Passe-2026"
MON, TUE = "FREQ=WEEKLY;BYDAY=MO", "FREQ=WEEKLY;BYDAY=TU"


@pytest.fixture
def people(django_user_model):
    def person(name, **extra):
        return django_user_model.objects.create_user(
            username=name, email=f"{name}@example.org", password=PASSWORD, **extra)

    clerk = person("commis-loisirs", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="leisure_desk"))
    return {"clerk": clerk, "other_clerk": person("commis-autre", is_staff=True),
            "citizen": person("citoyenne"), "visitor": None}


def family(django_user_model, name, *members, phone=""):
    """An account and its household: members as (first name, date of birth)."""
    user = django_user_model.objects.create_user(username=name, email=f"{name}@example.org",
                                                 password=PASSWORD)
    if phone:
        Profile.objects.create(user=user, phone=phone)
    found = [HouseholdMember.objects.create(user=user, first_name=first, last_name=name.title(),
                                            birth_year=born.year, birth_date=born)
             for first, born in members]
    return user, found


@pytest.fixture
def desk(test_season, django_user_model):
    """Two groups of the test season at different hours: A (1 seat, 2 waiting), B (5 seats);
    the Tremblay family (a phone in their profile) and the Roy family."""
    season, groups = test_season
    paint = Activity.objects.get(code="T-PAINT")
    school = Place.objects.get(name="École primaire Edgewater")
    sept, dec = dt.date(2026, 9, 7), dt.date(2026, 12, 14)
    a = make_group(season, "DESK-A", paint, school, capacity=1, waiting_list_size=2,
                   slots=[(MON, dt.time(17), dt.time(18), sept, dec)])
    b = make_group(season, "DESK-B", paint, school, capacity=5, waiting_list_size=5,
                   slots=[(TUE, dt.time(17), dt.time(18), dt.date(2026, 9, 8), dec)])
    tremblay, (marie, leo) = family(django_user_model, "tremblay", ("Marie", dt.date(1985, 4, 2)),
                                    ("Léo", BORN), phone="514-555-0142")
    roy, (paul, anne, luc) = family(django_user_model, "roy", ("Paul", dt.date(1980, 1, 5)),
                                    ("Anne", dt.date(1982, 6, 9)), ("Luc", dt.date(2010, 2, 2)))
    return {"season": season, "a": a, "b": b, "tremblay": tremblay, "roy": roy, "marie": marie,
            "leo": leo, "paul": paul, "anne": anne, "luc": luc}


def sign_in(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def rows(page, testid):
    tree = lxml_html.fromstring(page.content)
    return [[" ".join(c.text_content().split()) for c in row.xpath("th|td")]
            for row in tree.xpath(f'//table[@data-testid="{testid}"]/tbody/tr[@data-registration]')]


def text_of(page) -> str:
    return " ".join(lxml_html.fromstring(page.content).xpath("//main")[0].text_content().split())


def flash(page) -> list[str]:
    """The page's messages (django.contrib.messages)."""
    return [" ".join(li.text_content().split())
            for li in lxml_html.fromstring(page.content).xpath('//div[@class="messages"]//li')]


def register(client, group, account, member, channel="counter"):
    return client.post(reverse("leisure_staff:register", args=[group.pk]),
                       {"courriel": account.email, "member": member.pk, "channel": channel})


# Who may see it

def urls(desk, registration):
    group = desk["a"]
    return {
        "get": [reverse("leisure_staff:groups"),
                reverse("leisure_staff:group", args=[group.pk]),
                reverse("leisure_staff:attendance", args=[group.pk]),
                reverse("leisure_staff:register", args=[group.pk])
                + f"?courriel={desk['tremblay'].email}",
                reverse("leisure_staff:move", args=[registration.pk]),
                reverse("leisure_staff:cancel", args=[registration.pk]),
                reverse("leisure_staff:cancel_group", args=[group.pk])],
        "post": [reverse("leisure_staff:register", args=[group.pk]),
                 reverse("leisure_staff:move", args=[registration.pk]),
                 reverse("leisure_staff:cancel", args=[registration.pk]),
                 reverse("leisure_staff:cancel_group", args=[group.pk])],
    }


def test_every_page_works_for_a_clerk_with_the_permission(client, people, desk):
    registration = services.register_for(people["clerk"], desk["marie"], desk["a"].pk)
    sign_in(client, people["clerk"])
    for url in urls(desk, registration.registration)["get"]:
        page = client.get(url)
        assert page.status_code == 200, url
        names = "Marie Tremblay" in page.content.decode()
        assert names == ("/groupes/" in url and not url.endswith("/annuler/")
                         or "/inscriptions/" in url), url


@pytest.mark.parametrize("role, wanted", [("citizen", 403), ("other_clerk", 403),
                                          ("visitor", 302)])
def test_other_roles_get_nothing_and_change_nothing(client, people, desk, role, wanted):
    outcome = services.register_for(people["clerk"], desk["marie"], desk["a"].pk)
    sign_in(client, people[role])
    found = urls(desk, outcome.registration)
    for url in found["get"]:
        page = client.get(url)
        assert page.status_code == wanted, (url, role)
        assert "Marie" not in page.content.decode()
        if wanted == 302:
            assert page["Location"].startswith(reverse("account_login")), url
    for url in found["post"]:
        answer = client.post(url, {"courriel": desk["roy"].email, "member": desk["paul"].pk,
                                   "channel": "phone", "group": desk["b"].pk})
        assert answer.status_code == wanted, (url, role)
    desk["a"].refresh_from_db()
    assert desk["a"].cancelled_at is None
    assert list(Registration.objects.values_list("member__first_name", "group__code",
                                                 "status")) == [("Marie", "DESK-A", S.REGISTERED)]


def test_unknown_or_unbounded_ids_are_404(client, people, desk):
    sign_in(client, people["clerk"])
    for name in ("group", "attendance", "register", "cancel_group"):
        for group_id in (2**31 - 1, 10**30):
            assert client.get(f"{reverse('leisure_staff:groups')}groupes/{group_id}/"
                              + {"group": "", "attendance": "presences/",
                                 "register": "inscrire/", "cancel_group": "annuler/"}[name]
                              ).status_code == 404, (name, group_id)
    for name in ("move", "cancel"):
        assert client.get(reverse(f"leisure_staff:{name}",
                                  args=["0b0b0b0b-0000-4000-8000-000000000000"])
                          ).status_code == 404
    base = reverse("leisure_staff:groups")
    assert client.get(f"{base}inscriptions/pas-un-uuid/annuler/").status_code == 404
    assert client.get(base, {"saison": "NOPE"}).status_code == 404


def test_posts_need_the_csrf_token(people, desk):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["clerk"])
    answer = client.post(reverse("leisure_staff:cancel_group", args=[desk["a"].pk]))
    assert answer.status_code == 403
    desk["a"].refresh_from_db()
    assert desk["a"].cancelled_at is None


def test_the_staff_menu_links_the_desk_for_clerks_with_the_permission(client, people):
    desk_url = reverse("leisure_staff:groups")
    sign_in(client, people["clerk"])
    assert f'href="{desk_url}"' in client.get(reverse("requests_staff:queue")).content.decode()
    sign_in(client, people["other_clerk"])
    assert f'href="{desk_url}"' not in client.get(reverse("requests_staff:queue")).content.decode()


# Registering, the lists and the waiting list

def test_register_for_fills_the_group_then_its_waiting_list(client, people, desk):
    sign_in(client, people["clerk"])
    a = desk["a"]
    first = register(client, a, desk["tremblay"], desk["marie"])
    assert first.status_code == 302
    [said] = flash(client.get(first["Location"]))
    assert "Marie Tremblay" in said and "position" not in said
    second = register(client, a, desk["roy"], desk["paul"], channel="phone")
    [said] = flash(client.get(second["Location"]))
    assert "Paul Roy" in said and "position 1" in said
    third = register(client, a, desk["roy"], desk["anne"])
    [said] = flash(client.get(third["Location"]))
    assert "Anne Roy" in said and "position 2" in said
    by_member = {r.member.first_name: r for r in Registration.objects.select_related("member")}
    assert (by_member["Marie"].status, by_member["Marie"].channel) == (S.REGISTERED, "counter")
    assert by_member["Marie"].clerk == people["clerk"]
    assert (by_member["Paul"].status, by_member["Paul"].channel) == (S.WAITING, "phone")
    assert services.waiting_position(by_member["Anne"]) == 2
    # the group and its waiting list full: refused, said so, nothing saved
    refused = register(client, a, desk["roy"], desk["luc"])
    assert refused.status_code == 400
    assert "DESK-A" in text_of(refused) and "Luc" not in [
        r.member.first_name for r in Registration.objects.select_related("member")]
    # the group page: registered, then the waiting list in order with positions
    page = client.get(reverse("leisure_staff:group", args=[a.pk]))
    registered = rows(page, "registered")
    assert len(registered) == 1
    name, age, email, phone, resident, fee, channel, _actions = registered[0]
    assert (name, age, email, phone, resident) == (
        "Marie Tremblay", str(rules.age_on(dt.date(1985, 4, 2), a.age_on)),
        "tremblay@example.org", "514-555-0142", "non")
    assert "75,00" in fee and channel == "au comptoir"
    waiting = rows(page, "waiting")
    assert [(r[0], r[1]) for r in waiting] == [("1", "Paul Roy"), ("2", "Anne Roy")]
    assert waiting[0][4] == "—"  # the Roy account has no telephone
    # the season's list counts them
    listing = client.get(reverse("leisure_staff:groups"), {"saison": "T2026", "q": "DESK-A"})
    tree = lxml_html.fromstring(listing.content)
    assert tree.xpath('//tr[@data-code="DESK-A"]/td[@data-testid="registered"]/text()') == ["1 / 1"]
    assert tree.xpath('//tr[@data-code="DESK-A"]/td[@data-testid="waiting"]/text()') == ["2 / 2"]


def test_the_groups_list_filters_by_code_or_title(client, people, desk):
    sign_in(client, people["clerk"])

    def codes(**query):
        page = client.get(reverse("leisure_staff:groups"), {"saison": "T2026", **query})
        return sorted(lxml_html.fromstring(page.content).xpath("//tr/@data-code"))

    assert codes(q="T-SPLASH") == ["AGE-4-6", "AGE-7-9-OCT2", "AGE-7-9-OCT3", "AGE-7-9-SEPT30"]
    assert codes(q="desk") == ["DESK-A", "DESK-B"]
    assert codes(q="peintu") == ["DESK-A", "DESK-B", "TUE-THU", "TWO-SLOTS"]
    assert len(codes()) == 8


def test_a_refused_registration_says_why_and_saves_nothing(client, people, desk):
    sign_in(client, people["clerk"])
    six_to_eight = make_group(desk["season"], "DESK-KIDS", desk["a"].activity, desk["a"].place,
                              ages=(6, 8), age_on=dt.date(2026, 9, 7))
    refused = register(client, six_to_eight, desk["tremblay"], desk["marie"])
    assert refused.status_code == 400
    assert "6 à 8 ans" in text_of(refused)  # services' message, translated
    # a member of another household: not a choice for this account
    other = register(client, desk["a"], desk["tremblay"], desk["paul"])
    assert other.status_code == 400
    unknown = client.post(reverse("leisure_staff:register", args=[desk["a"].pk]),
                          {"courriel": "personne@example.org", "member": desk["marie"].pk,
                           "channel": "counter"})
    assert unknown.status_code == 400
    assert "Aucun compte" in text_of(unknown)
    assert not Registration.objects.exists()


def test_moving_frees_a_seat_offered_to_the_waiting_lists_first(
        client, people, desk, django_capture_on_commit_callbacks):
    a, b = desk["a"], desk["b"]
    clerk = people["clerk"]
    marie = services.register_for(clerk, desk["marie"], a.pk).registration
    paul = services.register_for(clerk, desk["paul"], a.pk).registration
    anne = services.register_for(clerk, desk["anne"], a.pk).registration
    assert (paul.status, anne.status) == (S.WAITING, S.WAITING)
    sign_in(client, clerk)
    form = client.get(reverse("leisure_staff:move", args=[marie.pk]))
    choices = lxml_html.fromstring(form.content).xpath('//select[@name="group"]/option/@value')
    assert str(b.pk) in choices and str(a.pk) not in choices
    with django_capture_on_commit_callbacks(execute=True):
        moved = client.post(reverse("leisure_staff:move", args=[marie.pk]), {"group": b.pk})
    assert moved.status_code == 302
    for r in (marie, paul, anne):
        r.refresh_from_db()
    assert (marie.status, marie.reason) == (S.CANCELLED, Registration.Reason.MOVED)
    assert Registration.objects.get(group=b, member=desk["marie"]).status == S.REGISTERED
    assert paul.status == S.OFFERED and anne.status == S.WAITING
    assert services.waiting_position(anne) == 1
    assert [m.to for m in mail.outbox] == [["roy@example.org"]]  # Paul's seat offered
    page = client.get(reverse("leisure_staff:group", args=[a.pk]))
    assert [r[0] for r in rows(page, "offered")] == ["Paul Roy"]
    assert [(r[0], r[1]) for r in rows(page, "waiting")] == [("1", "Anne Roy")]


def test_moving_to_a_group_of_another_season_is_refused(client, people, desk):
    marie = services.register_for(people["clerk"], desk["marie"], desk["a"].pk).registration
    other = Season.objects.create(
        code="T2027", name_fr="Hiver test", starts_on=dt.date(2027, 1, 4),
        ends_on=dt.date(2027, 3, 28), residents_from=desk["season"].residents_from,
        everyone_from=desk["season"].everyone_from, closes_at=desk["season"].closes_at)
    elsewhere = make_group(other, "DESK-W", desk["a"].activity, desk["a"].place)
    sign_in(client, people["clerk"])
    for target in (elsewhere.pk, desk["a"].pk, 10**30, "x"):
        answer = client.post(reverse("leisure_staff:move", args=[marie.pk]), {"group": target})
        assert answer.status_code == 400, target
    marie.refresh_from_db()
    assert marie.status == S.REGISTERED and marie.group_id == desk["a"].pk
    assert Registration.objects.count() == 1


def test_cancelling_a_registration_offers_its_seat(client, people, desk):
    clerk = people["clerk"]
    marie = services.register_for(clerk, desk["marie"], desk["a"].pk).registration
    paul = services.register_for(clerk, desk["paul"], desk["a"].pk).registration
    sign_in(client, clerk)
    assert client.get(reverse("leisure_staff:cancel", args=[marie.pk])).status_code == 200
    marie.refresh_from_db()
    assert marie.status == S.REGISTERED  # a GET asks, it does not cancel
    assert client.post(reverse("leisure_staff:cancel", args=[marie.pk])).status_code == 302
    marie.refresh_from_db()
    paul.refresh_from_db()
    assert (marie.status, marie.reason) == (S.CANCELLED, Registration.Reason.CLERK)
    assert paul.status == S.OFFERED
    # cancelled: no longer there to cancel
    assert client.post(reverse("leisure_staff:cancel", args=[marie.pk])).status_code == 404


def test_cancelling_the_group_cancels_everyone_and_tells_them(
        client, people, desk, django_capture_on_commit_callbacks):
    clerk, a = people["clerk"], desk["a"]
    for member in ("marie", "paul", "anne"):
        services.register_for(clerk, desk[member], a.pk)
    sign_in(client, clerk)
    confirm = client.get(reverse("leisure_staff:cancel_group", args=[a.pk]))
    assert confirm.status_code == 200 and "2" in text_of(confirm)
    a.refresh_from_db()
    assert a.cancelled_at is None and not mail.outbox  # a GET asks, it does not cancel
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("leisure_staff:cancel_group", args=[a.pk]))
    assert done.status_code == 302
    a.refresh_from_db()
    assert a.cancelled_at is not None
    assert set(Registration.objects.filter(group=a).values_list("status", "reason")) == {
        (S.CANCELLED, Registration.Reason.GROUP)}
    assert sorted(m.to[0] for m in mail.outbox) == [
        "roy@example.org", "roy@example.org", "tremblay@example.org"]
    [said] = flash(client.get(done["Location"]))
    assert "DESK-A" in said and " 3 " in said  # "3 people are told"
    again = client.post(reverse("leisure_staff:cancel_group", args=[a.pk]))
    assert again.status_code == 400
    # a cancelled group takes nobody
    assert register(client, a, desk["roy"], desk["luc"]).status_code == 400
    assert not Registration.objects.filter(group=a).exclude(status=S.CANCELLED).exists()


# The attendance sheet

def test_the_attendance_sheet_has_a_column_per_session(client, people, desk, test_season):
    _season, groups = test_season
    two = groups["TWO-SLOTS"]  # Saturday morning and Wednesday evening
    slot = two.slots.get(rule__contains="BYDAY=SA")
    slot.exceptions = [dt.date(2026, 10, 10), dt.date(2026, 11, 7)]
    slot.save()
    clerk = people["clerk"]
    services.register_for(clerk, desk["marie"], two.pk)
    services.register_for(clerk, desk["paul"], two.pk)
    sign_in(client, clerk)
    page = client.get(reverse("leisure_staff:attendance", args=[two.pk]))
    tree = lxml_html.fromstring(page.content)
    table = tree.xpath('//table[@data-testid="attendance"]')[0]
    got = [(dt.date.fromisoformat(th.get("data-date")), th.get("data-start"))
           for th in table.xpath("thead/tr/th[@data-date]")]
    expected = sorted(
        session for s in two.slots.all()
        for session in independent(s.rule, s.starts_on, s.ends_on, s.start_time, s.end_time,
                                   s.exceptions))
    assert got == [(day, start.strftime("%H:%M")) for day, start in expected]
    assert dt.date(2026, 10, 10) not in [day for day, _start in got]
    body = table.xpath("tbody/tr")
    assert [" ".join(r.xpath("th")[0].text_content().split()) for r in body] == [
        "Marie Tremblay", "Paul Roy"]
    assert all(len(r.xpath("td[@class='mark']")) == len(expected) for r in body)


def test_the_attendance_sheet_prints_without_the_site_around_it(client, people, desk):
    sign_in(client, people["clerk"])
    page = client.get(reverse("leisure_staff:attendance", args=[desk["a"].pk]))
    tree = lxml_html.fromstring(page.content)
    sheets = [href for href in tree.xpath('//link[@rel="stylesheet"]/@href')
              if href.endswith("leisure/attendance.css")]
    assert sheets
    css = Path(finders.find("leisure/attendance.css")).read_text()
    printed = css[css.index("@media print"):]
    hidden = re.search(r"([^{}]+)\{\s*display:\s*none", printed).group(1)
    assert {".site-header", ".site-footer", ".no-print"} <= {
        s.strip() for s in hidden.split(",")}
    # what is left out on paper: the site's header and footer, the breadcrumb, the button
    assert tree.xpath('//header[contains(@class, "site-header")]')
    assert tree.xpath('//*[@data-print]/ancestor::*[contains(@class, "no-print")]')


# Languages and the access log

DESK_WORDS = ["Leisure desk", "Registered / seats", "Waiting list", "Attendance sheet",
              "Register a citizen", "Cancel the group", "Age on the reference date",
              "Account e-mail", "Telephone", "Fee", "Channel", "Seats offered", "Move"]


def test_the_english_page_has_no_french_words_of_the_desk(client, people, desk):
    services.register_for(people["clerk"], desk["marie"], desk["a"].pk)
    services.register_for(people["clerk"], desk["paul"], desk["a"].pk)
    sign_in(client, people["clerk"])
    url = reverse("leisure_staff:group", args=[desk["a"].pk])
    french = text_of(client.get(url))
    english = text_of(client.get("/en" + url))
    with translation.override("fr"):
        words = {msgid: translation.gettext(msgid) for msgid in DESK_WORDS}
    for msgid, word in words.items():
        assert word != msgid, msgid  # translated
        assert word in french, word
        assert msgid in english, msgid
        assert word not in english, word
    assert "at the counter" in english and "au comptoir" not in english


def test_the_desk_writes_the_citizens_access_log(client, people, desk):
    services.register_for(people["clerk"], desk["marie"], desk["a"].pk)
    sign_in(client, people["clerk"])
    client.get(reverse("leisure_staff:group", args=[desk["a"].pk]))
    client.get(reverse("leisure_staff:register", args=[desk["b"].pk]),
               {"courriel": desk["roy"].email})
    logged = set(AccessLog.objects.filter(actor=people["clerk"]).values_list(
        "subject__username", "action", "record"))
    assert logged == {("tremblay", "view", f"leisure_group:{desk['a'].pk}"),
                      ("roy", "view", "household:all")}
    from core.access_log import describe_records

    with translation.override("en"):
        words = describe_records([f"leisure_group:{desk['a'].pk}"], desk["tremblay"])
    assert words == {f"leisure_group:{desk['a'].pk}":
                     "Your household's registration in Painting (DESK-A)"}
