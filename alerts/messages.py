"""What a message says, in the subscriber's language: an alert's subject, text and text
message, with its one-click unsubscribe address; and a browser notification's body and link."""
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext

from .models import Alert, Delivery, Subscriber

SMS_MAX = 640  # four concatenated text messages
NOTIFICATION_MAX = 300  # a browser notification's body (the system shows a few lines)


@dataclass
class Message:
    subject: str
    text: str
    short: str  # the text message
    unsubscribe_url: str
    notice: str = ""  # a browser notification's body (its title is the subject)
    url: str = ""  # what the notification opens: the alert's page, else the site


def _notice(text: str) -> str:
    return Truncator(" ".join(text.split())).chars(NOTIFICATION_MAX)


def unsubscribe_url(subscriber: Subscriber) -> str:
    return settings.GUICHET_SITE_URL + reverse("alerts:unsubscribe", args=[subscriber.token])


_ANY_TOKEN = "00000000-0000-0000-0000-000000000000"


def _unsubscribe_in(subscriber: Subscriber, language: str, rendered: dict | None) -> str:
    """unsubscribe_url in `language` (its URL prefix), the address reversed once per batch
    (`rendered`) and the subscriber's token put in."""
    key = ("unsubscribe", language)
    pattern = rendered.get(key) if rendered is not None else None
    if pattern is None:
        with translation.override(language):
            pattern = settings.GUICHET_SITE_URL + reverse("alerts:unsubscribe",
                                                          args=[_ANY_TOKEN])
        if rendered is not None:
            rendered[key] = pattern
    return pattern.replace(_ANY_TOKEN, str(subscriber.token))


def language_of(subscriber: Subscriber) -> str:
    codes = {code for code, _ in settings.LANGUAGES}
    return subscriber.language if subscriber.language in codes else settings.LANGUAGE_CODE


class NoLongerDue(Exception):
    """A reminder whose subject no longer holds (the instalment paid, the collection
    cancelled): the sender drops it unsent."""


def _reminder(row: Delivery) -> Message:
    from .reminders import render_delivery

    rendered = render_delivery(row)
    if rendered is None:
        raise NoLongerDue(row.kind)
    subject, text = rendered
    unsubscribe = unsubscribe_url(row.subscriber)
    with translation.override(language_of(row.subscriber)):
        footer = render_to_string("alerts/email/reminder_footer.txt", {
            "unsubscribe_url": unsubscribe, "site_url": settings.GUICHET_SITE_URL,
            "municipality": settings.GUICHET_MUNICIPALITY_NAME})
        home = reverse("portal:home")
    short = " ".join(f"{subject} {text}".split())
    if len(short) > SMS_MAX:
        short = short[:SMS_MAX - 1] + "…"
    return Message(subject, text.rstrip() + "\n\n" + footer, short, unsubscribe,
                   notice=_notice(text), url=settings.GUICHET_SITE_URL + home)


# Stands for the subscriber's own unsubscribe address in an alert's text rendered once for all.
_UNSUBSCRIBE = "\x00unsubscribe\x00"


def _alert_texts(alert: Alert, version: int, language: str) -> tuple[str, ...]:
    """(subject, text, text message, notification body, page) of an alert in `language`."""
    with translation.override(language):
        context = {"alert": alert, "site_url": settings.GUICHET_SITE_URL,
                   "municipality": settings.GUICHET_MUNICIPALITY_NAME,
                   "update": version and version > 1,
                   "cancelled": alert.status == Alert.Status.CANCELLED,
                   "unsubscribe_url": _UNSUBSCRIBE}
        subject = " ".join(render_to_string("alerts/email/alert_subject.txt", context).split())
        text = render_to_string("alerts/email/alert.txt", context)
        short = " ".join(render_to_string("alerts/email/alert_sms.txt", context).split())
        notice, page = _notice(alert.body), reverse("alerts:detail", args=[alert.pk])
    return subject, text, short, notice, settings.GUICHET_SITE_URL + page


def compose(row: Delivery, rendered: dict | None = None) -> Message:
    """The message of a delivery row: an alert's, or a reminder's (its kind's renderer, from
    the reminders registry; NoLongerDue when it no longer holds). `rendered`, a dict a sender
    keeps for one batch, holds an alert's texts per (alert, version, language): they are
    rendered once, and only the subscriber's unsubscribe address differs."""
    if row.alert_id is None:
        return _reminder(row)
    subscriber, alert = row.subscriber, row.alert
    key = (alert.pk, row.alert_version, alert.status, language_of(subscriber))
    if rendered is None or key not in rendered:
        texts = _alert_texts(alert, row.alert_version, key[-1])
        if rendered is not None:
            rendered[key] = texts
    else:
        texts = rendered[key]
    url = _unsubscribe_in(subscriber, key[-1], rendered)
    subject, text, short = (part.replace(_UNSUBSCRIBE, url) for part in texts[:3])
    if len(short) > SMS_MAX:
        short = short[:SMS_MAX - 1] + "…"
    return Message(subject, text, short, url, notice=texts[3], url=texts[4])


def is_digest(item: list[Delivery]) -> bool:
    """Whether a channel's item (the rows one message carries) is a daily digest."""
    return len(item) > 1 or item[0].in_digest


def compose_item(item: list[Delivery], rendered: dict | None = None) -> Message:
    """The message of an item: one row's (compose), or a digest's (compose_digest)."""
    return compose_digest(item) if is_digest(item) else compose(item[0], rendered)


def compose_digest(rows: list[Delivery]) -> Message:
    """One message for several alert rows of one subscriber (their daily digest), in their
    language, oldest first."""
    subscriber = rows[0].subscriber
    language = language_of(subscriber)
    with translation.override(language):
        url = unsubscribe_url(subscriber)
        entries = [{"alert": row.alert, "update": row.alert_version and row.alert_version > 1,
                    "cancelled": row.alert.status == Alert.Status.CANCELLED}
                   for row in sorted(rows, key=lambda r: (r.alert.starts_at, r.pk))]
        context = {"entries": entries, "site_url": settings.GUICHET_SITE_URL,
                   "municipality": settings.GUICHET_MUNICIPALITY_NAME, "unsubscribe_url": url}
        subject = " ".join(render_to_string("alerts/email/digest_subject.txt", context).split())
        text = render_to_string("alerts/email/digest.txt", context)
        head = " ".join(render_to_string("alerts/email/digest_sms.txt", context).split())
        tail = f"{gettext('Stop:')} {url}"
        page = settings.GUICHET_SITE_URL + reverse("alerts:list")
    room = SMS_MAX - len(tail) - 1
    if len(head) > room:  # the titles shortened, never the way to stop
        head = head[:room - 1] + "…"
    return Message(subject, text, f"{head} {tail}", url, notice=_notice(head), url=page)
