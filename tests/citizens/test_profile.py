"""The citizen's profile (issue 14, point 5): name, telephone, preferred language and channel;
a clerk sees the number to call back; the site answers in the preferred language (after
sign-in, in a request's news by e-mail) and offers the preferred channel first; the profile is
in the export, gone with the account, and its changes are in the access log."""
import json

import pytest
from django.urls import reverse

from citizens.models import Profile
from service_requests import services as requests
from tests.citizens.conftest import make_citizen, smtp_sink  # noqa: F401 (fixtures)
from tests.service_requests.conftest import home, pothole  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
PASSWORD = "x-Citoyenne-2026!"
URL = "/mon-compte/profil/"


def _save(client, **fields):
    data = {"first_name": "Léa", "last_name": "Tremblay", "phone": "514 555-0123",
            "language": "en", "channel": "email", **fields}
    return client.post(URL, data)


def test_a_citizen_fills_their_profile(client, make_citizen):  # noqa: F811
    lea = make_citizen("lea@example.org")
    client.force_login(lea)
    assert client.get(URL).status_code == 200
    assert _save(client).status_code == 302
    lea.refresh_from_db()
    assert (lea.first_name, lea.last_name) == ("Léa", "Tremblay")
    profile = Profile.objects.get(user=lea)
    assert (profile.phone, profile.language, profile.channel) == ("+15145550123", "en", "email")
    # The access log says so in plain words.
    log = client.get(reverse("portal:access_log")).content.decode()
    assert "Votre profil" in log


def test_a_bad_number_or_text_messages_without_one_are_refused_in_french(
        client, make_citizen):  # noqa: F811
    client.force_login(make_citizen("lea@example.org"))
    bad = _save(client, phone="pas un numéro")
    assert bad.status_code == 400 and "format international" in bad.content.decode()
    missing = _save(client, phone="", channel="sms")
    assert missing.status_code == 400 and "numéro de mobile" in missing.content.decode()
    assert not Profile.objects.exists()
    assert client.get(URL).status_code == 200


def test_a_visitor_signs_in_first(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/compte/login/" in response.url


def test_a_clerk_sees_the_number_to_call_back(client, make_citizen, pothole, home):  # noqa: F811
    lea = make_citizen("lea@example.org")
    client.force_login(lea)
    _save(client)
    report = requests.submit_request(category=pothole, point=home.address_point,
                                     description="Trou", answers={"taille": "grand"}, user=lea)
    clerk = make_citizen("commis@example.org")
    clerk.is_staff = True
    clerk.save()
    client.force_login(clerk)
    page = client.get(reverse("requests_staff:detail", args=[report.pk])).content.decode()
    assert 'href="tel:+15145550123"' in page
    assert "Léa Tremblay" in page


def test_the_site_answers_in_the_preferred_language(
        client, make_citizen, smtp_sink, pothole, home,  # noqa: F811
        django_capture_on_commit_callbacks):
    lea = make_citizen("lea@example.org", password=PASSWORD)
    Profile.objects.create(user=lea, language="en")
    response = client.post(reverse("account_login"), {"login": "lea@example.org",
                                                      "password": PASSWORD})
    assert response.status_code == 302 and response.url.startswith("/en/")
    # A request's news, by e-mail (no alerts subscription): in English.
    report = requests.submit_request(category=pothole, point=home.address_point,
                                     description="Trou", answers={"taille": "grand"}, user=lea)
    clerk = make_citizen("commis@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        requests.change_status(request=report, status="planned", by=clerk, note="Mardi")
    [message] = smtp_sink.to("lea@example.org")
    assert "was updated" in smtp_sink.text(message)


def test_the_profile_is_in_the_export_and_goes_with_the_account(client, make_citizen):  # noqa: F811
    lea = make_citizen("lea@example.org", password=PASSWORD)
    client.force_login(lea)
    _save(client)
    data = json.loads(client.get(reverse("portal:export")).content)
    assert data["profile"]["phone"] == "+15145550123"
    assert data["profile"]["language"] == "en"
    assert client.post(reverse("portal:delete"), {"password": PASSWORD}).status_code == 302
    assert not Profile.objects.exists()
