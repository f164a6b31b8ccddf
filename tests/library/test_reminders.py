"""Library reminders (issue 16, point 4; library/reminders.py) against the local SIP2 server
(tests/library/ils.py): the job asks without the card's PIN, as the portal's own SIP2 account
(a 93 login), each kind at its date, once, in the subscriber's language; an ILS down for a run
is caught up on the next; an ILS that keeps the lists without the PIN: the card is skipped,
with its reason logged, nothing sent."""
import datetime as dt
import logging

import pytest
from django.utils import timezone

from alerts import reminders as queue
from alerts.models import Delivery, Subscriber
from library import resilience
from library.models import LibraryCard
from tests.library.conftest import ALICE_CARD, LEA_CARD, point_at

pytestmark = pytest.mark.django_db

KINDS = ["library_due_soon", "library_overdue", "library_hold_ready", "library_balance"]
SIP_LOGIN = ("portail", "s3cret")


@pytest.fixture
def ils_for_reminders(ils, settings):
    """The ILS answers patron information without the PIN to the portal's logged-in account."""
    ils.answers_without_pin = True
    ils.login = SIP_LOGIN
    point_at(settings, ils.port, user=SIP_LOGIN[0], password=SIP_LOGIN[1])
    return ils


def card_of(user, barcode=ALICE_CARD):
    return LibraryCard.objects.create(user=user, barcode=barcode, last_four=barcode[-4:])


def citizen(make_citizen, email, language="fr"):
    user = make_citizen(email)
    Subscriber.objects.create(user=user, language=language)
    return user


def run(now=None):
    return queue.queue_due(now or timezone.now(), kinds=KINDS)


def rows():
    return {(d.kind, d.on) for d in Delivery.objects.all()}


def local_day(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def test_each_kind_at_its_date_asked_without_the_pin(ils_for_reminders, make_citizen):
    card_of(citizen(make_citizen, "alice@courriel.example"))
    # The day before: Maria Chapdelaine (due in 2 days) is 3 days away: not yet.
    run(timezone.now() - dt.timedelta(days=1))
    assert ("library_due_soon", local_day(2)) not in rows()
    ils_for_reminders.requests.clear()
    run()
    assert ils_for_reminders.requests.count("93") == 1  # the card read once for the 4 kinds
    assert rows() == {
        ("library_due_soon", local_day(2)),  # Maria Chapdelaine
        ("library_overdue", local_day(-5)),  # Les Misérables, tome 1
        ("library_hold_ready", local_day(5)),  # L'Écume des jours, to pick up by then
        ("library_balance", timezone.localdate().replace(day=1)),  # $2.50, once a month
    }
    # The conversations: the portal's login (93) first, and no 63 carried a PIN.
    assert ils_for_reminders.requests[0] == "93"
    # The delivery log keeps no title and no item barcode.
    for subject in Delivery.objects.values_list("subject", flat=True):
        assert "3100000000" not in subject and "Mis" not in subject and "Maria" not in subject


def test_sent_once_even_when_the_job_runs_twice(ils_for_reminders, make_citizen, mailoutbox,
                                                django_capture_on_commit_callbacks):
    card_of(citizen(make_citizen, "alice@courriel.example", "en"))
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            run()
    assert Delivery.objects.count() == 4
    assert sorted(m.subject for m in mailoutbox) == sorted([
        "A library loan is due soon", "An overdue library loan",
        "A library hold is ready for pickup", "A balance owed to the library"])
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_in_french_and_in_english(ils_for_reminders, make_citizen):
    card_of(citizen(make_citizen, "alice@courriel.example", "fr"))
    card_of(citizen(make_citizen, "bob@courriel.example", "en"))
    run()
    texts = {}
    for row in Delivery.objects.select_related("subscriber"):
        texts[(row.subscriber.language, row.kind)] = queue.render_delivery(row)
    subject, text = texts[("fr", "library_overdue")]
    assert subject == "Un prêt de bibliothèque en retard"
    assert ("« Les Misérables, tome 1 », emprunté avec la carte de bibliothèque se terminant "
            "par 5172, était à rendre le") in text
    subject, text = texts[("en", "library_overdue")]
    assert subject == "An overdue library loan"
    assert '"Les Misérables, tome 1", borrowed on the library card ending in 5172' in text
    assert "Maria Chapdelaine" in texts[("fr", "library_due_soon")][1]
    assert "L'Écume des jours" in texts[("en", "library_hold_ready")][1]
    assert "2,50 $" in texts[("fr", "library_balance")][1]
    assert "$2.50" in texts[("en", "library_balance")][1]


def test_the_ils_down_for_a_run_then_the_reminders_on_the_next(
        ils_for_reminders, make_citizen, caplog):
    card_of(citizen(make_citizen, "alice@courriel.example"))
    moment = timezone.now()  # the same `now` each run (`send_reminders --at`): asked again
    ils_for_reminders.mode = "garbage"
    with caplog.at_level(logging.WARNING, logger="library.reminders"):
        result = run(moment)  # no crash
    assert Delivery.objects.count() == 0 and sum(result.created.values()) == 0
    assert "…5172 skipped this run" in caplog.text
    # The breaker open (the system failed again and again): skipped too, at once.
    resilience._failed(), resilience._failed(), resilience._failed()
    assert resilience.is_open()
    ils_for_reminders.mode = "ok"
    run(moment)
    assert Delivery.objects.count() == 0
    # Back: the next run sends them all, and a run after that nothing more.
    resilience.reset()
    run(moment)
    assert len(rows()) == 4
    run(moment)
    assert Delivery.objects.count() == 4


def test_an_ils_that_wants_the_pin_skips_the_card_with_its_reason(
        ils_for_reminders, make_citizen, caplog):
    ils_for_reminders.answers_without_pin = False
    card_of(citizen(make_citizen, "alice@courriel.example"))
    card_of(citizen(make_citizen, "lea@courriel.example"), LEA_CARD)  # loans only
    with caplog.at_level(logging.WARNING, logger="library.reminders"):
        result = run()
    assert Delivery.objects.count() == 0 and sum(result.created.values()) == 0
    assert "card …5172 skipped" in caplog.text and "without the PIN" in caplog.text
    assert "card …5198 skipped" in caplog.text
    assert "circulate" in caplog.text  # the setting the library must give
    assert not resilience.failing()  # a refusal is not an outage: the breaker does not count it


def test_a_late_send_asks_again_and_drops_what_no_longer_holds(
        ils_for_reminders, make_citizen):
    """The job keeps the messages' context only in the short cache: a send after it (a retry)
    reads the record again, without the PIN; a loan returned since is not reminded."""
    from django.core.cache import cache

    card_of(citizen(make_citizen, "alice@courriel.example", "en"))
    run()
    cache.clear()
    overdue = Delivery.objects.get(kind="library_overdue")
    asked = len(ils_for_reminders.requests)
    assert "Les Misérables, tome 1" in queue.render_delivery(overdue)[1]
    assert len(ils_for_reminders.requests) > asked  # asked again
    cache.clear()
    ils_for_reminders.patrons[ALICE_CARD].charged.remove("31000000000102")  # returned
    ils_for_reminders.items["31000000000101"].due = (  # another loan overdue now
        timezone.now() - dt.timedelta(days=1))
    assert queue.render_delivery(overdue) is None
    assert queue.render_delivery(Delivery.objects.get(kind="library_due_soon")) is not None
    overdue.subject = "card:not-a-card:loan:0"  # a key that names no card: nothing, no crash
    assert queue.render_delivery(overdue) is None


def test_no_subscriber_no_question_to_the_ils(ils_for_reminders, make_citizen):
    card_of(make_citizen("nobody@courriel.example"))
    run()
    assert Delivery.objects.count() == 0 and ils_for_reminders.requests == []
