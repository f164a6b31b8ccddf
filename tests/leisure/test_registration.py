"""Registration as a parent lives it, through the pages: the basket (who may go in it: age at
the reference date across a birthday, a date of birth missing, the same hour twice), residents'
and everyone's windows and fees (a pending link is not residency), confirmation (a seat held,
a group filled between basket and confirmation, a window not open: refused, nothing changed),
the waiting list (positions in confirmation order, a freed seat offered to the first, the
delay to accept, expiry to the next), cancellation until the deadline; another citizen's
registrations are a 404."""
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from citizens.models import HouseholdMember, PropertyLink
from geo.models import Place
from leisure import services
from leisure.models import Activity, ActivityCategory, Registration, Season
from properties.models import Property
from tests.citizens.conftest import smtp_sink  # noqa: F401 (fixture)

from .conftest import make_group

pytestmark = pytest.mark.django_db
S = Registration.Status
MON = "FREQ=WEEKLY;BYDAY=MO"


def _season(*, residents_in=-dt.timedelta(hours=1), everyone_in=dt.timedelta(hours=1),
            first_session_in_days=30, cancellation_days=7):
    now = timezone.now()
    start = timezone.localdate() + dt.timedelta(days=first_session_in_days)
    start -= dt.timedelta(days=start.weekday())  # a Monday
    return Season.objects.create(
        code="R-TEST", name_fr="Saison test", name_en="Test season", starts_on=start,
        ends_on=start + dt.timedelta(days=60), residents_from=now + residents_in,
        everyone_from=now + everyone_in, closes_at=now + dt.timedelta(days=20),
        cancellation_days=cancellation_days)


@pytest.fixture
def season():
    return _season()


@pytest.fixture
def activity():
    category = ActivityCategory.objects.create(code="r-swim", name_fr="Natation R",
                                               name_en="Swimming R")
    return Activity.objects.create(code="R-SWIM", category=category, title_fr="Nage R",
                                   title_en="Swim R")


@pytest.fixture
def place():
    return Place.objects.get(name="Parc Bellevue")


def group_in(season, activity, place, code, *, capacity=2, waiting=2, hour=17, ages=(0, 99),
             age_on=None):
    return make_group(season, code, activity, place, capacity=capacity, ages=ages,
                      age_on=age_on, waiting_list_size=waiting,
                      slots=[(MON, dt.time(hour), dt.time(hour + 1), season.starts_on,
                              season.ends_on)])


def citizen(name, *, resident=True, pending=False):
    user = get_user_model().objects.create_user(f"{name}@example.org", f"{name}@example.org",
                                                "pw-long-enough-123")
    if resident or pending:
        prop = Property.objects.order_by("pk")[len(name)]
        PropertyLink.objects.create(
            user=user, property=prop, role=PropertyLink.Role.OWNER,
            status=PropertyLink.Status.PENDING if pending else PropertyLink.Status.VERIFIED)
    return user


def child(user, first, born=dt.date(2018, 5, 1)):
    return HouseholdMember.objects.create(user=user, first_name=first, last_name="Test",
                                          birth_year=born.year, birth_date=born)


def add(client, group, *members):
    return client.post(f"/loisirs/groupes/{group.pk}/panier/",
                       {"members": [str(m.pk) for m in members]})


def confirm(client):
    return client.post("/loisirs/panier/confirmer/")


def registered(group):
    return list(Registration.objects.filter(group=group, status=S.REGISTERED)
                .values_list("member__first_name", flat=True).order_by("seq"))


def waiting(group):
    return list(Registration.objects.filter(group=group, status=S.WAITING)
                .values_list("member__first_name", flat=True).order_by("seq"))


def test_a_parent_registers_two_children_in_one_basket(client, season, activity, place):
    group = group_in(season, activity, place, "R-A", capacity=3)
    parent = citizen("ana")
    kids = child(parent, "Léa"), child(parent, "Noah")
    client.force_login(parent)
    page = client.get(f"/loisirs/groupes/{group.pk}/")
    assert 'data-testid="register-form"' in page.content.decode()
    response = add(client, group, *kids)
    assert response.status_code == 302 and response["Location"].endswith("/loisirs/panier/")
    basket = client.get("/loisirs/panier/").content.decode()
    assert basket.count('data-testid="basket-item"') == 2
    assert "100,00" in basket  # 2 x the resident fee (50,00 $)
    # the seats are held while the basket is confirmed: the catalogue counts them
    assert client.get(f"/loisirs/groupes/{group.pk}/").context["group"].seats_left == 1
    response = confirm(client)
    assert response.status_code == 302 and response["Location"].endswith("/loisirs/inscriptions/")
    assert sorted(registered(group)) == ["Léa", "Noah"]
    assert set(Registration.objects.filter(group=group).values_list("fee", flat=True)) == {
        Decimal("50.00")}
    page = client.get("/loisirs/inscriptions/").content.decode()
    assert page.count('data-status="registered"') == 2
    assert "100,00" in page  # fees due


def test_age_is_counted_at_the_groups_reference_date_across_a_birthday(client, season,
                                                                          activity, place):
    parent = citizen("bea")
    kid = child(parent, "Eli", born=dt.date(2019, 10, 3))
    on_birthday = group_in(season, activity, place, "R-OCT3", ages=(7, 9),
                           age_on=dt.date(2026, 10, 3))
    day_before = group_in(season, activity, place, "R-OCT2", ages=(7, 9), hour=18,
                          age_on=dt.date(2026, 10, 2))
    client.force_login(parent)
    assert add(client, on_birthday, kid).status_code == 302
    response = add(client, day_before, kid)
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("6" in m and "2026-10-02" in m for m in messages), messages
    assert [r.group.code for r in services.basket(parent)] == ["R-OCT3"]


def test_a_member_without_a_date_of_birth_is_asked_for_it(client, season, activity, place):
    parent = citizen("cal")
    kid = HouseholdMember.objects.create(user=parent, first_name="Zoé", last_name="T",
                                         birth_year=2017)
    group = group_in(season, activity, place, "R-B")
    client.force_login(parent)
    page = client.get(f"/loisirs/groupes/{group.pk}/").content.decode()
    assert "date de naissance" in page
    add(client, group, kid)
    assert not Registration.objects.filter(member=kid).exists()


def test_the_same_member_at_the_same_hour_twice_is_refused(client, season, activity, place):
    parent = citizen("dan")
    kid = child(parent, "Max")
    first = group_in(season, activity, place, "R-17A", hour=17)
    same_hour = group_in(season, activity, place, "R-17B", hour=17)
    other_hour = group_in(season, activity, place, "R-19", hour=19)
    client.force_login(parent)
    add(client, first, kid)
    response = add(client, same_hour, kid)
    assert any("R-17A" in str(m) for m in response.wsgi_request._messages)
    add(client, other_hour, kid)
    assert sorted(r.group.code for r in services.basket(parent)) == ["R-17A", "R-19"]
    # and the same group twice
    add(client, first, kid)
    assert Registration.objects.filter(member=kid, group=first).count() == 1


def test_only_ones_own_household_goes_in_the_basket(client, season, activity, place):
    group = group_in(season, activity, place, "R-C")
    parent, other = citizen("eve"), citizen("fay")
    theirs = child(other, "Tom")
    client.force_login(parent)
    add(client, group, theirs)
    assert not Registration.objects.filter(member=theirs).exists()


def test_non_residents_wait_for_their_window_and_pay_their_fee(client, activity, place):
    season = _season(everyone_in=dt.timedelta(hours=1))
    group = group_in(season, activity, place, "R-D", capacity=5)
    pending = citizen("gus", resident=False, pending=True)  # a pending link is not residency
    kid = child(pending, "Ivy")
    client.force_login(pending)
    assert add(client, group, kid).status_code == 302  # a basket may be prepared
    item = Registration.objects.get(member=kid)
    assert item.held_until is None  # but holds no seat before the citizen's window
    response = confirm(client)
    assert response.status_code == 400
    assert "résidents" in response.content.decode()
    item.refresh_from_db()
    assert item.status == S.IN_BASKET and item.seq is None  # nothing changed
    Season.objects.filter(pk=season.pk).update(everyone_from=timezone.now())
    assert confirm(client).status_code == 302
    item.refresh_from_db()
    assert item.status == S.REGISTERED and item.fee == Decimal("75.00") and not item.resident


def test_nobody_confirms_before_the_residents_window(client, activity, place):
    season = _season(residents_in=dt.timedelta(minutes=5), everyone_in=dt.timedelta(hours=1))
    group = group_in(season, activity, place, "R-E")
    parent = citizen("hal")
    kid = child(parent, "Jo")
    client.force_login(parent)
    add(client, group, kid)
    response = confirm(client)
    assert response.status_code == 400
    assert Registration.objects.get(member=kid).status == S.IN_BASKET


def test_a_group_full_between_basket_and_confirmation_puts_on_the_waiting_list(
        client, activity, place):
    season = _season(residents_in=dt.timedelta(minutes=5))
    group = group_in(season, activity, place, "R-F", capacity=1, waiting=1)
    parents = [citizen(name) for name in ("ian", "jay", "kim")]
    kids = [child(p, name) for p, name in zip(parents, ("A1", "B2", "C3"), strict=True)]
    for parent, kid in zip(parents, kids, strict=True):
        services.add_to_basket(parent, group.pk, [kid])
    Season.objects.filter(pk=season.pk).update(residents_from=timezone.now())
    outcomes = [services.confirm_basket(p)[0] for p in parents]
    assert [o.status for o in outcomes] == [S.REGISTERED, S.WAITING, S.CANCELLED]
    assert outcomes[1].position == 1
    client.force_login(parents[2])
    page = client.get("/loisirs/inscriptions/").content.decode()
    ended = page[page.index('data-testid="ended"'):]
    assert "C3" in ended and "groupe et liste d’attente complets" in ended
    assert registered(group) == ["A1"] and waiting(group) == ["B2"]


def test_a_held_seat_is_kept_for_its_basket_and_released_after_the_delay(
        settings, season, activity, place):
    group = group_in(season, activity, place, "R-G", capacity=1, waiting=3)
    early, late = citizen("lou"), citizen("mia")
    kid_early, kid_late = child(early, "Early"), child(late, "Late")
    [held] = services.add_to_basket(early, group.pk, [kid_early])
    assert held.held_until is not None
    [unheld] = services.add_to_basket(late, group.pk, [kid_late])
    assert unheld.held_until is None  # the only seat is held
    assert services.confirm_basket(late)[0].status == S.WAITING  # confirmed first, but held
    assert services.confirm_basket(early)[0].status == S.REGISTERED
    # a hold past its delay takes no seat: the seat goes by confirmation order
    other = group_in(season, activity, place, "R-H", capacity=1, waiting=3, hour=19)
    [held] = services.add_to_basket(early, other.pk, [kid_early])
    Registration.objects.filter(pk=held.pk).update(
        held_until=timezone.now() - dt.timedelta(seconds=1))
    services.add_to_basket(late, other.pk, [kid_late])
    assert services.confirm_basket(late)[0].status == S.REGISTERED
    assert services.confirm_basket(early)[0].status == S.WAITING


def test_a_freed_seat_is_offered_to_the_first_waiting_who_has_a_delay_to_accept(
        client, season, activity, place, smtp_sink,  # noqa: F811 (fixture)
        django_capture_on_commit_callbacks):
    group = group_in(season, activity, place, "R-I", capacity=1, waiting=3)
    parents = [citizen(name) for name in ("ned", "oli", "pam")]
    kids = [child(p, name) for p, name in zip(parents, ("First", "Second", "Third"),
                                              strict=True)]
    for parent, kid in zip(parents, kids, strict=True):
        services.add_to_basket(parent, group.pk, [kid])
        services.confirm_basket(parent)
    assert registered(group) == ["First"] and waiting(group) == ["Second", "Third"]
    client.force_login(parents[0])
    first = Registration.objects.get(member=kids[0])
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail task runs on commit
        assert client.post(f"/loisirs/inscriptions/{first.pk}/annuler/").status_code == 302
    offered = Registration.objects.get(member=kids[1])
    assert offered.status == S.OFFERED and offered.offer_until > timezone.now()
    assert [m.envelope_to for m in smtp_sink.messages] == [["oli@example.org"]]
    body = smtp_sink.text(smtp_sink.messages[0])
    assert "Second" in body and "liste d’attente" in body
    # nobody takes the offered seat meanwhile
    late = citizen("quinn")
    services.add_to_basket(late, group.pk, [child(late, "Late")])
    assert services.confirm_basket(late)[0].status == S.WAITING
    # the delay passes: the seat goes to the next one
    Registration.objects.filter(pk=offered.pk).update(
        offer_until=timezone.now() - dt.timedelta(minutes=1))
    services.expire_offers()
    offered.refresh_from_db()
    assert offered.status == S.CANCELLED and offered.reason == Registration.Reason.EXPIRED
    third = Registration.objects.get(member=kids[2])
    assert third.status == S.OFFERED
    client.force_login(parents[1])
    response = client.post(f"/loisirs/inscriptions/{offered.pk}/accepter/")
    assert Registration.objects.get(pk=offered.pk).status == S.CANCELLED
    client.force_login(parents[2])
    page = client.get("/loisirs/inscriptions/").content.decode()
    assert "offerte" in page
    response = client.post(f"/loisirs/inscriptions/{third.pk}/accepter/")
    assert response.status_code == 302
    third.refresh_from_db()
    assert third.status == S.REGISTERED and third.fee == Decimal("50.00")
    assert registered(group) == ["Third"]


def test_a_declined_offer_goes_to_the_next(season, activity, place):
    group = group_in(season, activity, place, "R-J", capacity=1, waiting=3)
    users = [citizen(n) for n in ("rae", "sam", "tia")]
    kids = [child(u, n) for u, n in zip(users, ("R1", "R2", "R3"), strict=True)]
    for user, kid in zip(users, kids, strict=True):
        services.add_to_basket(user, group.pk, [kid])
        services.confirm_basket(user)
    services.cancel(Registration.objects.get(member=kids[0]).pk, user=users[0])
    services.decline_offer(users[1], Registration.objects.get(member=kids[1]).pk)
    assert Registration.objects.get(member=kids[2]).status == S.OFFERED


def test_cancellation_by_the_citizen_ends_at_the_deadline(client, activity, place):
    season = _season(first_session_in_days=30, cancellation_days=7)
    group = group_in(season, activity, place, "R-K", capacity=3)
    parent = citizen("uma")
    kids = child(parent, "Val"), child(parent, "Wil")
    services.add_to_basket(parent, group.pk, list(kids))
    services.confirm_basket(parent)
    first, second = (Registration.objects.get(member=kid) for kid in kids)
    client.force_login(parent)
    # the first session is 24 to 30 days away: cancelling 7 days before is still possible
    assert services.cancellation_deadline(group) >= timezone.localdate()
    client.post(f"/loisirs/inscriptions/{first.pk}/annuler/")
    assert Registration.objects.get(pk=first.pk).status == S.CANCELLED
    # 60 days before: the deadline has passed
    Season.objects.filter(pk=season.pk).update(cancellation_days=60)
    deadline = services.cancellation_deadline(Registration.objects.get(pk=second.pk).group)
    assert deadline < timezone.localdate()
    page = client.get("/loisirs/inscriptions/").content.decode()
    assert "appelez le comptoir" in page  # no cancel button: the page says to call
    response = client.post(f"/loisirs/inscriptions/{second.pk}/annuler/")
    assert response.status_code == 302
    assert Registration.objects.get(pk=second.pk).status == S.REGISTERED
    assert [str(m) for m in response.wsgi_request._messages] == [
        f"L’annulation en ligne a pris fin le {deadline.isoformat()} ; appelez le comptoir "
        "des loisirs."]


def test_another_citizens_registrations_are_404(client, season, activity, place):
    group = group_in(season, activity, place, "R-L", capacity=1, waiting=2)
    owner, waiting_one, intruder = citizen("wes"), citizen("xia"), citizen("yan")
    mine = child(owner, "Mine")
    services.add_to_basket(owner, group.pk, [mine])
    services.confirm_basket(owner)
    services.add_to_basket(waiting_one, group.pk, [child(waiting_one, "Theirs")])
    services.confirm_basket(waiting_one)
    registration = Registration.objects.get(member=mine)
    client.force_login(intruder)
    for action in ("annuler", "accepter", "refuser"):
        response = client.post(f"/loisirs/inscriptions/{registration.pk}/{action}/")
        assert response.status_code == 404, action
    assert Registration.objects.get(pk=registration.pk).status == S.REGISTERED
    page = client.get("/loisirs/inscriptions/").content.decode()
    assert "Mine" not in page and "Theirs" not in page
    # removing another's basket item does nothing
    services.add_to_basket(owner, group_in(season, activity, place, "R-M", hour=19).pk, [mine])
    item = Registration.objects.get(member=mine, status=S.IN_BASKET)
    client.post(f"/loisirs/panier/{item.pk}/retirer/")
    assert Registration.objects.get(pk=item.pk).status == S.IN_BASKET
    # the pages need an account
    client.logout()
    for url in ("/loisirs/panier/", "/loisirs/inscriptions/"):
        assert client.get(url).status_code == 302


def test_the_pages_speak_english(client, season, activity, place):
    group = group_in(season, activity, place, "R-N")
    parent = citizen("zed")
    kid = child(parent, "Kid")
    client.force_login(parent)
    services.add_to_basket(parent, group.pk, [kid])
    page = client.get("/en/loisirs/panier/").content.decode()
    assert "Confirm my basket" in page and "Confirmer" not in page
    services.confirm_basket(parent)
    page = client.get("/en/loisirs/inscriptions/").content.decode()
    assert "My leisure registrations" in page and "Annuler" not in page


def test_a_double_click_confirms_once(season, activity, place):
    group = group_in(season, activity, place, "R-O", capacity=5)
    parent = citizen("abe")
    services.add_to_basket(parent, group.pk, [child(parent, "Once")])
    services.confirm_basket(parent)
    with pytest.raises(services.Refused):
        services.confirm_basket(parent)
    assert Registration.objects.filter(group=group).count() == 1


def test_a_household_member_born_in_the_future_is_refused(client):
    parent = citizen("bob")
    client.force_login(parent)
    future = timezone.localdate() + dt.timedelta(days=1)
    response = client.post("/mon-compte/menage/ajouter/", {
        "first_name": "Futur", "last_name": "T", "birth_date": future.isoformat()})
    assert response.status_code in (200, 400)
    assert response.context["form"].errors["birth_date"]
    assert not HouseholdMember.objects.filter(user=parent).exists()
    response = client.post("/mon-compte/menage/ajouter/", {
        "first_name": "Kid", "last_name": "T", "birth_date": "2019-10-03"})
    assert response.status_code == 302
    assert HouseholdMember.objects.get(user=parent).birth_year == 2019


def test_the_offers_job_gives_an_expired_offer_to_the_next(season, activity, place):
    from django.core.management import call_command

    group = group_in(season, activity, place, "R-P", capacity=1, waiting=3)
    users = [citizen(n) for n in ("cy", "di", "el")]
    kids = [child(u, n) for u, n in zip(users, ("J1", "J2", "J3"), strict=True)]
    for user, kid in zip(users, kids, strict=True):
        services.add_to_basket(user, group.pk, [kid])
        services.confirm_basket(user)
    services.cancel(Registration.objects.get(member=kids[0]).pk, user=users[0])
    call_command("leisure_offers", stdout=io.StringIO())  # nothing expired yet
    assert Registration.objects.get(member=kids[1]).status == S.OFFERED
    Registration.objects.filter(member=kids[1]).update(offer_until=timezone.now())
    call_command("leisure_offers", stdout=io.StringIO())
    assert Registration.objects.get(member=kids[1]).reason == Registration.Reason.EXPIRED
    assert Registration.objects.get(member=kids[2]).status == S.OFFERED


def test_a_prerequisite_is_attested_unless_the_level_was_taken_here(client, season, activity,
                                                                     place):
    level_2 = Activity.objects.create(code="R-SWIM-2", category=activity.category,
                                      title_fr="Nage R niveau 2", title_en="Swim R level 2")
    group = group_in(season, level_2, place, "R-Q", hour=19)
    group.prerequisite = activity
    group.save()
    parent = citizen("fox")
    new, returning = child(parent, "Neuf"), child(parent, "Retour")
    # "Retour" took level 1 here (a registration in a group of the prerequisite activity)
    level_1 = group_in(season, activity, place, "R-R", hour=17)
    services.register_for(None, returning, level_1.pk)
    client.force_login(parent)
    page = client.get(f"/loisirs/groupes/{group.pk}/").content.decode()
    assert 'data-testid="attest"' in page and "Nage R" in page
    response = client.post(f"/loisirs/groupes/{group.pk}/panier/", {"members": [str(new.pk)]})
    assert any("Nage R" in str(m) and "Neuf" in str(m)
               for m in response.wsgi_request._messages)
    assert not Registration.objects.filter(member=new, group=group).exists()
    client.post(f"/loisirs/groupes/{group.pk}/panier/",
                {"members": [str(new.pk)], "attested": "on"})
    assert Registration.objects.get(member=new, group=group).attested_prerequisite
    client.post(f"/loisirs/groupes/{group.pk}/panier/", {"members": [str(returning.pk)]})
    assert not Registration.objects.get(member=returning, group=group).attested_prerequisite


def test_a_clash_that_appeared_since_the_basket_refuses_the_confirmation(season, activity,
                                                                         place):
    """The member is in the basket for a 17:00 group and registered in a 19:00 one; the
    19:00 group then moves to 17:00 (a new export of the season): confirming is refused."""
    parent = citizen("gil")
    kid = child(parent, "Moved")
    evening = group_in(season, activity, place, "R-S", hour=19)
    services.register_for(None, kid, evening.pk)
    five = group_in(season, activity, place, "R-T", hour=17)
    services.add_to_basket(parent, five.pk, [kid])
    evening.slots.update(start_time=dt.time(17), end_time=dt.time(18))
    with pytest.raises(services.Refused) as refused:
        services.confirm_basket(parent)
    assert "R-S" in refused.value.message
    assert Registration.objects.get(member=kid, group=five).status == S.IN_BASKET
