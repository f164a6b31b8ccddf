"""Messages of the registration, sent by background tasks (django-tasks, ids in, rows read by
the task): a seat offered to the waiting list's first (with the delay to accept), and a group
cancelled by the city. Through the reminders' delivery (core.reminders.send_now: the citizen's
channel and language, the delivery log, never twice) for those who have a subscriber; by
e-mail, in their preferred language, to the others."""
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from citizens.selectors import preferred_languages
from core import reminders
from core.email import signature_context

from . import reminders as kinds
from .models import Registration

SEAT_OFFERED = kinds.SEAT_OFFERED
GROUP_CANCELLED = kinds.GROUP_CANCELLED


def _dues(kind: str, registrations) -> list[reminders.Due]:
    """The keys the periodic job computes too (leisure.reminders): the offer's last day, the
    cancellation's day."""
    make = kinds.offer_due if kind == SEAT_OFFERED else kinds.cancelled_due
    return [make(r) for r in registrations]


def _tell(kind: str, template: str, registration_ids: list):
    registrations = list(Registration.objects.filter(pk__in=registration_ids)
                         .exclude(user=None)
                         .select_related("user", "member", "group__activity", "group__place",
                                         "group__season"))
    reached = reminders.send_now(kind, _dues(kind, registrations))
    others = [r for index, r in enumerate(registrations) if index not in reached]
    if not others:
        return
    languages = preferred_languages(r.user_id for r in others)
    link = settings.GUICHET_SITE_URL + reverse("leisure:registrations")
    for registration in others:
        if not registration.user.email:
            continue
        context = {**signature_context(), **context_of(registration), "link": link}
        with translation.override(languages.get(registration.user_id)
                                  or settings.LANGUAGE_CODE):
            subject = " ".join(render_to_string(f"leisure/email/{template}_subject.txt",
                                                context).split())
            body = render_to_string(f"leisure/email/{template}.txt", context)
        send_mail(subject, body, None, [registration.user.email])


def context_of(registration) -> dict:
    return {"registration": registration, "group": registration.group,
            "activity": registration.group.activity, "member": registration.member}


@task()
def send_offers(registration_ids: list[str]):
    _tell(SEAT_OFFERED, "offer", registration_ids)


@task()
def send_group_cancelled(registration_ids: list[str]):
    _tell(GROUP_CANCELLED, "cancelled", registration_ids)


def tell_offers(ids) -> None:
    if ids:
        send_offers.enqueue([str(pk) for pk in ids])


def tell_group_cancelled(ids) -> None:
    if ids:
        send_group_cancelled.enqueue([str(pk) for pk in ids])
