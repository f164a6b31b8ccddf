"""The double opt-in's confirmation link, by e-mail or text message (background tasks that take
ids and read the rows themselves). Nothing else is sent before it is followed."""
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from core.email import signature_context

from .channels import SendError, sms
from .messages import language_of
from .models import Subscriber
from .services import confirmation_token


def confirm_url(subscriber: Subscriber, what: str) -> str:
    return settings.GUICHET_SITE_URL + reverse(
        "alerts:confirm", args=[confirmation_token(subscriber, what)])


@task()
def send_confirmation(subscriber_id: int, what: str) -> None:
    subscriber = Subscriber.objects.select_related("user").filter(pk=subscriber_id).first()
    if subscriber is None:
        return
    with translation.override(language_of(subscriber)):
        context = {**signature_context(), "link": confirm_url(subscriber, what)}
        if what == "email" and subscriber.email and not subscriber.confirmed_at:
            subject = " ".join(render_to_string("alerts/email/confirm_subject.txt",
                                                context).split())
            send_mail(subject, render_to_string("alerts/email/confirm.txt", context), None,
                      [subscriber.email])
        elif what == "phone" and subscriber.phone:
            text = " ".join(render_to_string("alerts/email/confirm_sms.txt", context).split())
            try:
                sms.backend().send(to=subscriber.phone, text=text,
                                   reference=f"guichet-confirm-{subscriber.pk}")
            except SendError:
                pass  # the citizen can ask for another link
