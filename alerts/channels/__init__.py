"""The channels that carry a message (e-mail, text message, browser notification), and the
delivery log's writes they share. A sending task (alerts.delivery.send_deliveries) claims its
rows, then hands each channel's rows to `SENDERS[channel](rows, claim)`, which sends them and
records each outcome with `mark_sent` (or `SentMarks`, a batch's marks in groups) / `mark_failed`
(each its own committed statement, fenced by the claim: a row is marked only by the claim that
holds it)."""
import datetime as dt

from django.conf import settings
from django.db import connection
from django.utils import timezone

# Waits before attempts 2, 3, ... of a temporary failure (then failed for good).
BACKOFF_S = (60, 300, 1800, 7200, 21600)
MAX_ATTEMPTS = len(BACKOFF_S) + 1


class SendError(Exception):
    """A message not sent: `temporary` ones (server busy, network) are tried again later."""

    def __init__(self, message: str, *, temporary: bool):
        super().__init__(message)
        self.temporary = temporary


def mark_sent(row_id: int, claim, provider_id: str = "") -> bool:
    """Commits row `row_id` as sent, if `claim` still holds it; False when it lost it (a lapsed
    lease taken over): the caller must then not send it.

    One statement, whose commit does not wait for the disk: synchronous_commit off for its own
    transaction (set_config(..., true) is SET LOCAL; RETURNING runs it before the commit),
    PostgreSQL's setting for writes that a crash of the database server may lose, never
    corrupt. What such a crash can lose is the mark of the last messages, which are then sent
    again with the same Message-ID: the outcome the e-mail channel already accepts (a worker
    killed between the server's 250 and this commit), never a lost message. Measured: 0.10 ms
    against 0.20 ms a mark on a quiet machine, and the bench's 100,000 e-mails spent 2.2 ms a
    message waiting on it under load."""
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE alerts_delivery SET status = 'sent', sent_at = clock_timestamp(), "
            "provider_id = %s, "
            "error = '', claim = NULL, claimed_until = NULL "
            "WHERE id = %s AND claim = %s AND status = 'queued' "
            "RETURNING set_config('synchronous_commit', 'off', true)",
            [provider_id[:200], row_id, claim])
        return cur.rowcount == 1


class SentMarks:
    """The sent marks of one batch, committed in groups of `every` (GUICHET_DELIVERY_MARK_EVERY)
    and whatever remains when the batch ends, even by an exception: one UPDATE for a group
    instead of one a message (`mark_sent`'s statement for many rows).

    What a group changes is only the window `mark_sent` documents: a worker killed after the
    server's 250 and before its mark sends that message again, with the same Message-ID; with
    groups that is up to `every` messages instead of one, never a lost message. Measured in
    bench/alerts_delivery.py (RESULTS.md, issue 13)."""

    def __init__(self, claim, every: int | None = None):
        self.claim = claim
        self.every = max(1, every or settings.GUICHET_DELIVERY_MARK_EVERY)
        self.ids: list[int] = []
        self.provider_ids: list[str] = []

    def add(self, row_id: int, provider_id: str = "") -> None:
        self.ids.append(row_id)
        self.provider_ids.append(provider_id[:200])
        if len(self.ids) >= self.every:
            self.flush()

    def flush(self) -> int:
        """Commits the marks held; returns how many rows the claim still held."""
        if not self.ids:
            return 0
        ids, provider_ids, self.ids, self.provider_ids = self.ids, self.provider_ids, [], []
        with connection.cursor() as cur:
            cur.execute(
                "UPDATE alerts_delivery d SET status = 'sent', sent_at = clock_timestamp(), "
                "provider_id = v.provider_id, error = '', claim = NULL, claimed_until = NULL "
                "FROM unnest(%s::bigint[], %s::text[]) AS v(id, provider_id) "
                "WHERE d.id = v.id AND d.claim = %s AND d.status = 'queued' "
                "RETURNING set_config('synchronous_commit', 'off', true)",
                [ids, provider_ids, self.claim])
            return cur.rowcount

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.flush()
        return False


def retry_at(attempts: int) -> dt.datetime | None:
    """When attempt `attempts + 1` may run, or None when there are no more."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return timezone.now() + dt.timedelta(seconds=BACKOFF_S[max(attempts, 1) - 1])


def mark_failed(row, claim, error: str, *, temporary: bool):
    """Records a failure of `row` (a Delivery with its `attempts`), if `claim` still holds it:
    queued again with a later next_attempt_at when temporary and attempts remain, else failed.
    Returns the retry time."""
    when = retry_at(row.attempts) if temporary else None
    status = "queued" if when else "failed"
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE alerts_delivery SET status = %s, next_attempt_at = %s, error = %s, "
            "claim = NULL, claimed_until = NULL, sent_at = NULL "
            "WHERE id = %s AND claim = %s AND status = 'queued'",
            [status, when, error[:2000], row.pk, claim])
    return when


def senders() -> dict:
    from . import email, push, sms

    return {"email": email.send_batch, "sms": sms.send_batch, "push": push.send_batch}
