"""The SIP2 connector against a real conversation over TCP (tests/library/ils.py, playing
Koha): a family's record, a blocked card, a wrong PIN, an unknown card, renewals (one renewed
with its new due date, one on hold for another reader), the login, and the failures that must
be IlsUnavailable within the timeout: nobody listening, too slow, garbage."""
import datetime as dt
import time
from decimal import Decimal

import pytest
from django.utils import timezone

from library.connectors.base import ON_HOLD, IlsUnavailable
from library.connectors.sip2 import Sip2Connector
from tests.library.conftest import ALICE_CARD, ALICE_PIN, BLOCKED_CARD, BLOCKED_PIN


def connector(port, **extra) -> Sip2Connector:
    return Sip2Connector(host="127.0.0.1", port=port, institution="PINCOURT", timeout=0.5,
                         **extra)


@pytest.fixture
def server():
    from tests.library.ils import FakeIls

    ils = FakeIls().start()
    yield ils
    ils.stop()


def test_a_record_with_loans_overdue_holds_and_fines(server):
    record = connector(server.port).patron_info(ALICE_CARD, ALICE_PIN)
    assert record.valid and record.pin_ok and not record.blocked
    titles = [loan.title for loan in record.loans]
    # Latin-1 titles with their accents, soonest due first (the overdue one).
    assert titles == ["Les Misérables, tome 1", "Maria Chapdelaine", "Le Petit Prince"]
    assert [loan.overdue for loan in record.loans] == [True, False, False]
    now = timezone.now()
    assert record.loans[0].due < now < record.loans[2].due
    assert record.loans[2].due - now > dt.timedelta(days=9)
    ready, waiting = record.holds
    assert (ready.title, ready.ready, waiting.title, waiting.ready) == (
        "L'Écume des jours", True, "Kamouraska", False)
    assert ready.pickup_by == (timezone.localdate() + dt.timedelta(days=5))
    assert waiting.queue_length == 3 and waiting.position is None
    assert record.fee_total == Decimal("2.50") and record.currency == "CAD"
    assert [f.amount for f in record.fines] == [Decimal("2.50")]
    assert record.next_due == record.loans[0].due
    # One conversation: a 63 per non-empty list (charged, overdue, holds, waiting, fines) and
    # a 17 per loan and hold; checksummed (pysip2's strict decoder read every request).
    assert server.connections == 1
    assert server.requests.count("63") == 5 and server.requests.count("17") == 5


def test_a_blocked_card_a_wrong_pin_an_unknown_card(server):
    blocked = connector(server.port).patron_info(BLOCKED_CARD, BLOCKED_PIN)
    assert blocked.valid and blocked.pin_ok and blocked.blocked
    assert blocked.fee_total == Decimal("45.00") and blocked.loans == ()
    wrong = connector(server.port).patron_info(ALICE_CARD, "9999")
    assert wrong.valid and not wrong.pin_ok and wrong.loans == ()
    unknown = connector(server.port).patron_info("99999999999999", "1234")
    assert not unknown.valid and not unknown.pin_ok


def test_renewals_one_renewed_one_on_hold_for_another_reader(server):
    before = server.items["31000000000101"].due
    renewed, refused = connector(server.port).renew_many(
        ALICE_CARD, ALICE_PIN, ["31000000000101", "31000000000103"])
    assert renewed.ok and renewed.due is not None
    assert abs(renewed.due - (before + dt.timedelta(days=21))) < dt.timedelta(seconds=1)
    assert not refused.ok and refused.reason == ON_HOLD and refused.due is None
    assert "outstanding holds" in refused.message
    assert server.connections == 1


def test_the_login_is_sent_when_configured_and_a_refused_login_is_a_failure(server):
    server.login = ("portail", "s3cret")
    record = connector(server.port, user="portail", password="s3cret").patron_info(
        ALICE_CARD, ALICE_PIN)
    assert record.pin_ok and server.requests[0] == "93"
    with pytest.raises(IlsUnavailable):
        connector(server.port, user="portail", password="wrong").patron_info(
            ALICE_CARD, ALICE_PIN)
    with pytest.raises(IlsUnavailable):  # no login at all: Koha hangs up
        connector(server.port).patron_info(ALICE_CARD, ALICE_PIN)


def test_nobody_listening_is_unavailable_at_once(closed_port):
    started = time.monotonic()
    with pytest.raises(IlsUnavailable):
        connector(closed_port).patron_info(ALICE_CARD, ALICE_PIN)
    assert time.monotonic() - started < 0.5


def test_a_slow_system_is_cut_at_the_deadline(server):
    server.mode, server.delay = "slow", 0.2  # each answer 0.2 s: a record needs ~15 of them
    started = time.monotonic()
    with pytest.raises(IlsUnavailable):
        connector(server.port).patron_info(ALICE_CARD, ALICE_PIN)
    elapsed = time.monotonic() - started
    assert 0.45 < elapsed < 0.8  # the whole call's deadline (0.5 s), not one per message


def test_garbage_is_unavailable(server):
    server.mode = "garbage"
    with pytest.raises(IlsUnavailable):
        connector(server.port).patron_info(ALICE_CARD, ALICE_PIN)


def test_without_checksums_too(server):
    record = connector(server.port, checksums=False).patron_info(ALICE_CARD, ALICE_PIN)
    assert len(record.loans) == 3
