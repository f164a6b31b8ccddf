"""The public catalogue and its API: the filters (age at a reference date across a birthday,
days, times of day, place, category, seats left) on the page and the API alike, checked against
a computation in the test; the pages in French and English; the group page's next sessions
against an independent expansion (icalendar + recurring_ical_events); bad parameters are a 400
that says which, never a 500."""
import datetime as dt
import re

import pytest
from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone

from leisure import selectors
from leisure.models import Group

from .conftest import BORN
from .test_recurrence import independent

pytestmark = pytest.mark.django_db


def page_codes(client, **params):
    response = client.get("/loisirs/", {"season": "T2026", **params})
    assert response.status_code == 200, response.content.decode()[:2000]
    return set(re.findall(r'data-group="([^"]+)"', response.content.decode()))


def api_codes(client, **params):
    response = client.get("/api/leisure/groups/", {"season": "T2026", **params})
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["type"] == "FeatureCollection"
    return {f["properties"]["code"] for f in data["features"]}


def age_on(born: dt.date, day: dt.date) -> int:
    """Whole years, as a person counts them (a birthday on `day` counts)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def expected(groups, keep):
    return {code for code, group in groups.items() if keep(group)}


def test_age_at_each_groups_reference_date_across_a_birthday(client, test_season):
    _season, groups = test_season
    ours = expected(groups, lambda g: g.age_min <= age_on(BORN, g.age_on) <= g.age_max)
    assert ours == {"AGE-4-6", "AGE-7-9-OCT3"}  # 6 on Sept 30; 7 on Oct 3, not on Oct 2
    born = BORN.isoformat()
    assert page_codes(client, born=born) == api_codes(client, born=born) == ours
    assert page_codes(client, age=6) == api_codes(client, age=6) == {"AGE-4-6"}
    assert page_codes(client, age=7) == api_codes(client, age=7) == {
        "AGE-7-9-SEPT30", "AGE-7-9-OCT3", "AGE-7-9-OCT2"}
    assert page_codes(client, age=40) == {"TWO-SLOTS", "TUE-THU"}


@pytest.mark.parametrize(("params", "codes"), [
    ({"day": ["6"]}, {"AGE-4-6", "AGE-7-9-SEPT30", "TWO-SLOTS"}),
    ({"day": ["1"]}, {"AGE-7-9-OCT3", "AGE-7-9-OCT2"}),
    ({"day": ["4"]}, {"TUE-THU"}),
    ({"day": ["7"]}, set()),
    ({"time": ["evening"]}, {"AGE-7-9-OCT3", "TWO-SLOTS"}),  # 17:00 and 18:30
    ({"time": ["afternoon"]}, {"AGE-7-9-OCT2", "TUE-THU"}),  # 12:00 and 13:00
    ({"time": ["morning", "afternoon"]}, {"AGE-4-6", "AGE-7-9-SEPT30", "TWO-SLOTS",
                                          "AGE-7-9-OCT2", "TUE-THU"}),
    # the same slot: TWO-SLOTS meets Saturday mornings and Wednesday evenings
    ({"day": ["6"], "time": ["evening"]}, set()),
    ({"day": ["3"], "time": ["evening"]}, {"TWO-SLOTS"}),
    ({"day": ["6", "3"], "time": ["morning"]}, {"AGE-4-6", "AGE-7-9-SEPT30", "TWO-SLOTS"}),
    ({"category": "t-arts"}, {"TWO-SLOTS", "TUE-THU"}),
    ({"category": "t-arts", "day": ["2"]}, {"TUE-THU"}),
    ({"category": "nothing-like-it"}, set()),
])
def test_days_times_and_categories(client, test_season, params, codes):
    _season, groups = test_season
    if "day" in params and "time" not in params and "category" not in params:
        days = {int(d) for d in params["day"]}  # computed from the rules themselves
        assert expected(groups, lambda g: any(set(s.weekdays) & days
                                              for s in g.slots.all())) == codes
    assert api_codes(client, **params) == codes
    if params.get("category") != "nothing-like-it":  # the page offers the season's only
        assert page_codes(client, **params) == codes


def test_place(client, test_season):
    _season, groups = test_season
    school = groups["TUE-THU"].place_id
    assert page_codes(client, place=school) == api_codes(client, place=school) == {
        "TWO-SLOTS", "TUE-THU"}


def test_seats_left_through_the_registration_seam(client, test_season, monkeypatch):
    """Registrations do not exist yet: selectors.registered_count is their seam. A group whose
    registrations fill it (the seam replaced here) has 0 seats left, and "seats left" hides it."""
    _season, groups = test_season
    assert page_codes(client, available="on") == set(groups)
    assert selectors.seats_left(groups["TUE-THU"]) == groups["TUE-THU"].capacity == 10
    monkeypatch.setattr(selectors, "registered_count", lambda: Case(
        When(code="TUE-THU", then=F("capacity")), When(code="TWO-SLOTS", then=Value(3)),
        default=Value(0), output_field=IntegerField()))
    assert selectors.seats_left(groups["TUE-THU"]) == 0
    assert page_codes(client, available="on") == api_codes(client, available="true") == \
        set(groups) - {"TUE-THU"}
    page = client.get("/loisirs/", {"season": "T2026", "place": groups["TWO-SLOTS"].place_id})
    assert re.search(r'data-group="TWO-SLOTS".*?data-testid="seats-left">7 sur 10<',
                     page.content.decode(), re.S)
    feature = client.get(f"/api/leisure/groups/{groups['TWO-SLOTS'].pk}/").json()
    assert feature["properties"]["seats_left"] == 7


def test_the_catalogue_in_french_and_english(client):
    """The default season (the demo's, the first not over) in each language, one language a
    page: titles, ages and the map's places."""
    fr = client.get("/loisirs/")
    assert fr.status_code == 200
    html = fr.content.decode()
    assert '<html lang="fr"' in html and "Activités de loisir — Hiver 2027" in html
    assert "11 groupes" in html and "Hockey — pré-novice" in html and "5 à 6 ans" in html
    assert "Chaque semaine : mercredi, 17:30–18:30" in html
    assert "95,00 $ résidents, 142,50 $ non-résidents" in html
    assert "Leisure" not in html and "Every week" not in html
    en = client.get("/en/loisirs/")
    html = en.content.decode()
    assert '<html lang="en"' in html and "Leisure activities — Winter 2027" in html
    assert "11 groups" in html and "Hockey — pre-novice" in html and "5 to 6 years" in html
    assert "Every week: Wednesday, 17:30–18:30" in html
    assert "$95.00 residents, $142.50 non-residents" in html
    assert "Chaque semaine" not in html and "Activités de loisir" not in html
    config = en.context["map_config"]
    assert {p["name"]: p["count"] for p in config["places"]} == {
        "Arena and rink": 4, "Parc Bellevue": 1, "Parc Gilles Dicaire": 1,
        "Saint-Patrick Elementary School": 2, "École primaire Edgewater": 3}
    rink = next(p for p in config["places"] if p["count"] == 4)
    assert (rink["lon"], rink["lat"]) == pytest.approx((-73.9847, 45.3824), abs=0.001)
    assert rink["url"].endswith(f"place={rink['id']}#groups") and rink["label"] == "4 groups"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_groups_page(client, language):
    group = Group.objects.get(season__code="H2027", code="HPN-A")
    prefix = "" if language == "fr" else "/en"
    response = client.get(f"{prefix}/loisirs/groupes/{group.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    today = timezone.localdate()
    theirs = sorted(item for slot in group.slots.all() for item in independent(
        slot.rule, slot.starts_on, slot.ends_on, slot.start_time, slot.end_time,
        slot.exceptions) if item[0] >= today)[:10]
    shown = re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)T(\d\d:\d\d)">', html)
    assert shown == [(d.isoformat(), t.strftime("%H:%M")) for d, t in theirs]
    if language == "fr":
        assert "5 à 6 ans au 31 décembre 2026" in html
        assert "Aréna et patinoire — Patinoire extérieure" in html
        assert "95,00 $" in html and "142,50 $" in html and "20 sur 20" in html
        assert "Chaque semaine : samedi, 12:00–13:00, du 16 janvier 2027 au 27 février 2027" \
            in html
        assert "ouvre aux résidents le 8 décembre 2026, 19:00" in html
    else:
        assert "5 to 6 years on December 31, 2026" in html
        assert "$95.00" in html and "$142.50" in html and "20 of 20" in html
        assert "Every week: Saturday, 12:00–13:00, from January 16, 2027 to February 27, " \
               "2027" in html
        assert "opens to residents on December 8, 2026, 19:00" in html
    assert response.context["map_config"]["point"] == pytest.approx([45.3824, -73.9847],
                                                                    abs=0.001)


def test_a_groups_page_with_skipped_dates_a_prerequisite_and_counter_only(client):
    yoga = Group.objects.get(season__code="H2027", code="YOGA-A")
    html = client.get(f"/loisirs/groupes/{yoga.pk}/").content.decode()
    assert "Pas de cours le : 2 mars 2027" in html
    assert '<time datetime="2027-03-02' not in html
    level_2 = Group.objects.get(season__code="H2027", code="PAT2-A")
    html = client.get(f"/loisirs/groupes/{level_2.pk}/").content.decode()
    assert "Patin — niveau 1 : Avoir réussi le niveau 1 de patin." in html
    walk = Group.objects.get(season__code="H2027", code="MARCHE55-A")
    html = client.get(f"/en/loisirs/groupes/{walk.pk}/").content.decode()
    assert "Registration by phone or at the counter only." in html
    assert "55 years and over" in html


def test_a_past_groups_page_says_it_is_over(client, test_season):
    season, groups = test_season
    season.starts_on, season.ends_on = dt.date(2025, 9, 1), dt.date(2025, 12, 20)
    season.save()
    group = groups["TUE-THU"]
    group.slots.update(starts_on=dt.date(2025, 9, 9), ends_on=dt.date(2025, 12, 11))
    response = client.get(f"/loisirs/groupes/{group.pk}/")
    assert 'data-testid="over"' in response.content.decode()
    assert client.get("/loisirs/groupes/999999999/").status_code == 404


BAD = [
    ({"age": "-1"}, "age"), ({"age": "abc"}, "age"), ({"age": "100"}, "age"),
    ({"age": "9" * 400}, "age"),
    ({"born": "2019-13-01"}, "born"), ({"born": "03/10/2019"}, "born"),
    ({"born": "3000-01-01"}, "born"), ({"born": "1899-12-31"}, "born"),
    ({"day": "0"}, "day"), ({"day": "8"}, "day"), ({"day": "samedi"}, "day"),
    ({"time": "night"}, "time"),
    ({"place": "abc"}, "place"), ({"place": "0"}, "place"), ({"place": "99999999999"}, "place"),
    ({"category": "Not A Code"}, "category"), ({"category": "x" * 10_000}, "category"),
    ({"season": "x" * 21}, "season"), ({"age": "6", "born": "2019-10-03"}, "__all__"),
    ({"available": "maybe"}, "available"),
]


@pytest.mark.parametrize(("params", "field"), BAD, ids=[",".join(p) + "=" + list(p.values())[0][:12]
                                                       for p, _ in BAD])
def test_a_bad_parameter_is_a_clear_400(client, params, field):
    page = client.get("/loisirs/", params)
    assert page.status_code == 400
    html = page.content.decode()
    assert 'data-testid="filter-errors"' in html and 'class="errorlist' in html
    assert 'data-group="' not in html
    api = client.get("/api/leisure/groups/", params)
    assert api.status_code == 400
    assert set(api.json()) == {"detail", "errors"} and field in api.json()["errors"]


def test_page_numbers_are_bounded(client):
    for bad in ("0", "abc", "1001"):
        assert client.get("/loisirs/", {"page": bad}).status_code == 400
    assert client.get("/loisirs/", {"page": "5"}).status_code == 200  # past the last: the last
    assert client.get("/api/leisure/groups/", {"page_size": "5000"}).status_code == 400


def test_an_unknown_season_is_a_400_on_the_page_and_no_group_in_the_api(client):
    page = client.get("/loisirs/", {"season": "ZZZ"})
    assert page.status_code == 400 and "ZZZ" in page.content.decode()
    assert client.get("/api/leisure/groups/", {"season": "ZZZ"}).json()["count"] == 0
    assert client.get("/api/leisure/seasons/ZZZ/").status_code == 404


def test_the_api_lists_seasons_categories_and_a_group_with_its_next_sessions(client):
    seasons = client.get("/api/leisure/seasons/").json()
    assert [s["code"] for s in seasons] == ["H2027"]
    assert seasons[0]["residents_from"] == "2026-12-08T19:00:00-05:00"
    assert {c["code"] for c in client.get("/api/leisure/categories/").json()} == {
        "glace", "sports", "plein-air", "camps"}
    collection = client.get("/api/leisure/groups/").json()
    assert collection["count"] == 11
    hockey = Group.objects.get(season__code="H2027", code="HPN-A")
    feature = client.get(f"/en/api/leisure/groups/{hockey.pk}/".replace("/en", ""),
                         HTTP_ACCEPT_LANGUAGE="en").json()
    assert feature["geometry"]["type"] == "Point"
    assert feature["geometry"]["coordinates"] == pytest.approx([-73.9847, 45.3824], abs=0.001)
    props = feature["properties"]
    assert (props["fee_resident"], props["fee_non_resident"]) == ("95.00", "142.50")
    assert [s["rule"] for s in props["slots"]] == ["FREQ=WEEKLY;BYDAY=WE",
                                                   "FREQ=WEEKLY;BYDAY=SA"]
    today = timezone.localdate()
    theirs = sorted(item for slot in hockey.slots.all() for item in independent(
        slot.rule, slot.starts_on, slot.ends_on, slot.start_time, slot.end_time,
        slot.exceptions) if item[0] >= today)[:10]
    assert [(s["date"], s["start"]) for s in props["next_sessions"]] == [
        (d.isoformat(), t.strftime("%H:%M")) for d, t in theirs]


def test_a_group_under_way_shows_its_sessions_from_today(client, test_season):
    """A season around today (so the test holds whatever the date): the page's next sessions
    are the ones from today, as the independent expansion gives them."""
    season, groups = test_season
    today = timezone.localdate()
    season.starts_on, season.ends_on = today - dt.timedelta(days=60), today + dt.timedelta(
        days=60)
    season.save()
    group = groups["TUE-THU"]
    first = today - dt.timedelta(days=40)
    while first.isoweekday() != 2:
        first += dt.timedelta(days=1)
    group.slots.update(starts_on=first, ends_on=today + dt.timedelta(days=50),
                       exceptions=[first + dt.timedelta(days=42)])
    slot = group.slots.get()
    html = client.get(f"/loisirs/groupes/{group.pk}/").content.decode()
    shown = re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)T(\d\d:\d\d)">', html)
    theirs = [(d.isoformat(), t.strftime("%H:%M")) for d, t in independent(
        slot.rule, slot.starts_on, slot.ends_on, slot.start_time, slot.end_time,
        slot.exceptions) if d >= today][:10]
    assert shown == theirs and len(shown) == 10
    assert (first + dt.timedelta(days=42)).isoformat() not in [d for d, _t in shown]


def test_without_any_season_the_catalogue_says_so(client):
    from leisure.models import Season

    Season.objects.all().delete()
    response = client.get("/loisirs/")
    assert response.status_code == 200
    assert "Aucune saison n'est encore publiée." in response.content.decode()
    assert client.get("/api/leisure/groups/").json()["count"] == 0


def test_the_api_description_names_the_catalogues_endpoints_and_filters(client):
    import yaml

    spec = yaml.safe_load(client.get("/api/schema/").content)
    for path in ("/api/leisure/groups/", "/api/leisure/groups/{id}/", "/api/leisure/seasons/",
                 "/api/leisure/seasons/{code}/", "/api/leisure/categories/"):
        assert path in spec["paths"], path
    groups = spec["paths"]["/api/leisure/groups/"]["get"]
    assert {p["name"] for p in groups["parameters"]} == {
        "season", "category", "age", "born", "day", "time", "place", "available", "page",
        "page_size"}
    age = next(p for p in groups["parameters"] if p["name"] == "age")
    assert (age["schema"]["minimum"], age["schema"]["maximum"]) == (0, 99)
    assert {"200", "400", "404"} <= set(groups["responses"])


def _listed_places(client, **params) -> list[str]:
    page = client.get("/loisirs/", {"season": "T2026", **params}).content.decode()
    places = re.search(r'data-testid="places">(.*?)</ul>', page, re.S).group(1)
    return re.findall(r"<li>(.*?)</li>", places)


def test_what_the_catalogue_keeps_in_the_cache_follows_every_edit_and_no_registration(
        client, test_season):
    """The places, the filters' lists and the groups per place are read from the cache under the
    catalogue's data version: an edit of a place or a group shows at once; a write to the
    registrations (registration night) leaves the version, hence the cache, alone."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from geo.models import Place
    from leisure.models import Registration

    _season, groups = test_season
    park, school = groups["AGE-4-6"].place, groups["TUE-THU"].place
    in_park = Group.objects.filter(season__code="T2026", place=park).count()
    in_school = Group.objects.filter(season__code="T2026", place=school).count()
    assert f"{park.name} ({in_park} groupes)" in _listed_places(client)
    with CaptureQueriesContext(connection) as read:
        assert f"{school.name} ({in_school} groupes)" in _listed_places(client)
    assert not [q for q in read.captured_queries  # the season's places: from the cache
                if q["sql"].startswith(('SELECT "geo_place"', 'SELECT "leisure_activitycategory"'))]

    version = selectors.catalogue_version()
    assert Registration.objects.filter(seq=-1).update(reason="") == 0  # a statement, no row
    assert selectors.catalogue_version() == version

    Place.objects.filter(pk=park.pk).update(name="Parc renommé")
    assert selectors.catalogue_version() > version
    listed = _listed_places(client)
    assert f"Parc renommé ({in_park} groupes)" in listed
    assert not [p for p in listed if p.startswith(park.name)]
    Group.objects.filter(pk=groups["AGE-4-6"].pk).update(place=school)  # moved
    listed = _listed_places(client)
    assert f"{school.name} ({in_school + 1} groupes)" in listed
    assert f"Parc renommé ({in_park - 1} groupe{'s' if in_park > 2 else ''})" in listed


def _card(client, code: str) -> str:
    page = client.get("/loisirs/", {"season": "T2026"}).content.decode()
    return re.search(rf'<li class="card" data-group="{code}">(.*?)</li>', page, re.S).group(1)


def test_a_cards_seats_are_live_and_the_rest_follows_every_edit(client, test_season,
                                                                monkeypatch):
    """A card is kept in the cache around its seats left: a registration changes its seats at
    once (no catalogue edit), an edit of its group (a fee) its text at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _season, groups = test_season
    assert "10 sur 10" in _card(client, "TUE-THU") and "50,00" in _card(client, "TUE-THU")
    with CaptureQueriesContext(connection) as read:
        _card(client, "TUE-THU")
    assert not [q for q in read.captured_queries if "leisure_timeslot" in q["sql"]]  # cached
    monkeypatch.setattr(selectors, "registered_count", lambda: Case(  # 4 seats taken
        When(code="TUE-THU", then=Value(4)), default=Value(0), output_field=IntegerField()))
    assert "6 sur 10" in _card(client, "TUE-THU")
    Group.objects.filter(pk=groups["TUE-THU"].pk).update(fee_resident="42.00")
    card = _card(client, "TUE-THU")
    assert "42,00" in card and "50,00" not in card and "6 sur 10" in card
