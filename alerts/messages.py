"""What a message says, in the subscriber's language: an alert's subject, text and text
message, with its one-click unsubscribe address; and a browser notification's body and link."""
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.text import Truncator

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


def compose(row: Delivery) -> Message:
    """The message of a delivery row: an alert's, or a reminder's (its kind's renderer, from
    the reminders registry; NoLongerDue when it no longer holds)."""
    if row.alert_id is None:
        return _reminder(row)
    subscriber, alert = row.subscriber, row.alert
    with translation.override(language_of(subscriber)):
        context = {"alert": alert, "site_url": settings.GUICHET_SITE_URL,
                   "municipality": settings.GUICHET_MUNICIPALITY_NAME,
                   "update": row.alert_version and row.alert_version > 1,
                   "cancelled": alert.status == Alert.Status.CANCELLED,
                   "unsubscribe_url": unsubscribe_url(subscriber)}
        subject = " ".join(render_to_string("alerts/email/alert_subject.txt", context).split())
        text = render_to_string("alerts/email/alert.txt", context)
        short = " ".join(render_to_string("alerts/email/alert_sms.txt", context).split())
        notice, page = _notice(alert.body), reverse("alerts:detail", args=[alert.pk])
    if len(short) > SMS_MAX:
        short = short[:SMS_MAX - 1] + "…"
    return Message(subject, text, short, context["unsubscribe_url"], notice=notice,
                   url=settings.GUICHET_SITE_URL + page)
