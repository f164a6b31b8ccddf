"""Private stays private: every personal page and endpoint, for its owner, another citizen
(404), an anonymous visitor (sent to sign in); the access log, the export and the deletion."""
import json

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import translation
from rest_framework.authtoken.models import Token

from citizens.models import HouseholdMember, PropertyLink
from core.models import AccessLog
from properties.models import Property

pytestmark = pytest.mark.django_db
PASSWORD = "x-Citoyenne-2026!"


@pytest.fixture
def alice(django_user_model):
    user = django_user_model.objects.create_user(username="alice", email="alice@example.org",
                                                 password=PASSWORD)
    # Confirmed, as after following the link (the API gives no token to an unconfirmed one).
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    prop = Property.objects.exclude(parcel=None).order_by("pk")[3]
    link = PropertyLink.objects.create(user=user, property=prop, role="owner",
                                       status="verified", method="code")
    member = HouseholdMember.objects.create(user=user, first_name="Léa", last_name="Tremblay",
                                            birth_year=2015)
    return user, link, member


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user(username="bob", email="bob@example.org",
                                                 password=PASSWORD)


def personal_urls(link, member):
    return [
        reverse("portal:dashboard"),
        reverse("portal:access_log"),
        reverse("portal:export"),
        reverse("portal:delete"),
        reverse("citizens:link_detail", args=[link.pk]),
        reverse("portal:tax_account", args=[link.pk]),
        reverse("citizens:household"),
        reverse("citizens:household_edit", args=[member.pk]),
    ]


def test_owner_sees_every_personal_page(client, alice):
    user, link, member = alice
    client.force_login(user)
    for url in personal_urls(link, member):
        assert client.get(url).status_code == 200, url


def test_another_citizen_gets_404_on_records_that_are_not_theirs(client, alice, bob):
    _, link, member = alice
    client.force_login(bob)
    for url in (reverse("citizens:link_detail", args=[link.pk]),
                reverse("portal:tax_account", args=[link.pk]),
                reverse("citizens:household_edit", args=[member.pk]),
                reverse("citizens:household_delete", args=[member.pk])):
        assert client.get(url).status_code == 404, url
    # Their own dashboard and export hold nothing of Alice's.
    assert "Tremblay" not in client.get(reverse("portal:dashboard")).content.decode()
    export = json.loads(client.get(reverse("portal:export")).content)
    assert export["household"] == [] and export["property_links"] == []


def test_anonymous_is_sent_to_sign_in(client, alice):
    _, link, member = alice
    for url in personal_urls(link, member):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/compte/" in response.url or "login" in response.url


def test_api_dashboard_by_session_and_token_and_never_anonymous(client, alice, bob):
    user, link, _ = alice
    assert client.get("/api/me/").status_code in (401, 403)
    client.force_login(user)
    data = client.get("/api/me/").json()
    assert [c["link_id"] for c in data["cards"]] == [str(link.pk)]
    assert data["cards"][0]["roll"]["roll_year"] == 2026
    client.logout()
    token = client.post("/api/auth/token/", {"email": "alice@example.org",
                                             "password": PASSWORD}).json()["token"]
    assert Token.objects.get(key=token).user == user
    mine = client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}").json()
    assert mine["email"] == "alice@example.org"
    bobs = Token.objects.create(user=bob)
    theirs = client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {bobs.key}").json()
    assert theirs["cards"] == [] and theirs["household"] == []
    wrong = client.post("/api/auth/token/", {"email": "alice@example.org", "password": "nope"})
    assert wrong.status_code in (401, 403)


def test_views_are_logged_and_the_citizen_reads_their_log(client, alice, django_user_model):
    user, link, _ = alice
    clerk = django_user_model.objects.create_user(username="commis", password=PASSWORD,
                                                  is_staff=True)
    client.force_login(clerk)
    client.get(reverse("citizens_staff:links"))
    client.force_login(user)
    client.get(reverse("portal:tax_account", args=[link.pk]))
    entries = AccessLog.objects.filter(subject=user)
    assert entries.filter(actor=user, action="view").exists()
    html = client.get(reverse("portal:access_log")).content.decode()
    assert "Le compte de taxes du " in html and "tax_account:" not in html


def test_export_holds_all_my_data(client, alice):
    user, link, member = alice
    client.force_login(user)
    response = client.get(reverse("portal:export"))
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["account"]["email"] == "alice@example.org"
    assert data["household"][0]["id"] == str(member.pk)
    assert data["property_links"][0]["matricule"] == link.property.matricule
    assert AccessLog.objects.filter(subject=user, action="export").exists()


def test_deletion_removes_the_person_and_keeps_the_citys_records(client, alice):
    user, link, member = alice
    client.force_login(user)
    refused = client.post(reverse("portal:delete"), {"password": "not mine"})
    assert refused.status_code == 200 and refused.context["form"].errors
    response = client.post(reverse("portal:delete"), {"password": PASSWORD})
    assert response.status_code == 302
    assert not type(user).objects.filter(pk=user.pk).exists()
    assert not HouseholdMember.objects.filter(pk=member.pk).exists()
    link.refresh_from_db()
    assert link.user is None and link.status == "unlinked"  # the city's record stays
    assert AccessLog.objects.filter(action="delete", record="account", subject=None).exists()
    assert not AccessLog.objects.filter(subject_id=user.pk).exists()


def _report_for(user, **contact):
    from service_requests import services
    from service_requests.importers.categories import load_categories
    from service_requests.models import Category
    from tests.service_requests.test_reporting import CATEGORIES

    load_categories(CATEGORIES)
    home = Property.objects.exclude(address_point=None).order_by("pk")[2]
    return services.submit_request(category=Category.objects.get(code="graffiti"),
                                   point=home.address_point, description="Tag sur le mur",
                                   answers={"surface": "mobilier", "haineux": "non"},
                                   user=user, **contact)


def test_requests_are_in_the_export_and_the_api_but_not_internal_notes(client, alice, bob):
    from service_requests import services

    user, _, _ = alice
    report = _report_for(user, contact_phone="514-555-0101")
    services.add_note(request=report, by=bob, note="Note interne du commis", public=False)
    client.force_login(user)
    exported = json.loads(client.get(reverse("portal:export")).content)
    [mine] = exported["requests"]
    assert mine["number"] == report.pk and mine["contact"]["phone"] == "514-555-0101"
    me = client.get(reverse("me")).json()
    assert [r["number"] for r in me["requests"]] == [report.pk]
    assert "Note interne du commis" not in json.dumps(exported) + json.dumps(me)
    client.force_login(bob)
    assert client.get(reverse("me")).json()["requests"] == []


def test_deletion_keeps_requests_without_identity(client, alice):
    user, _, _ = alice
    report = _report_for(user, contact_name="Alice Tremblay", contact_phone="514-555-0101")
    client.force_login(user)
    client.post(reverse("portal:delete"), {"password": PASSWORD})
    report.refresh_from_db()
    assert report.reporter is None and report.description == "Tag sur le mur"
    assert (report.contact_name, report.contact_email, report.contact_phone) == ("", "", "")


def test_after_deletion_a_page_says_the_account_is_gone(client, alice):
    user, _, _ = alice
    client.force_login(user)
    response = client.post(reverse("portal:delete"), {"password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:deleted")
    html = response.content.decode()
    assert "Votre compte est supprimé" in html
    assert "sans votre nom ni votre courriel" in html  # what the city kept
    assert not response.wsgi_request.user.is_authenticated
    # Once only, and never for someone who deleted nothing: the home page instead.
    again = client.get(reverse("portal:deleted"))
    assert again.status_code == 302 and again.url == reverse("portal:home")


def test_the_confirmation_is_in_english_after_an_english_deletion(client, alice):
    user, _, _ = alice
    client.force_login(user)
    with translation.override("en"):
        delete, deleted = reverse("portal:delete"), reverse("portal:deleted")
    assert delete.startswith("/en/")
    response = client.post(delete, {"password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == deleted
    assert "Your account is deleted" in response.content.decode()
