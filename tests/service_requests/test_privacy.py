"""The cross-citizen matrix of requests: Alice's request (her name, e-mail, phone, a clerk's
internal note) is looked at from every page and endpoint that shows requests, by Bob (another
citizen who follows it), by a visitor, and through the API and Open311. Nobody but Alice and the
staff sees anything personal; her own pages answer 404 to Bob and send a visitor to sign in."""
import pytest
from django.urls import reverse

from service_requests import services
from service_requests.importers.categories import load_categories
from service_requests.models import Category

pytestmark = pytest.mark.django_db
SECRETS = ("alice.secret@example.org", "Tremblay-Secret", "514-555-0166", "Note interne secrète")


@pytest.fixture
def alices_request(make_citizen):
    from pathlib import Path

    from properties.models import Property

    if not Category.objects.filter(code="nid-de-poule").exists():
        load_categories(Path(__file__).parents[2] / "data" / "pincourt" /
                        "request-categories.json")
    alice = make_citizen("alice.secret@example.org")
    alice.first_name, alice.last_name = "Alice", "Tremblay-Secret"
    alice.save()
    home = Property.objects.exclude(address_point=None).order_by("pk")[10]
    request = services.submit_request(
        category=Category.objects.get(code="nid-de-poule"), point=home.address_point,
        description="Trou", answers={"taille": "grand"}, user=alice, contact_phone="514-555-0166")
    services.add_note(request=request, by=None, note="Note interne secrète", public=False)
    services.change_status(request=request, status="planned", by=None, note="Prévu lundi")
    return alice, request


def _pages(request):
    return [
        reverse("service_requests:public_list") + "?status=open",
        reverse("service_requests:public_detail", args=[request.pk]),
        reverse("service_requests:mine"),
        reverse("report-list") + "?status=open",
        reverse("report-detail", args=[request.pk]),
        reverse("me"),
        "/open311/v2/requests.json",
        "/open311/v2/requests.xml",
        f"/open311/v2/requests/{request.pk}.json",
        f"/open311/v2/requests/{request.pk}.xml",
    ]


def test_nobody_else_sees_alices_name_email_phone_or_internal_notes(client, make_citizen,
                                                                      alices_request):
    alice, request = alices_request
    bob = make_citizen("bob@example.org")
    services.follow(request=request, user=bob)  # even a follower sees only public facts
    for who in (None, bob):
        client.logout()
        if who:
            client.force_login(who)
        for url in _pages(request):
            response = client.get(url)
            text = response.content.decode()
            assert response.status_code in (200, 302, 401, 403), (url, response.status_code)
            for secret in SECRETS:
                assert secret not in text, (who, url, secret)
    # The public facts are there for everyone: the test would notice a page shown empty.
    client.logout()
    public = client.get(reverse("service_requests:public_detail", args=[request.pk]))
    assert "Prévu lundi" in public.content.decode()


def test_alices_own_request_page_is_hers_alone(client, make_citizen, alices_request):
    alice, request = alices_request
    url = reverse("service_requests:mine_detail", args=[request.public_id])
    visitor = client.get(url)
    assert visitor.status_code == 302 and "/login/" in visitor.url
    client.force_login(make_citizen("bob@example.org"))
    assert client.get(url).status_code == 404
    client.force_login(alice)
    own = client.get(url).content.decode()
    assert "Prévu lundi" in own and "Note interne secrète" not in own
