"""Opening night in a real browser: a resident parent puts their two children in the basket
from a group's page before the residents' window opens (no seat is held yet, the page says
when it opens), confirms as soon as it opens, sees both registered with the fees due, then
"our week" with their sessions, and prints it (one page, no site chrome). axe-core finds no
serious or critical violation on the catalogue, group, basket, registrations and week pages."""
import datetime as dt
import time
import uuid

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.people import PASSWORD, in_thread, sign_in

from .test_property_map import _serious

pytestmark = [pytest.mark.django_db, pytest.mark.e2e]
OPENS_IN = dt.timedelta(seconds=8)


def _make(tag):
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    from citizens.models import HouseholdMember, PropertyLink
    from demo.access_code import demo_property
    from geo.models import Place
    from leisure.models import Activity, ActivityCategory, Group, Season, TimeSlot

    email = f"e2e-parent-{tag}@example.org"
    user = get_user_model().objects.create_user(username=f"parent-{tag}", email=email,
                                                password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    PropertyLink.objects.create(user=user, property=demo_property(),
                                role=PropertyLink.Role.OWNER,
                                status=PropertyLink.Status.VERIFIED,
                                method=PropertyLink.Method.CODE)
    for first, born in (("Léa", dt.date(2018, 4, 2)), ("Noah", dt.date(2019, 11, 20))):
        HouseholdMember.objects.create(user=user, first_name=first, last_name="Essai",
                                       birth_year=born.year, birth_date=born)
    now = timezone.now()
    first_day = timezone.localdate() + dt.timedelta(days=21)
    first_day += dt.timedelta(days=(5 - first_day.weekday()) % 7)  # a Saturday
    season = Season.objects.create(
        code=f"E{tag[:6]}", name_fr=f"Printemps essai {tag[:4]}", name_en=f"Spring test {tag[:4]}",
        starts_on=first_day, ends_on=first_day + dt.timedelta(days=55),
        residents_from=now + OPENS_IN, everyone_from=now + dt.timedelta(days=2),
        closes_at=now + dt.timedelta(days=10))
    category = ActivityCategory.objects.create(code=f"e-aqua-{tag}", name_fr="Aquatique E",
                                               name_en="Aquatics E")
    activity = Activity.objects.create(code=f"E-NAGE-{tag}", category=category,
                                       title_fr="Nage essai", title_en="Swim test")
    group = Group.objects.create(
        season=season, code="NAGE-E", activity=activity, place=Place.objects.get(
            name="Parc Bellevue"), age_min=5, age_max=8, age_on=first_day, capacity=2,
        waiting_list_size=5, fee_resident="60.00", fee_non_resident="90.00")
    TimeSlot.objects.create(group=group, rule="FREQ=WEEKLY;BYDAY=SA", starts_on=first_day,
                            ends_on=first_day + dt.timedelta(days=49),
                            start_time=dt.time(9, 30), end_time=dt.time(10, 20))
    return email, group.pk, season.code, first_day


def _remove(tag):
    from django.contrib.auth import get_user_model

    from core.models import AccessLog
    from leisure.models import Activity, ActivityCategory, Registration, Season

    users = get_user_model().objects.filter(username=f"parent-{tag}")
    seasons = Season.objects.filter(code=f"E{tag[:6]}")
    Registration.objects.filter(group__season__in=seasons).delete()
    for season in seasons:
        season.groups.all().delete()
    seasons.delete()
    Activity.objects.filter(code=f"E-NAGE-{tag}").delete()
    ActivityCategory.objects.filter(code=f"e-aqua-{tag}").delete()
    AccessLog.objects.filter(subject__in=users).delete()
    users.delete()


@pytest.fixture
def parent(site_url, clear_shared_cache):
    clear_shared_cache()
    tag = uuid.uuid4().hex[:8]
    made = in_thread(_make, tag)
    yield made
    in_thread(_remove, tag)


def test_a_parent_registers_two_children_on_opening_night(page, site_url, parent):
    email, group_id, season_code, first_day = parent
    opens_at = time.monotonic() + OPENS_IN.total_seconds()
    sign_in(page, site_url, email)

    page.goto(f"{site_url}/loisirs/?season={season_code}")
    expect(page.locator("ul.groups > li")).to_have_count(1)
    assert _serious(page) == []

    page.goto(f"{site_url}/loisirs/groupes/{group_id}/")
    form = page.get_by_test_id("register-form")
    expect(form.get_by_test_id("window-problem")).to_contain_text("ouvre le")
    form.get_by_label("Léa Essai").check()
    form.get_by_label("Noah Essai").check()
    assert _serious(page) == []
    form.get_by_role("button", name="Ajouter à mon panier").click()

    page.wait_for_url("**/loisirs/panier/")
    expect(page.get_by_test_id("basket-item")).to_have_count(2)
    expect(page.get_by_test_id("basket-total")).to_contain_text("120,00")
    assert _serious(page) == []

    # 19:00: the window opens; the parent reloads and confirms.
    time.sleep(max(0.0, opens_at - time.monotonic()) + 0.5)
    page.reload()
    page.get_by_role("button", name="Confirmer mon panier").click()
    page.wait_for_url("**/loisirs/inscriptions/")
    rows = page.get_by_test_id("registration")
    expect(rows).to_have_count(2)
    expect(page.locator('[data-status="registered"]')).to_have_count(2)
    expect(page.get_by_test_id("fees-due")).to_contain_text("120,00")
    expect(page.locator(".messages")).to_contain_text("Inscription confirmée pour Léa Essai")
    assert _serious(page) == []

    # Our week: the first session's week (nothing running yet), both children on Saturday.
    page.get_by_role("link", name="Notre semaine").click()
    page.wait_for_url("**/loisirs/notre-semaine/")
    sessions = page.get_by_test_id("week-session")
    expect(sessions).to_have_count(2)
    expect(page.locator("#week-title")).to_contain_text(str(first_day.year))
    assert sorted(sessions.all_inner_texts())[0].count("09:30") == 1
    assert _serious(page) == []
    # on a phone (320 px): no sideways scrolling
    page.set_viewport_size({"width": 320, "height": 640})
    for url in ("/loisirs/notre-semaine/", "/loisirs/inscriptions/", "/loisirs/panier/"):
        page.goto(site_url + url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, url
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(site_url + "/loisirs/notre-semaine/")

    # The printable summary: one page, without the site's header and footer.
    page.get_by_role("link", name="Sommaire à imprimer").click()
    page.wait_for_url("**/loisirs/notre-semaine/sommaire/")
    expect(page.get_by_test_id("summary-person")).to_have_count(2)
    expect(page.get_by_test_id("summary-total")).to_contain_text("120,00")
    assert _serious(page) == []
    page.emulate_media(media="print")
    expect(page.locator("header.site-header")).to_be_hidden()
    expect(page.get_by_test_id("summary-total")).to_be_visible()
    pdf = page.pdf(format="Letter")
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 1
    assert not page.js_errors
