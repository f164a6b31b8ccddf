"""Reading history is among the most sensitive personal data: another citizen's card is a 404;
a clerk sees a citizen's library record only with the library desk's permission (403 without);
a visitor is sent to sign in; the access log says a record was viewed, never what it holds;
the export has the card links, the deletion removes them (and their cached records)."""
import json

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from core.models import AccessLog
from library import resilience
from library.models import CardAttempt, LibraryCard
from tests.library.conftest import ALICE_CARD, ALICE_PIN, PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(client, make_citizen, ils):
    user = make_citizen("alice.lectrice@example.org")
    client.force_login(user)
    client.post(reverse("library:card_add"),
                {"holder": "me", "barcode": ALICE_CARD, "pin": ALICE_PIN})
    card = LibraryCard.objects.get(user=user)
    client.logout()
    return user, card


def test_another_citizen_gets_404(client, alice, make_citizen):
    _, card = alice
    bob = make_citizen("bob.voisin@example.org")
    client.force_login(bob)
    assert client.get(reverse("library:record", args=[card.pk])).status_code == 404
    assert client.post(reverse("library:record", args=[card.pk]),
                       {"pin": ALICE_PIN}).status_code == 404
    assert client.post(reverse("library:renew", args=[card.pk]),
                       {"item": "31000000000101"}).status_code == 404
    assert client.post(reverse("library:remove", args=[card.pk])).status_code == 404
    assert LibraryCard.objects.filter(pk=card.pk).exists()
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert "5172" not in page and client.get("/api/me/").json()["library"] == []


def test_anonymous_is_sent_to_sign_in(client, alice):
    _, card = alice
    for url in (reverse("library:cards"), reverse("library:card_add"),
                reverse("library:record", args=[card.pk]), reverse("library_staff:cards"),
                reverse("library_staff:card", args=[card.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/compte/login/" in response.url, url


def test_a_clerk_needs_the_library_desk_permission(client, alice, django_user_model):
    user, card = alice
    clerk = django_user_model.objects.create_user(username="commis-biblio", password=PASSWORD,
                                                  is_staff=True)
    client.force_login(clerk)
    desk = reverse("library_staff:cards") + f"?courriel={user.email}"
    record = reverse("library_staff:card", args=[card.pk])
    assert client.get(desk).status_code == 403 and client.get(record).status_code == 403
    assert not AccessLog.objects.filter(subject=user, actor=clerk).exists()
    clerk.user_permissions.add(Permission.objects.get(codename="library_desk"))
    clerk = django_user_model.objects.get(pk=clerk.pk)  # permissions are cached per object
    client.force_login(clerk)
    assert "…5172" in client.get(desk).content.decode()
    page = client.get(record).content.decode()
    assert "Les Misérables, tome 1" in page  # the record as the portal last read it
    seen = AccessLog.objects.filter(subject=user, actor=clerk, actor_is_staff=True)
    assert set(seen.values_list("record", flat=True)) == {"library_cards",
                                                          f"library_card:{card.pk}"}
    # A citizen with the permission but not staff: still 403.
    citizen = django_user_model.objects.create_user(username="pas-commis", password=PASSWORD)
    citizen.user_permissions.add(Permission.objects.get(codename="library_desk"))
    client.force_login(citizen)
    assert client.get(record).status_code == 403


def test_the_access_log_says_viewed_never_what(client, alice):
    user, card = alice
    client.force_login(user)
    client.post(reverse("library:record", args=[card.pk]), {"pin": ALICE_PIN})
    client.get(reverse("library:record", args=[card.pk]))
    rows = AccessLog.objects.filter(subject=user, record=f"library_card:{card.pk}")
    assert rows.filter(action="view").exists() and rows.filter(action="change").exists()
    stored = json.dumps(list(AccessLog.objects.filter(subject=user).values()), default=str)
    assert "Misérables" not in stored and ALICE_PIN not in stored and ALICE_CARD not in stored
    html = client.get(reverse("portal:access_log")).content.decode()
    assert "Votre carte de bibliothèque se terminant par 5172" in html
    assert "library_card:" not in html and "Misérables" not in html


def test_export_and_erasure(client, alice):
    user, card = alice
    client.force_login(user)
    exported = json.loads(client.get(reverse("portal:export")).content)
    [entry] = exported["library_cards"]
    assert entry == {"id": str(card.pk), "holder": None, "card_number": ALICE_CARD,
                     "last_four": "5172", "linked_at": card.linked_at.isoformat()}
    assert "Misérables" not in json.dumps(exported, ensure_ascii=False)
    assert resilience.cached_record(card.pk) is not None
    client.post(reverse("portal:delete"), {"password": PASSWORD})
    assert not LibraryCard.objects.exists()
    assert resilience.cached_record(card.pk) is None  # the titles are gone from the cache too
    assert not CardAttempt.objects.filter(user_id=user.pk).exists()
