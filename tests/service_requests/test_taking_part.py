"""Citizens take part in their reports (issue 14, point 7, as on FixMyStreet): an update with
a photo from whoever reported or follows a request, "still there" on one marked fixed in the
last 30 days (it reopens, the clerk reads why), following by a confirmed e-mail without an
account with a one-click way out (a real SMTP conversation with the sink), and the public
map's markers by status with a legend. Nobody else may add an update."""
import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from service_requests import services
from service_requests.models import Event, Follower, ServiceRequest
from tests.citizens.conftest import make_citizen, smtp_sink  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(make_citizen, pothole, home):  # noqa: F811
    alice = make_citizen("alice@example.org")
    return services.submit_request(category=pothole, point=home.address_point,
                                   description="Trou", answers={"taille": "grand"}, user=alice)


def _photo():
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG")
    out.seek(0)
    out.name = "trou.jpg"
    return out


def _fixed(report, clerk, days_ago):
    services.change_status(request=report, status="resolved", by=clerk, note="Réparé")
    ServiceRequest.objects.filter(pk=report.pk).update(
        closed_at=timezone.now() - dt.timedelta(days=days_ago))
    report.refresh_from_db()


def test_the_reporter_adds_an_update_with_a_photo_and_followers_hear_of_it(
        client, make_citizen, report, smtp_sink, django_capture_on_commit_callbacks):  # noqa: F811
    bob = make_citizen("bob@example.org")
    services.follow(request=report, user=bob)
    client.force_login(report.reporter)
    url = reverse("service_requests:update", args=[report.pk])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"text": "Il est plus grand depuis hier.",
                                     "photos": _photo()})
    assert response.status_code == 302
    assert response.url == reverse("service_requests:mine_detail", args=[report.public_id])
    event = report.events.get(kind=Event.Kind.UPDATE)
    assert event.public and event.actor == report.reporter
    assert [p.event_id for p in report.photos.all()] == [event.pk]
    assert not report.photos.get().approved  # waits for a clerk like the report's own
    # The public page shows the update, never who wrote it.
    page = client.get(reverse("service_requests:public_detail", args=[report.pk]))
    assert "Il est plus grand depuis hier." in page.content.decode()
    assert "alice@example.org" not in page.content.decode()
    # The follower hears of it; the reporter, who wrote it, does not.
    [message] = smtp_sink.to("bob@example.org")
    assert "Il est plus grand depuis hier." in smtp_sink.text(message)
    assert smtp_sink.to("alice@example.org") == []


def test_nobody_else_may_add_an_update(client, make_citizen, report):  # noqa: F811
    url = reverse("service_requests:update", args=[report.pk])
    # A visitor signs in first; another citizen, or a clerk who neither reported nor follows
    # it, gets a 404, and nothing is added.
    response = client.post(url, {"text": "Je passe par là"})
    assert response.status_code == 302 and "/compte/login/" in response.url
    client.force_login(make_citizen("carol@example.org"))
    assert client.get(url).status_code == 404
    assert client.post(url, {"text": "Je passe par là"}).status_code == 404
    assert not report.events.filter(kind=Event.Kind.UPDATE).exists()


def test_still_there_reopens_a_request_fixed_within_30_days(
        client, make_citizen, report, django_capture_on_commit_callbacks):  # noqa: F811
    clerk = make_citizen("clerk@example.org")
    _fixed(report, clerk, days_ago=10)
    client.force_login(report.reporter)
    mine = client.get(reverse("service_requests:mine_detail", args=[report.public_id]))
    assert "Toujours là" in mine.content.decode()
    url = reverse("service_requests:update", args=[report.pk])
    response = client.post(url, {"text": "Le trou est encore là ce matin.", "still_there": "on"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.closed_at) == ("submitted", None)
    event = report.events.get(kind=Event.Kind.REOPENED)
    assert (event.from_status, event.to_status) == ("resolved", "submitted")
    assert event.note == "Le trou est encore là ce matin."


def test_a_request_fixed_long_ago_or_closed_is_not_reopened(
        client, make_citizen, report):  # noqa: F811
    clerk = make_citizen("clerk@example.org")
    _fixed(report, clerk, days_ago=40)
    client.force_login(report.reporter)
    url = reverse("service_requests:update", args=[report.pk])
    page = client.get(url).content.decode()
    assert "still_there" not in page and "signaler" in page  # report it again instead
    response = client.post(url, {"text": "Encore là", "still_there": "on"})
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.status == "resolved"
    assert not report.events.filter(kind__in=[Event.Kind.REOPENED, Event.Kind.UPDATE]).exists()


def _link(text, name):
    return re.search(r"https?://\S+/signalements/suivre/[0-9a-f-]+/" + name, text).group(0)


def test_following_by_email_without_an_account(
        client, make_citizen, report, smtp_sink, django_capture_on_commit_callbacks):  # noqa: F811
    clerk = make_citizen("clerk@example.org")
    page = reverse("service_requests:public_detail", args=[report.pk])
    assert 'data-testid="follow-by-email"' in client.get(page).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en" + reverse("service_requests:follow", args=[report.pk]),
                               {"email": "Dan@Example.org"})
    assert response.status_code == 302
    [confirm] = smtp_sink.to("Dan@Example.org")
    assert "Confirm that you follow" in confirm["Subject"]  # in the page's language
    # Not confirmed yet: a change sends nothing to the address.
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(request=report, status="acknowledged", by=clerk, note="Vu")
    assert len(smtp_sink.to("Dan@Example.org")) == 1
    link = re.search(r"https?://\S+/signalements/suivre/[0-9a-f-]+/", smtp_sink.text(confirm))
    assert client.get(link.group(0)).status_code == 200
    assert Follower.objects.get(email="Dan@Example.org").confirmed_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(request=report, status="planned", by=clerk,
                               note="Réparation mardi")
    update = smtp_sink.to("Dan@Example.org")[-1]
    text = smtp_sink.text(update)
    assert "Réparation mardi" in text and "Stop following this request" in text
    stop = _link(text, "arreter/")
    # Opening the link (a mail scanner would) stops nothing; the button does.
    assert client.get(stop).status_code == 200
    assert Follower.objects.filter(email="Dan@Example.org").exists()
    assert client.post(stop).status_code == 200
    assert not Follower.objects.filter(email="Dan@Example.org").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(request=report, status="in_progress", by=clerk, note="En cours")
    assert len(smtp_sink.to("Dan@Example.org")) == 2  # the confirmation and one update


def test_following_by_email_is_bounded_and_only_for_public_open_requests(
        client, report, smtp_sink, django_capture_on_commit_callbacks):  # noqa: F811
    url = reverse("service_requests:follow", args=[report.pk])
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            assert client.post(url, {"email": "eve@example.org"}).status_code == 302
        refused = client.post(url, {"email": "eve@example.org"})
    assert refused.status_code == 400
    assert "Trop de demandes" in refused.content.decode()
    assert len(smtp_sink.to("eve@example.org")) == 3
    assert client.post(url, {"email": "pas-une-adresse"}).status_code == 400
    ServiceRequest.objects.filter(pk=report.pk).update(public=False)
    assert client.post(url, {"email": "fay@example.org"}).status_code == 404
    assert not Follower.objects.filter(email="fay@example.org").exists()


def test_the_public_map_legend_tells_statuses_apart(client):
    page = client.get(reverse("service_requests:public_list")).content.decode()
    legend = page[page.index('data-testid="reports-legend"'):]
    legend = legend[:legend.index("</ul>")]
    for key, label in [("new", "Nouveau"), ("under_way", "En cours"), ("fixed", "Réglé"),
                       ("closed", "Fermé sans réparation")]:
        assert f"report-marker--{key}" in legend and label in legend
