"""Linking a card (the PIN checked by the library's system, never stored; throttled), the
record page (PIN once per session), renewals in the citizen's language, removal, the dashboard
line and /api/me/."""
import json
import re

import pytest
from django.urls import reverse
from django.utils import translation

from citizens.models import HouseholdMember
from library import pins
from library.models import CardAttempt, LibraryCard
from library.services import ACCOUNT_FAILURES_PER_HOUR
from tests.library.conftest import ALICE_CARD, ALICE_PIN, LEA_CARD, LEA_PIN

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(make_citizen):
    return make_citizen("alice.biblio@example.org")


def link(client, barcode=ALICE_CARD, pin=ALICE_PIN, holder="me"):
    return client.post(reverse("library:card_add"),
                       {"holder": holder, "barcode": barcode, "pin": pin})


def test_link_a_card_then_see_its_record(client, alice, ils):
    client.force_login(alice)
    response = link(client, barcode="2352 9000 4451 72")  # typed with spaces
    card = LibraryCard.objects.get(user=alice)
    assert response.status_code == 302 and response.url == reverse("library:record",
                                                                   args=[card.pk])
    assert (card.barcode, card.last_four, card.member) == (ALICE_CARD, "5172", None)
    # The PIN is nowhere in the database, not even in the session's row in clear.
    from django.contrib.sessions.models import Session

    # (As a value of its own: inside a hash or a session key, "1234" is chance.)
    sessions = json.dumps([s.get_decoded() for s in Session.objects.all()])
    assert not re.search(rf"(?<![0-9A-Za-z+/=]){ALICE_PIN}(?![0-9A-Za-z+/=])", sessions)
    assert not LibraryCard.objects.filter(barcode__contains=ALICE_PIN).exclude(
        barcode=ALICE_CARD).exists()
    page = client.get(response.url).content.decode()
    assert "Les Misérables, tome 1" in page and "Maria Chapdelaine" in page
    assert "en retard" in page  # the overdue loan marked
    assert "prêt pour le retrait" in page and "Écume des jours" in page
    assert "2,50 $" in page


def test_a_household_members_card(client, alice, ils):
    lea = HouseholdMember.objects.create(user=alice, first_name="Léa", last_name="Tremblay",
                                         birth_year=2014)
    client.force_login(alice)
    link(client, LEA_CARD, LEA_PIN, holder=str(lea.pk))
    card = LibraryCard.objects.get(user=alice)
    assert card.member == lea
    page = client.get(reverse("library:record", args=[card.pk])).content.decode()
    assert "Carte de Léa Tremblay se terminant par 5198" in page
    assert "Ça va aller, Émile" in page


def test_a_wrong_pin_links_nothing_and_tells_nothing(client, alice, ils):
    client.force_login(alice)
    wrong = link(client, pin="9999").content.decode()
    unknown = link(client, barcode="99999999999999").content.decode()
    assert not LibraryCard.objects.exists()
    sentence = "Ce numéro de carte et ce NIP ne correspondent pas"
    assert sentence in wrong and sentence in unknown


def test_pin_guessing_is_bounded_per_account_and_per_card(client, alice, make_citizen, ils):
    client.force_login(alice)
    for _ in range(ACCOUNT_FAILURES_PER_HOUR):
        link(client, pin="0001")
    asked = len([r for r in ils.requests if r == "63"])
    # The right PIN now: refused without asking the library's system.
    refused = link(client).content.decode()
    assert "Trop de tentatives" in refused and not LibraryCard.objects.exists()
    assert len([r for r in ils.requests if r == "63"]) == asked
    # Another account on the same card is refused too: the card's holder is protected.
    bob = make_citizen("bob.biblio@example.org")
    client.force_login(bob)
    assert "Trop de tentatives" in link(client).content.decode()
    assert CardAttempt.objects.filter(succeeded=False).count() == ACCOUNT_FAILURES_PER_HOUR


def test_the_library_down_while_linking_is_said_and_not_counted(client, alice, settings,
                                                                 closed_port):
    from tests.library.conftest import point_at

    point_at(settings, closed_port)
    client.force_login(alice)
    page = link(client).content.decode()
    assert "Le système de la bibliothèque ne répond pas" in page
    assert not CardAttempt.objects.exists() and not LibraryCard.objects.exists()


def test_the_record_asks_the_pin_once_per_session(client, alice, ils):
    client.force_login(alice)
    link(client)
    card = LibraryCard.objects.get(user=alice)
    client.logout()
    client.force_login(alice)  # a new session: no PIN in it
    url = reverse("library:record", args=[card.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="pin-form"' in page and "Maria Chapdelaine" not in page
    assert client.post(url, {"pin": "0000"}).status_code == 400
    assert client.post(url, {"pin": ALICE_PIN}).status_code == 302
    assert "Maria Chapdelaine" in client.get(url).content.decode()


def test_the_pin_expires(client, alice, ils, settings):
    client.force_login(alice)
    link(client)
    card = LibraryCard.objects.get(user=alice)
    session = client.session
    assert pins.get(session, card.pk) == ALICE_PIN
    settings.GUICHET_LIBRARY_PIN_MINUTES = 0
    import time

    time.sleep(1.1)
    assert pins.get(session, card.pk) is None


def test_renew_one_and_all_with_the_answers_in_the_citizens_language(client, alice, ils):
    client.force_login(alice)
    link(client)
    card = LibraryCard.objects.get(user=alice)
    renew = reverse("library:renew", args=[card.pk])
    page = client.post(renew, {"item": "31000000000101"}, follow=True).content.decode()
    new_due = ils.items["31000000000101"].due
    from django.utils import formats

    day = formats.date_format(new_due.date(), "DATE_FORMAT")
    assert f"Le Petit Prince : Renouvelé jusqu’au {day}." in page
    assert day in page.split('data-testid="loans"')[1]  # the record shows the new due date
    page = client.post(renew, {"item": "31000000000103"}, follow=True).content.decode()
    assert ("Maria Chapdelaine : Non renouvelable : réservé pour une autre personne."
            in page)
    with translation.override("en"):
        renew_en = reverse("library:renew", args=[card.pk])
    page = client.post(renew_en, {"all": "1"}, follow=True).content.decode()
    assert "Maria Chapdelaine: Not renewable: on hold for another reader." in page
    assert "Le Petit Prince: Renewed until" in page


def test_remove_a_card(client, alice, ils):
    client.force_login(alice)
    link(client)
    card = LibraryCard.objects.get(user=alice)
    client.post(reverse("library:remove", args=[card.pk]))
    assert not LibraryCard.objects.exists()
    assert pins.get(client.session, card.pk) is None


def test_the_dashboard_line_and_api_me(client, alice, ils):
    client.force_login(alice)
    link(client)
    page = client.get(reverse("portal:dashboard")).content.decode()
    line = page.split('data-testid="library-line"')[1].split("</li>")[0]
    assert "Ma carte se terminant par 5172" in line and "3 prêts" in line
    assert "1 en retard" in line and "2,50 $ à payer" in line
    assert "Misérables" not in page  # titles stay on the record page
    me = client.get("/api/me/").json()
    [card] = me["library"]
    assert (card["last_four"], card["status"], card["loans"], card["overdue"],
            card["owed"]) == ("5172", "ok", 3, 1, "2.50")
    assert ALICE_CARD not in json.dumps(me)
