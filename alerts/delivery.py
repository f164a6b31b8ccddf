"""Delivery: an alert version's fan-out into one Delivery row per (subscriber, channel), then
sending tasks that claim their rows, send, and record each outcome. Both through django-tasks.

Exactly once, as database facts:
- fan_out inserts its rows in batches, each with INSERT ... ON CONFLICT DO NOTHING (the unique
  constraint one_delivery_per_alert_version) and, in the same transaction with the database
  backend, the sending tasks of the rows it inserted: a batch is there with its tasks or not at
  all. Run again (resume()), it inserts only what is missing. Alert.fanned_out_version marks the
  end. With a backend outside the database (RQ on Redis) a batch's tasks are enqueued once it
  has committed; a worker killed between the two leaves rows without a task, so the fan-out run
  again also enqueues its version's rows still waiting (_enqueue_waiting).
- send_deliveries claims its rows (SELECT ... FOR UPDATE SKIP LOCKED, a claim token and a lease,
  committed), then each channel commits a row as sent only under that claim (channels.mark_sent):
  a row whose lease lapsed (a killed worker) is taken over by a later task, and the first owner
  can no longer mark it. E-mail commits before the message's final dot (channels/email.py).
- A worker killed mid-task leaves its task "running" for ever (a django-tasks row, or RQ's
  started job): `manage.py resume_deliveries` (cron, every few minutes) enqueues the unfinished
  fan-outs and the rows whose claim lapsed or whose task never came.

An update or a cancellation (a new version) goes to those who got an earlier version (their
Delivery rows), not to a recomputed target; earlier versions' rows still waiting (quiet hours, a
retry) are superseded: failed with error "superseded", so that nobody gets both."""
import datetime as dt
import uuid
from itertools import islice

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task, task_backends

from .channels import senders
from .models import Alert, Delivery, Subscriber
from .selectors import sending_channels, subscriptions_reached

SUPERSEDED = "superseded"


def _chunks(items, size):
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _transactional_queue() -> bool:
    """Whether tasks are rows of this database (django-tasks-db): then they are enqueued in the
    transaction of the rows they send. Another backend (immediate, RQ) gets them after it."""
    return type(task_backends["default"]).__module__.startswith("django_tasks_db")


def _can_defer() -> bool:
    return task_backends["default"].supports_defer


def enqueue_sending(ids: list[int], when: dt.datetime | None = None) -> None:
    """Sending tasks for delivery rows `ids` (in batches), at `when` if given (else now). A
    backend that cannot defer leaves later ones to resume()."""
    if when is not None and when > timezone.now() and not _can_defer():
        return
    for chunk in _chunks(sorted(ids), settings.GUICHET_DELIVERY_SEND_BATCH):
        def go(chunk=chunk):
            job = send_deliveries if when is None else send_deliveries.using(run_after=when)
            job.enqueue(chunk)
        if _transactional_queue():
            go()
        else:
            transaction.on_commit(go)


# Fan-out

def recipients(alert: Alert, version: int) -> list[tuple[int, str]]:
    """(subscriber id, channel) pairs an alert version goes to, ordered."""
    if version > 1:
        earlier = (Delivery.objects.filter(alert=alert, alert_version__lt=version)
                   .filter(status__in=[Delivery.Status.SENT, Delivery.Status.DELIVERED,
                                       Delivery.Status.QUEUED]) |
                   Delivery.objects.filter(alert=alert, alert_version__lt=version,
                                           status=Delivery.Status.FAILED,
                                           error__startswith=SUPERSEDED))
        return sorted(set(earlier.filter(subscriber__subscriptions__isnull=False)
                          .values_list("subscriber_id", "channel")))
    subscriptions = subscriptions_reached(alert)
    sql, params = (subscriptions.values("subscriber_id", "channels").query.sql_with_params())
    with connection.cursor() as cur:
        cur.execute(f"""
            SELECT DISTINCT r.subscriber_id, ch
            FROM ({sql}) r CROSS JOIN LATERAL unnest(r.channels) ch
            JOIN alerts_subscriber s ON s.id = r.subscriber_id
            LEFT JOIN auth_user u ON u.id = s.user_id
            WHERE ch = ANY(%s) AND CASE ch
                WHEN 'email' THEN coalesce(nullif(s.email, ''), u.email, '') <> ''
                WHEN 'sms' THEN s.phone <> '' AND (s.phone_confirmed_at IS NOT NULL
                                                   OR (s.user_id IS NULL
                                                       AND s.confirmed_at IS NOT NULL))
                WHEN 'push' THEN EXISTS (SELECT 1 FROM alerts_pushendpoint e
                                         WHERE e.subscriber_id = s.id)
                ELSE false END
            ORDER BY 1, 2""", [*params, list(sending_channels())])
        return cur.fetchall()


def _insert(alert_id: int, version: int, pairs) -> list[int]:
    with connection.cursor() as cur:
        cur.execute("""
            INSERT INTO alerts_delivery (subscriber_id, channel, alert_id, alert_version, kind,
                subject, status, attempts, provider_id, error, created_at)
            SELECT p.subscriber_id, p.channel, %s, %s, '', '', 'queued', 0, '', '',
                clock_timestamp()
            FROM unnest(%s::bigint[], %s::varchar[]) AS p(subscriber_id, channel)
            ON CONFLICT DO NOTHING
            RETURNING id""", [alert_id, version, [p[0] for p in pairs], [p[1] for p in pairs]])
        return [row[0] for row in cur.fetchall()]


def _enqueue_waiting(alert_id: int, version: int) -> None:
    """A fan-out run again after a worker was killed (resume()), on a backend outside the
    database (RQ): a batch's sending tasks are enqueued only after its commit, so a kill between
    the two left committed rows without a task. Their tasks now rather than after resume()'s
    grace; a row that has a task already is claimed once all the same."""
    waiting = (Delivery.objects.filter(alert_id=alert_id, alert_version=version,
                                       status=Delivery.Status.QUEUED)
               .filter(_unclaimed()).exclude(next_attempt_at__gt=timezone.now()))
    enqueue_sending(list(waiting.values_list("pk", flat=True)))


@task()
def fan_out(alert_id: int, version: int) -> int:
    """One Delivery row per (subscriber, channel) the alert's `version` reaches, and their
    sending tasks. Returns how many rows it inserted (0 when run again after a full run)."""
    alert = Alert.objects.select_related("topic").filter(pk=alert_id).first()
    if (alert is None or alert.version != version  # a newer version fans out itself
            or alert.status not in (Alert.Status.SENT, Alert.Status.CANCELLED)):
        return 0
    pairs = recipients(alert, version)
    if version > 1:
        Delivery.objects.filter(alert=alert, alert_version__lt=version,
                                status=Delivery.Status.QUEUED).filter(
            _unclaimed()).update(status=Delivery.Status.FAILED,
                                 error=f"{SUPERSEDED} by version {version}")
    if not _transactional_queue():
        _enqueue_waiting(alert_id, version)
    inserted = 0
    for batch in _chunks(pairs, settings.GUICHET_DELIVERY_BATCH):
        with transaction.atomic():
            ids = _insert(alert_id, version, batch)
            enqueue_sending(ids)
        inserted += len(ids)
    Alert.objects.filter(pk=alert_id, fanned_out_version__lt=version).update(
        fanned_out_version=version)
    return inserted


# Sending

def _unclaimed():
    return Q(claim__isnull=True) | Q(claimed_until__lt=timezone.now())


def _claim(where: str, params: list, claim: uuid.UUID) -> list[int]:
    lease = dt.timedelta(seconds=settings.GUICHET_DELIVERY_LEASE_S)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"""
            UPDATE alerts_delivery d SET claim = %s, claimed_until = clock_timestamp() + %s,
                attempts = d.attempts + 1
            WHERE d.id IN (
                SELECT id FROM alerts_delivery
                WHERE {where} AND status = 'queued'
                  AND (claim IS NULL OR claimed_until < clock_timestamp())
                  AND (next_attempt_at IS NULL OR next_attempt_at <= clock_timestamp())
                ORDER BY id FOR UPDATE SKIP LOCKED)
            RETURNING d.id""", [claim, lease, *params])
        return sorted(row[0] for row in cur.fetchall())


def claim_rows(ids: list[int], claim: uuid.UUID) -> list[int]:
    """Claims the due, queued rows of `ids` nobody holds (a lapsed lease is taken over): a
    committed claim token and lease, attempts + 1. Returns the ids claimed."""
    return _claim("id = ANY(%s)", [ids], claim)


def claim_digests(subscriber_ids: list[int], claim: uuid.UUID) -> list[int]:
    """Claims every due digest row of these subscribers (whichever task they were queued
    with): their digest goes in one message."""
    return _claim("subscriber_id = ANY(%s) AND in_digest", [subscriber_ids], claim)


def digest_time(now: dt.datetime) -> dt.datetime:
    """The next digest hour (settings.GUICHET_DIGEST_HOUR, local time) after `now`."""
    local = timezone.localtime(now)
    at = local.replace(hour=settings.GUICHET_DIGEST_HOUR, minute=0, second=0, microsecond=0)
    if at <= local:
        at = timezone.make_aware(dt.datetime.combine(local.date() + dt.timedelta(days=1),
                                                     at.time()))
    return at


# Channels whose sender takes digests (send_batch(rows, claim, digests=...)).
DIGEST_CHANNELS = ("email", "sms")


def for_digest(row: Delivery) -> bool:
    """A minor, non-emergency alert to a subscriber who chose the daily digest."""
    return (row.alert_id is not None and row.subscriber.digest
            and row.channel in DIGEST_CHANNELS and not urgent(row)
            and row.alert.severity == Alert.Severity.MINOR)


def quiet_until(subscriber: Subscriber, now: dt.datetime) -> dt.datetime | None:
    """The end of the subscriber's quiet hours when `now` falls in them (local time), else
    None. Overnight periods (22:00 to 07:00) included."""
    start, end = subscriber.quiet_from, subscriber.quiet_to
    if start is None or end is None or start == end:
        return None
    local = timezone.localtime(now)
    t = local.time()
    inside = start <= t < end if start < end else (t >= start or t < end)
    if not inside:
        return None
    day = local.date() if t < end else local.date() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, end))


def urgent(row: Delivery) -> bool:
    return row.alert_id is not None and (row.alert.topic.emergency
                                         or row.alert.severity == Alert.Severity.EXTREME)


def _release(row_ids: list[int], claim, when: dt.datetime) -> None:
    Delivery.objects.filter(pk__in=row_ids, claim=claim).update(
        claim=None, claimed_until=None, next_attempt_at=when)


@task()
def send_deliveries(ids: list[int]) -> int:
    """Sends the delivery rows `ids` that are due and unclaimed; returns how many it sent.
    A row held for quiet hours or for the daily digest goes back to the queue until then; a
    digest row due goes in one message with the subscriber's other digest rows due."""
    claim = uuid.uuid4()
    claimed = claim_rows(ids, claim)
    if not claimed:
        return 0
    rows = _claimed(claimed, claim)
    now = timezone.now()
    by_channel, deferred, to_digest, digests = {}, {}, {}, {}
    for row in rows:
        until = None if urgent(row) else quiet_until(row.subscriber, now)
        if until:
            deferred.setdefault(until, []).append(row.pk)
        elif row.in_digest:
            digests.setdefault((row.subscriber_id, row.channel), []).append(row)
        elif for_digest(row):
            to_digest.setdefault(digest_time(now), []).append(row.pk)
        else:
            by_channel.setdefault(row.channel, []).append(row)
    for until, row_ids in deferred.items():
        _release(row_ids, claim, until)
        enqueue_sending(row_ids, until)
    for until, row_ids in to_digest.items():
        Delivery.objects.filter(pk__in=row_ids, claim=claim).update(in_digest=True)
        _release(row_ids, claim, until)
        enqueue_sending(row_ids, until)
    if digests:
        more = claim_digests(sorted({key[0] for key in digests}), claim)
        for row in _claimed(more, claim):
            digests.setdefault((row.subscriber_id, row.channel), []).append(row)
        claimed += more
    retries = {}
    send = senders()
    for channel in sorted(set(by_channel) | {key[1] for key in digests}):
        channel_rows = by_channel.get(channel, [])
        groups = [group for key, group in sorted(digests.items()) if key[1] == channel]
        if channel not in send:
            for row in channel_rows + [row for group in groups for row in group]:
                Delivery.objects.filter(pk=row.pk, claim=claim).update(
                    status=Delivery.Status.FAILED, error=f"no sender for {channel}",
                    claim=None, claimed_until=None)
            continue
        outcome = (send[channel](channel_rows, claim, digests=groups) if groups
                   else send[channel](channel_rows, claim))
        for row, when in outcome:
            retries.setdefault(when, []).append(row.pk)
    for when, row_ids in retries.items():
        enqueue_sending(row_ids, when)
    return Delivery.objects.filter(pk__in=claimed, status=Delivery.Status.SENT).count()


def _claimed(ids: list[int], claim) -> list[Delivery]:
    return list(Delivery.objects.filter(pk__in=ids, claim=claim)
                .select_related("subscriber__user", "alert__topic").order_by("pk"))


# Recovery

def resume(grace: dt.timedelta = dt.timedelta(minutes=5)) -> dict:
    """What a killed worker left: fan-outs not finished, rows whose claim lapsed, rows due for
    longer than `grace` that no task took (a retry's task lost, a backend that cannot defer).
    Enqueues them again; the claims make a duplicate task harmless."""
    now = timezone.now()
    fan_outs = list(Alert.objects.filter(
        status__in=[Alert.Status.SENT, Alert.Status.CANCELLED],
        fanned_out_version__lt=F("version")).values_list("pk", "version"))
    for alert_id, version in fan_outs:
        fan_out.enqueue(alert_id, version)
    lapsed = Delivery.objects.filter(status=Delivery.Status.QUEUED, claim__isnull=False,
                                     claimed_until__lt=now)
    forgotten = Delivery.objects.filter(status=Delivery.Status.QUEUED, claim__isnull=True,
                                        created_at__lt=now - grace).exclude(
        next_attempt_at__gt=now - grace)
    ids = sorted(set(lapsed.values_list("pk", flat=True))
                 | set(forgotten.values_list("pk", flat=True)))
    with transaction.atomic():
        enqueue_sending(ids)
    return {"fan_outs": len(fan_outs), "deliveries": len(ids)}

