"""Personal reminders, queued: the periodic job (`manage.py send_reminders`) asks every kind of
the registry (core.reminders) what is due at `now`, writes one Delivery per subscriber, channel
and reminder, and hands the new rows to the sender (alerts.delivery), which renders each one
with render_delivery() in the subscriber's language.

Exactly once: a reminder's key is (subscriber, channel, kind, subject, on), unique in the
database (Delivery's constraint one_reminder_per_day). The rows are written with INSERT ... ON
CONFLICT DO NOTHING, one transaction per kind: running twice writes nothing the second time; a
crash half-way keeps the kinds done, and the next run writes only what is missing.

Who gets what:
- a PROPERTY kind reaches the subscribers (an active account, or an address or number confirmed
  by its link) whose Subscription on the property lists the kind (or "kind:option", e.g.
  "collection_tomorrow:garbage") in `reminders`, on that subscription's channels; if the kind
  names an audience (taxes: "tax_viewers"), only the accounts the audience lists for that
  property, and nobody if no app registered the audience. The kind computes only for the
  properties so subscribed: the work grows with the subscriptions, not with the town.
- a PERSON kind (acknowledgements) reaches the person's own Subscriber, if they have one (none
  is created for them): by account, or without an account by the e-mail address a subscriber
  confirmed. Channels: those of the subscriber's subscriptions, e-mail (else SMS) when they
  have none."""
import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from core import reminders as registry

from .models import Channel, Delivery, PushEndpoint, Subscriber, Subscription
from .selectors import sending_channels

log = logging.getLogger(__name__)

# How far from the clock the job may be asked to run (--at): enough to catch up after an outage
# (core.reminders.LOOKBACK), not a year of reminders by mistake.
MAX_OFFSET = dt.timedelta(days=3)


@dataclass
class Queued:
    due: dict[str, int] = field(default_factory=dict)  # kind: reminders due (before persons)
    created: dict[str, int] = field(default_factory=dict)  # kind: Delivery rows written
    ids: list[int] = field(default_factory=list)  # the rows written, handed to the sender
    skipped: list[str] = field(default_factory=list)  # kinds whose audience is not registered


def check_at(at: dt.datetime, now: dt.datetime | None = None) -> None:
    """ValueError when `at` is more than MAX_OFFSET from the clock."""
    now = now or timezone.now()
    if abs(at - now) > MAX_OFFSET:
        raise ValueError(
            f"{at.isoformat()} is more than {MAX_OFFSET.days} days from now "
            f"({now.isoformat()}): reminders are computed for the present only.")


def eligible_subscribers() -> Q:
    """As selectors.subscribers_reached: an active account, or a confirmed address or number."""
    return (Q(subscriber__user__isnull=False, subscriber__user__is_active=True)
            | Q(subscriber__user__isnull=True, subscriber__confirmed_at__isnull=False))


def queue_due(now: dt.datetime | None = None, *, dry_run: bool = False,
              kinds: list[str] | None = None) -> Queued:
    """Write the Delivery rows of every reminder due at `now` (one transaction per kind) and
    hand each kind's new rows to the sender once committed. `dry_run`: count, write nothing."""
    now = now or timezone.now()
    result = Queued()
    for kind in registry.kinds():
        if kinds is not None and kind.code not in kinds:
            continue
        rows = _rows(kind, now, result)
        if dry_run:
            result.created[kind.code] = len(rows)
            continue
        with transaction.atomic():
            ids = _insert(kind.code, rows)
            if ids:
                transaction.on_commit(lambda ids=ids: _hand_over(ids))
        result.created[kind.code] = len(ids)
        result.ids += ids
    return result


def _rows(kind, now, result: Queued) -> set[tuple]:
    """{(subscriber id, channel, subject, on)} of the kind at `now`."""
    if kind.scope == registry.PERSON:
        dues = list(kind.due(now, None))
        result.due[kind.code] = len(dues)
        return _person_rows(dues)
    codes = registry.wanted(kind.code)
    if kind.options:
        codes += [f"{kind.code}:{value}" for value, _label in kind.options()]
    subscriptions = list(
        Subscription.objects.filter(eligible_subscribers(), reminders__overlap=codes)
        .exclude(channels=[])
        .values_list("subscriber_id", "subscriber__user_id", "property_id", "channels",
                     "reminders"))
    if kind.audience:
        members = registry.audience(kind.audience)
        if members is None:  # closed by default
            log.warning("reminder %s: audience %s is not registered: nobody gets it",
                        kind.code, kind.audience)
            result.skipped.append(kind.code)
            result.due[kind.code] = 0
            return set()
        allowed = members({s[2] for s in subscriptions})
        subscriptions = [s for s in subscriptions if s[1] in allowed.get(s[2], ())]
    by_property: dict[int, list] = {}
    for s in subscriptions:
        by_property.setdefault(s[2], []).append(s)
    if not by_property:
        result.due[kind.code] = 0
        return set()
    dues = list(kind.due(now, set(by_property)))
    result.due[kind.code] = len(dues)
    rows = set()
    for due in dues:
        wanted = set(registry.wanted(kind.code, due.option))
        for subscriber_id, _user, _prop, channels, asked in by_property.get(due.property_id, ()):
            if wanted & set(asked):
                rows |= {(subscriber_id, channel, due.subject, due.on) for channel in channels}
    return rows


def queue_now(kind: str, dues: list) -> set[int]:
    """core.reminders.send_now's sender: writes the rows of `dues` (a PERSON kind) and hands
    them to the sender once committed; returns the indexes of the dues that reached a
    subscriber."""
    reached: set[int] = set()
    rows = _person_rows(dues, reached)
    with transaction.atomic():
        ids = _insert(kind, rows)
        if ids:
            transaction.on_commit(lambda: _hand_over(ids))
    return reached


def _person_rows(dues, reached: set[int] | None = None) -> set[tuple]:
    user_ids = {d.person.pk for d in dues if d.person is not None}
    emails = {d.email.lower() for d in dues if d.person is None and d.email}
    if not user_ids and not emails:
        return set()
    subscribers = list(
        Subscriber.objects.annotate(email_key=Lower("email"))
        .filter(Q(user_id__in=user_ids, user__is_active=True)
                | Q(user__isnull=True, confirmed_at__isnull=False, email_key__in=emails))
        .select_related("user").prefetch_related("subscriptions"))
    by_user = {s.user_id: s for s in subscribers if s.user_id}
    by_email = {s.email_key: s for s in subscribers if not s.user_id}
    rows = set()
    for index, due in enumerate(dues):
        subscriber = (by_user.get(due.person.pk) if due.person is not None
                      else by_email.get(due.email.lower()))
        channels = person_channels(subscriber) if subscriber is not None else []
        if channels:
            rows |= {(subscriber.pk, channel, due.subject, due.on) for channel in channels}
            if reached is not None:
                reached.add(index)
    return rows


def person_channels(subscriber) -> list[str]:
    """The channels of the subscriber's subscriptions; without any, e-mail, else SMS."""
    channels = sorted({c for s in subscriber.subscriptions.all() for c in s.channels})
    if channels:
        return channels
    if subscriber.email or (subscriber.user and subscriber.user.email):
        return [Channel.EMAIL]
    return [Channel.SMS] if subscriber.phone else []


# Delivery's constraint one_reminder_per_day (a partial unique index) decides what is new:
# ON CONFLICT DO NOTHING without a target skips a row any unique index refuses. Only the
# channels that are sent (browser notifications when configured, to a browser turned on).
_INSERT = f"""
INSERT INTO {Delivery._meta.db_table}
    (subscriber_id, channel, kind, subject, "on", status, attempts, provider_id, error,
     created_at)
SELECT s, c, %(kind)s, subj, d, %(status)s, 0, '', '', %(now)s
FROM unnest(%(subscribers)s::bigint[], %(channels)s::text[], %(subjects)s::text[],
            %(dates)s::date[]) AS r(s, c, subj, d)
WHERE c = ANY(%(sending)s) AND (c <> 'push' OR EXISTS (
    SELECT 1 FROM {PushEndpoint._meta.db_table} e WHERE e.subscriber_id = r.s))
ON CONFLICT DO NOTHING
RETURNING id
"""


def _insert(kind: str, rows: set[tuple]) -> list[int]:
    if not rows:
        return []
    ordered = sorted(rows)
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, {
            "kind": kind, "status": Delivery.Status.QUEUED, "now": timezone.now(),
            "subscribers": [r[0] for r in ordered], "channels": [r[1] for r in ordered],
            "subjects": [r[2][:registry.MAX_SUBJECT] for r in ordered],
            "dates": [r[3] for r in ordered], "sending": list(sending_channels())})
        return sorted(row[0] for row in cursor.fetchall())


def _hand_over(ids: list[int]) -> None:
    """Give the new rows to the sender (alerts.delivery, issue 13 part 4)."""
    from . import delivery

    # In batches, as the alerts' fan-out does; a crash before this leaves the rows queued,
    # and resume_deliveries (cron) hands them over.
    delivery.enqueue_sending(ids)


def language_of(subscriber) -> str:
    return "en" if (subscriber.language or "").lower().startswith("en") else "fr"


def render_delivery(delivery: Delivery) -> tuple[str, str] | None:
    """(subject line, text) of a reminder row (delivery.kind set), in its subscriber's
    language; None when it no longer holds (the kind is gone, or its load() finds nothing:
    the instalment was paid, the collection cancelled...): the sender drops it unsent."""
    kind = registry.get(delivery.kind)
    if kind is None or kind.load is None:
        return None
    context = kind.load(delivery.subject, delivery.on)
    if context is None:
        return None
    return kind.render(context, language_of(delivery.subscriber))
