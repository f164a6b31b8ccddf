"""Linking a property to an account: the access code of the tax bill (typed as people type it,
throttled against guessing), a clerk's approval at the desk, removing a link, the clerks' pages
and the command that issues the codes for the bills."""
import csv
import io
import re
import stat
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from citizens import services as links
from citizens.models import AccessCode, LinkAttempt, PropertyLink
from core.models import AccessLog
from demo.access_code import DEMO_ACCESS_CODE, demo_property
from properties.models import Property

pytestmark = pytest.mark.django_db

INVALID = "This matricule and access code do not match. Check both on your tax bill."
THROTTLED = "Too many attempts. For your security, try again after %(time)s."
UNKNOWN_MATRICULE = "9999-99-9999-9-999-9999"
CODE_ON_PAGE = re.compile(r'data-testid="access-code">([A-Z0-9-]+)<')


def fr(message: str) -> str:
    """A message as the (French) site shows it, translated or not yet."""
    with translation.override("fr"):
        return gettext(message)


def throttle_message(retry_at) -> str:
    with translation.override("fr"):
        return gettext(THROTTLED) % {
            "time": formats.time_format(timezone.localtime(retry_at), "TIME_FORMAT")}


def digits(matricule: str) -> str:
    return "".join(c for c in matricule if c.isdigit())


def wrong(code: str) -> str:
    """Another valid-looking code: the same one with its first character changed."""
    return ("B" if code[0] == "A" else "A") + code[1:]


def post_link(client, matricule, code="", role="owner", action="code"):
    return client.post(reverse("citizens:link_request"),
                       {"matricule": matricule, "code": code, "role": role, "action": action})


def form_errors(response):
    return response.context["form"].non_field_errors()


def open_links(user, prop):
    return PropertyLink.objects.filter(user=user, property=prop,
                                       status__in=links.OPEN_STATUSES)


@pytest.fixture
def homes():
    """Three properties with a parcel, none of them the demo's (which has a published code)."""
    demo = demo_property()
    return list(Property.objects.exclude(parcel=None).exclude(pk=demo.pk).order_by("pk")[:3])


@pytest.fixture
def home(homes):
    return homes[0]


@pytest.fixture
def code(home):
    return links.issue_access_code(property=home)


@pytest.fixture
def alice(make_citizen):
    return make_citizen("alice@example.org")


@pytest.fixture
def bob(make_citizen):
    return make_citizen("bob@example.org")


@pytest.fixture
def clerk(django_user_model):
    return django_user_model.objects.create_user(
        username="commis", email="commis@pincourt.example", password="x-Commis-2026!",
        is_staff=True)


@pytest.fixture
def pending(alice, home):
    return links.request_clerk_approval(user=alice, matricule=home.matricule, role="occupant")


@pytest.fixture
def verified(alice, home, code):
    return links.request_link(user=alice, matricule=home.matricule, code=code, role="owner")


# Linking with the access code

@pytest.mark.parametrize("typed", ["as printed", "lower case", "no dash", "spaces"])
def test_the_right_code_links_the_property_however_it_is_typed(client, alice, home, code,
                                                               typed):
    entered = {"as printed": code, "lower case": code.lower(),
               "no dash": code.replace("-", ""),
               "spaces": " " + code.replace("-", " ").lower() + " "}[typed]
    client.force_login(alice)
    response = post_link(client, home.matricule, entered)
    link = PropertyLink.objects.get(user=alice, property=home)
    assert response.status_code == 302
    assert response.url == reverse("citizens:link_detail", args=[link.pk])
    assert (link.status, link.method, link.role) == ("verified", "code", "owner")
    assert link.decided_at is not None and link.decided_by is None
    assert LinkAttempt.objects.filter(user=alice, property=home, succeeded=True).count() == 1


@pytest.mark.parametrize("typed", ["digits only", "spaces"])
def test_the_matricule_may_be_typed_without_dashes(client, alice, home, code, typed):
    matricule = digits(home.matricule)
    if typed == "spaces":
        matricule = " ".join(home.matricule.split("-"))
    client.force_login(alice)
    assert post_link(client, matricule, code).status_code == 302
    assert open_links(alice, home).get().status == "verified"


def test_linking_is_written_to_the_access_log(client, alice, home, code):
    client.force_login(alice)
    post_link(client, home.matricule, code)
    link = PropertyLink.objects.get(user=alice, property=home)
    entry = AccessLog.objects.get(subject=alice, action="change")
    assert entry.actor == alice and not entry.actor_is_staff
    assert entry.record == f"link:{link.pk}"


def test_the_link_page_shows_the_verified_link_and_logs_the_view(client, alice, verified):
    client.force_login(alice)
    response = client.get(reverse("citizens:link_detail", args=[verified.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert verified.property.matricule in html
    assert reverse("portal:tax_account", args=[verified.pk]) in html
    assert AccessLog.objects.filter(subject=alice, actor=alice, action="view",
                                    record=f"link:{verified.pk}").exists()


def test_a_wrong_code_is_refused_and_recorded(client, alice, home, code):
    client.force_login(alice)
    response = post_link(client, home.matricule, wrong(code))
    assert response.status_code == 200
    assert form_errors(response) == [fr(INVALID)]
    assert not PropertyLink.objects.filter(user=alice).exists()
    attempt = LinkAttempt.objects.get(user=alice)
    assert attempt.property == home and not attempt.succeeded


def test_an_unknown_matricule_gets_the_same_error_as_a_wrong_code(client, alice, home, code):
    client.force_login(alice)
    unknown = post_link(client, UNKNOWN_MATRICULE, code)
    wrong_code = post_link(client, home.matricule, wrong(code))
    assert unknown.status_code == wrong_code.status_code == 200
    assert form_errors(unknown) == form_errors(wrong_code) == [fr(INVALID)]
    assert not PropertyLink.objects.filter(user=alice).exists()
    assert LinkAttempt.objects.filter(user=alice, property=None, succeeded=False).count() == 1


def test_a_property_without_a_code_cannot_be_linked_with_a_guess(client, alice, homes):
    client.force_login(alice)
    response = post_link(client, homes[1].matricule, "ABCDE-23456")
    assert form_errors(response) == [fr(INVALID)]
    assert not PropertyLink.objects.filter(user=alice).exists()


def test_the_code_is_required_unless_asking_a_clerk(client, alice, home, code):
    client.force_login(alice)
    response = post_link(client, home.matricule, "   ")
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not PropertyLink.objects.filter(user=alice).exists()
    assert not LinkAttempt.objects.exists()


def test_a_regenerated_code_replaces_the_previous_one(client, alice, home, code):
    new_code = links.issue_access_code(property=home)
    assert new_code != code and AccessCode.objects.filter(property=home).count() == 1
    client.force_login(alice)
    assert form_errors(post_link(client, home.matricule, code)) == [fr(INVALID)]
    assert post_link(client, home.matricule, new_code).status_code == 302
    assert open_links(alice, home).get().status == "verified"


def test_issued_codes_are_printable_and_only_their_hash_is_kept(home):
    code = links.issue_access_code(property=home)
    assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", code)
    assert not set(code) & set("01OIL")
    stored = AccessCode.objects.get(property=home).code_hash
    assert links.normalize_code(code) not in stored and code not in stored


def test_a_chosen_code_must_be_a_valid_code(home):
    with pytest.raises(ValueError):
        links.issue_access_code(property=home, code="PNCRT-DEM2O")  # O is not in the alphabet
    with pytest.raises(ValueError):
        links.issue_access_code(property=home, code="ABCD-2345")
    assert not AccessCode.objects.filter(property=home).exists()


def test_a_linked_citizen_cannot_link_the_same_property_twice(client, alice, home, code,
                                                              verified):
    client.force_login(alice)
    response = post_link(client, home.matricule, code)
    assert response.status_code == 200 and form_errors(response)
    assert PropertyLink.objects.filter(user=alice, property=home).count() == 1


def test_a_property_may_be_linked_to_several_citizens(alice, bob, home, code):
    links.request_link(user=alice, matricule=home.matricule, code=code, role="owner")
    links.request_link(user=bob, matricule=home.matricule, code=code, role="occupant")
    assert set(PropertyLink.objects.filter(property=home, status="verified")
               .values_list("user__email", "role")) == {("alice@example.org", "owner"),
                                                         ("bob@example.org", "occupant")}


def test_a_citizen_may_link_several_properties(client, alice, homes):
    client.force_login(alice)
    for prop in homes[:2]:
        code = links.issue_access_code(property=prop)
        assert post_link(client, prop.matricule, code).status_code == 302
    assert set(PropertyLink.objects.filter(user=alice, status="verified")
               .values_list("property", flat=True)) == {homes[0].pk, homes[1].pk}


def test_after_removing_a_link_the_citizen_can_link_again(alice, home, code, verified):
    links.unlink(link=verified, by=alice)
    again = links.request_link(user=alice, matricule=home.matricule, code=code, role="owner")
    assert again.pk != verified.pk and again.status == "verified"


# Throttling

def fail(user, prop, code, times):
    for _ in range(times):
        with pytest.raises(ValidationError) as error:
            links.request_link(user=user, matricule=prop.matricule, code=wrong(code),
                               role="owner")
        assert error.value.code == "invalid"


def test_four_mistakes_are_forgiven(alice, home, code):
    fail(alice, home, code, 4)
    link = links.request_link(user=alice, matricule=home.matricule, code=code, role="owner")
    assert link.status == "verified"


def test_after_five_failures_the_account_is_refused_even_with_the_right_code(client, alice,
                                                                              home, code):
    fail(alice, home, code, 5)
    now = timezone.now()
    for minutes, attempt in zip((50, 40, 30, 20, 10), LinkAttempt.objects.order_by("at"),
                                strict=True):
        LinkAttempt.objects.filter(pk=attempt.pk).update(at=now - timedelta(minutes=minutes))
    client.force_login(alice)
    response = post_link(client, home.matricule, code)
    assert response.status_code == 200
    # Told to come back when the first failure is an hour old.
    assert form_errors(response) == [throttle_message(now + timedelta(minutes=10))]
    assert not PropertyLink.objects.filter(user=alice).exists()
    assert LinkAttempt.objects.filter(user=alice).count() == 5  # refused before any check


def test_failures_on_unknown_matricules_count_for_the_account(alice, home, code):
    for _ in range(5):
        with pytest.raises(ValidationError):
            links.request_link(user=alice, matricule=UNKNOWN_MATRICULE, code=code,
                               role="owner")
    with pytest.raises(ValidationError) as error:
        links.request_link(user=alice, matricule=home.matricule, code=code, role="owner")
    assert error.value.code == "throttled"


def test_another_account_may_still_link_a_property_an_account_failed_on(alice, bob, home,
                                                                        code):
    fail(alice, home, code, 5)
    link = links.request_link(user=bob, matricule=home.matricule, code=code, role="owner")
    assert link.status == "verified"


def test_other_accounts_failures_never_lock_the_owner_out_and_staff_see_them(
        make_citizen, home, code, client, django_user_model, caplog):
    """Issue 11: after two accounts each entered 5 wrong codes for a matricule, a first-time
    user with the right code was refused "too many attempts". Now the right code links, and
    the failures on that property are shown to staff (and logged) instead."""
    first, second, owner = (make_citizen(f"c{n}@example.org") for n in range(3))
    fail(first, home, code, 5)
    with caplog.at_level("WARNING", logger="citizens.services"):
        fail(second, home, code, 5)
    assert any(home.matricule in r.getMessage() for r in caplog.records)
    link = links.request_link(user=owner, matricule=home.matricule, code=code, role="owner")
    assert link.status == "verified"
    # Each guessing account is still throttled on its own.
    with pytest.raises(ValidationError) as error:
        links.request_link(user=first, matricule=home.matricule, code=code, role="owner")
    assert error.value.code == "throttled"
    clerk = django_user_model.objects.create_user(username="commis", password="x",
                                                  is_staff=True)
    client.force_login(clerk)
    page = client.get(reverse("citizens_staff:links")).content.decode()
    section = page.split('data-testid="targeted"')[1].split("</section>")[0]
    assert home.matricule in section and "10" in section


def test_the_throttle_lifts_after_an_hour(make_citizen, alice, home, code):
    other = make_citizen("other@example.org")
    fail(alice, home, code, 5)
    fail(other, home, code, 5)
    for user in (alice, other):
        with pytest.raises(ValidationError) as error:
            links.request_link(user=user, matricule=home.matricule, code=code, role="owner")
        assert error.value.code == "throttled"
    LinkAttempt.objects.update(at=F("at") - timedelta(minutes=61))
    for user in (alice, other):
        link = links.request_link(user=user, matricule=home.matricule, code=code, role="owner")
        assert link.status == "verified"


# Asking a clerk

def test_asking_a_clerk_makes_a_pending_request(client, alice, home):
    client.force_login(alice)
    response = post_link(client, digits(home.matricule), role="occupant", action="clerk")
    link = PropertyLink.objects.get(user=alice, property=home)
    assert response.url == reverse("citizens:link_detail", args=[link.pk])
    assert (link.status, link.method, link.role) == ("pending", "", "occupant")
    assert AccessLog.objects.filter(subject=alice, action="change",
                                    record=f"link:{link.pk}").exists()
    page = client.get(response.url)
    assert page.status_code == 200
    assert reverse("portal:tax_account", args=[link.pk]) not in page.content.decode()


def test_asking_a_clerk_for_an_unknown_matricule_is_an_error(client, alice):
    client.force_login(alice)
    response = post_link(client, UNKNOWN_MATRICULE, action="clerk")
    assert response.status_code == 200 and form_errors(response)
    assert not PropertyLink.objects.filter(user=alice).exists()


def test_asking_a_clerk_twice_for_the_same_property_is_an_error(client, alice, home, pending):
    client.force_login(alice)
    response = post_link(client, home.matricule, action="clerk")
    assert response.status_code == 200 and form_errors(response)
    assert PropertyLink.objects.filter(user=alice, property=home).count() == 1


def test_the_right_code_verifies_a_pending_request_without_a_duplicate(alice, home, code,
                                                                        pending):
    link = links.request_link(user=alice, matricule=home.matricule, code=code, role="owner")
    assert link.pk == pending.pk
    stored = PropertyLink.objects.get(user=alice, property=home)
    assert (stored.status, stored.method, stored.role) == ("verified", "code", "owner")


def test_a_wrong_code_leaves_a_pending_request_pending(alice, home, code, pending):
    fail(alice, home, code, 1)
    pending.refresh_from_db()
    assert pending.status == "pending"


# The clerks' pages: access

def clerk_urls(link):
    return [reverse("citizens_staff:links"),
            reverse("citizens_staff:decide", args=[link.pk]),
            reverse("citizens_staff:access_code")]


def test_a_citizen_gets_403_on_the_clerks_pages(client, alice, pending):
    client.force_login(alice)
    for url in clerk_urls(pending):
        assert client.get(url).status_code == 403, url
    decide = client.post(reverse("citizens_staff:decide", args=[pending.pk]),
                         {"action": "approve"})
    assert decide.status_code == 403
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_an_anonymous_visitor_is_sent_to_sign_in_from_the_clerks_pages(client, pending):
    login = reverse("account_login")
    for url in clerk_urls(pending):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(login), url


def test_an_anonymous_visitor_is_sent_to_sign_in_to_link(client, verified):
    login = reverse("account_login")
    for url in (reverse("citizens:link_request"),
                reverse("citizens:link_detail", args=[verified.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(login), url


# The clerks' pages: deciding

def decide(client, link, action, reason=""):
    return client.post(reverse("citizens_staff:decide", args=[link.pk]),
                       {"action": action, "reason": reason})


def test_the_clerk_list_shows_pending_requests(client, clerk, pending):
    client.force_login(clerk)
    response = client.get(reverse("citizens_staff:links"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="pending"' in html
    assert "alice@example.org" in html
    assert reverse("citizens_staff:decide", args=[pending.pk]) in html
    entry = AccessLog.objects.get(subject=pending.user, record=f"link:{pending.pk}",
                                  actor=clerk)
    assert entry.actor_is_staff and entry.action == "view"


def test_the_clerk_list_leaves_out_decided_links(client, clerk, verified):
    client.force_login(clerk)
    html = client.get(reverse("citizens_staff:links")).content.decode()
    assert 'data-testid="pending"' not in html
    assert reverse("citizens_staff:decide", args=[verified.pk]) not in html


def test_the_clerk_finds_the_links_of_a_property(client, clerk, bob, home, code, verified):
    links.request_clerk_approval(user=bob, matricule=home.matricule, role="occupant")
    client.force_login(clerk)
    response = client.get(reverse("citizens_staff:links"),
                          {"matricule": digits(home.matricule)})
    html = response.content.decode()
    assert 'data-testid="property-links"' in html
    assert "alice@example.org" in html and "bob@example.org" in html
    assert reverse("citizens_staff:decide", args=[verified.pk]) in html


def test_the_clerk_search_reports_an_unknown_matricule(client, clerk):
    client.force_login(clerk)
    response = client.get(reverse("citizens_staff:links"), {"matricule": UNKNOWN_MATRICULE})
    assert response.status_code == 200
    assert response.context["search"].errors["matricule"]


def test_the_clerk_approves_a_request(client, clerk, alice, pending):
    client.force_login(clerk)
    assert client.get(reverse("citizens_staff:decide", args=[pending.pk])).status_code \
        == 200
    response = decide(client, pending, "approve")
    assert response.status_code == 302 and response.url == reverse("citizens_staff:links")
    pending.refresh_from_db()
    assert (pending.status, pending.method, pending.decided_by) == ("verified", "clerk", clerk)
    assert pending.decided_at is not None
    assert AccessLog.objects.filter(actor=clerk, subject=alice, action="change",
                                    record=f"link:{pending.pk}").exists()


def test_refusing_without_a_reason_is_an_error(client, clerk, pending):
    client.force_login(clerk)
    response = decide(client, pending, "refuse", "   ")
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    pending.refresh_from_db()
    assert pending.status == "pending" and pending.decided_by is None


def test_the_citizen_reads_the_reason_of_a_refusal(client, clerk, alice, pending):
    reason = "Aucun compte de taxes à votre nom pour cette adresse."
    client.force_login(clerk)
    assert decide(client, pending, "refuse", reason).status_code == 302
    pending.refresh_from_db()
    assert (pending.status, pending.decided_by, pending.reason) == ("refused", clerk, reason)
    client.force_login(alice)
    response = client.get(reverse("citizens:link_detail", args=[pending.pk]))
    html = response.content.decode()
    assert reason in html
    assert reverse("citizens:link_remove", args=[pending.pk]) not in html


def test_a_decided_request_cannot_be_decided_again(client, clerk, pending):
    client.force_login(clerk)
    decide(client, pending, "approve")
    response = decide(client, pending, "refuse", "Trop tard")
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    pending.refresh_from_db()
    assert pending.status == "verified" and pending.reason == ""


def test_a_clerk_unlinks_only_with_a_reason(client, clerk, alice, verified):
    client.force_login(clerk)
    response = decide(client, verified, "unlink")
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    verified.refresh_from_db()
    assert verified.status == "verified"
    assert decide(client, verified, "unlink", "Propriété vendue").status_code == 302
    verified.refresh_from_db()
    assert (verified.status, verified.decided_by, verified.reason) == (
        "unlinked", clerk, "Propriété vendue")
    client.force_login(alice)
    html = client.get(reverse("citizens:link_detail", args=[verified.pk])).content.decode()
    assert "Propriété vendue" in html


def test_the_decide_page_of_an_unknown_link_is_404(client, clerk, pending):
    client.force_login(clerk)
    pk = pending.pk
    pending.delete()
    assert client.get(reverse("citizens_staff:decide", args=[pk])).status_code == 404


# The citizen's own links

def test_a_citizen_removes_their_own_link(client, alice, verified):
    client.force_login(alice)
    response = client.post(reverse("citizens:link_remove", args=[verified.pk]))
    assert response.status_code == 302
    assert response.url == reverse("citizens:link_detail", args=[verified.pk])
    verified.refresh_from_db()
    assert (verified.status, verified.decided_by, verified.reason) == ("unlinked", alice, "")
    html = client.get(response.url).content.decode()
    assert reverse("citizens:link_remove", args=[verified.pk]) not in html
    assert reverse("portal:tax_account", args=[verified.pk]) not in html


def test_a_citizen_withdraws_their_pending_request(client, alice, pending):
    client.force_login(alice)
    client.post(reverse("citizens:link_remove", args=[pending.pk]))
    pending.refresh_from_db()
    assert pending.status == "unlinked"


def test_removing_a_link_needs_a_post(client, alice, verified):
    client.force_login(alice)
    assert client.get(reverse("citizens:link_remove", args=[verified.pk])).status_code == 405
    verified.refresh_from_db()
    assert verified.status == "verified"


def test_a_citizen_cannot_see_or_remove_another_citizens_link(client, bob, verified):
    client.force_login(bob)
    assert client.get(reverse("citizens:link_detail", args=[verified.pk])).status_code == 404
    assert client.post(reverse("citizens:link_remove", args=[verified.pk])).status_code == 404
    verified.refresh_from_db()
    assert verified.status == "verified"
    assert not AccessLog.objects.filter(actor=bob).exists()


# Regenerating a code at the desk

def test_the_clerk_issues_a_new_code_shown_once_that_links(client, clerk, alice, home, code):
    client.force_login(clerk)
    url = reverse("citizens_staff:access_code")
    response = client.post(url, {"matricule": digits(home.matricule)})
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="issued"' in html
    new_code = CODE_ON_PAGE.search(html).group(1)
    assert new_code != code
    assert AccessLog.objects.filter(actor=clerk, action="change",
                                    record=f"access_code:{home.pk}").exists()
    assert 'data-testid="access-code"' not in client.get(url).content.decode()
    client.force_login(alice)
    assert form_errors(post_link(client, home.matricule, code)) == [fr(INVALID)]
    assert post_link(client, home.matricule, new_code).status_code == 302
    assert open_links(alice, home).get().method == "code"


def test_the_clerk_cannot_issue_a_code_for_an_unknown_matricule(client, clerk):
    client.force_login(clerk)
    count = AccessCode.objects.count()
    response = client.post(reverse("citizens_staff:access_code"),
                           {"matricule": UNKNOWN_MATRICULE})
    assert response.status_code == 200 and response.context["form"].errors["matricule"]
    assert 'data-testid="issued"' not in response.content.decode()
    assert AccessCode.objects.count() == count


# The codes for the tax bills

def codes_snapshot():
    return dict(AccessCode.objects.values_list("property_id", "code_hash"))


def test_the_command_dry_run_changes_nothing_and_writes_no_file(tmp_path, home):
    out = tmp_path / "codes.csv"
    before = codes_snapshot()
    stdout = io.StringIO()
    call_command("issue_access_codes", str(out), stdout=stdout)
    call_command("issue_access_codes", str(out), "--matricule", home.matricule, stdout=stdout)
    assert not out.exists()
    assert codes_snapshot() == before
    assert "--commit" in stdout.getvalue()


def read_csv(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def test_the_command_writes_codes_that_link_the_properties(tmp_path, alice, homes):
    out = tmp_path / "codes.csv"
    call_command("issue_access_codes", str(out), "--commit", "--matricule", homes[0].matricule,
                 "--matricule", digits(homes[1].matricule), stdout=io.StringIO())
    rows = read_csv(out)
    assert rows[0] == ["matricule", "adresse", "code_acces"]
    by_matricule = {row[0]: row for row in rows[1:]}
    assert set(by_matricule) == {homes[0].matricule, homes[1].matricule}
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    for prop in homes[:2]:
        _, address, code = by_matricule[prop.matricule]
        assert address == str(prop.addresses.order_by("pk").first() or "")
        link = links.request_link(user=alice, matricule=prop.matricule, code=code,
                                  role="owner")
        assert link.status == "verified"
    assert not AccessCode.objects.filter(property=homes[2]).exists()


def test_the_command_missing_only_keeps_existing_codes(tmp_path, homes):
    out = tmp_path / "codes.csv"
    links.issue_access_code(property=homes[0])
    before = AccessCode.objects.get(property=homes[0]).code_hash
    call_command("issue_access_codes", str(out), "--commit", "--missing-only",
                 "--matricule", homes[0].matricule, "--matricule", homes[1].matricule,
                 stdout=io.StringIO())
    assert [row[0] for row in read_csv(out)[1:]] == [homes[1].matricule]
    assert AccessCode.objects.get(property=homes[0]).code_hash == before
    assert AccessCode.objects.filter(property=homes[1]).exists()


def test_the_command_refuses_an_existing_file(tmp_path, home):
    out = tmp_path / "codes.csv"
    out.write_text("déjà là\n", encoding="utf-8")
    before = codes_snapshot()
    with pytest.raises(CommandError):
        call_command("issue_access_codes", str(out), "--commit", "--matricule",
                     home.matricule, stdout=io.StringIO())
    assert out.read_text(encoding="utf-8") == "déjà là\n"
    assert codes_snapshot() == before


def test_the_command_rejects_an_unknown_matricule(tmp_path, home):
    out = tmp_path / "codes.csv"
    before = codes_snapshot()
    with pytest.raises(CommandError):
        call_command("issue_access_codes", str(out), "--commit", "--matricule",
                     home.matricule, "--matricule", UNKNOWN_MATRICULE, stdout=io.StringIO())
    assert not out.exists()
    assert codes_snapshot() == before


# The demo

def test_the_demo_access_code_links_the_demo_property(client, alice):
    prop = demo_property()
    client.force_login(alice)
    response = post_link(client, digits(prop.matricule), DEMO_ACCESS_CODE.lower())
    assert response.status_code == 302
    link = open_links(alice, prop).get()
    assert (link.status, link.method) == ("verified", "code")
