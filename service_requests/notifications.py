"""E-mails about requests, sent by background tasks (django-tasks) through Django's mail API:
the confirmation link of an anonymous report, and every public change to the people who asked
or follow. Tasks take ids (JSON) and read the rows themselves."""
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from .models import Event, ServiceRequest


def _absolute(path: str) -> str:
    return settings.GUICHET_SITE_URL + path


def _send(template: str, context: dict, recipients: list[str]):
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"service_requests/email/{template}_subject.txt",
                                            context).split())
        body = render_to_string(f"service_requests/email/{template}.txt", context)
    for address in recipients:  # one message each: nobody sees another's address
        send_mail(subject, body, None, [address])


@task()
def send_confirmation(request_id: int):
    request = ServiceRequest.objects.select_related("category").filter(pk=request_id).first()
    if request is None or request.confirmed or not request.contact_email:
        return
    link = _absolute(reverse("service_requests:confirm", args=[request.confirm_token]))
    _send("confirm", {"request": request, "link": link}, [request.contact_email])


def recipients(request, exclude_user_id=None) -> list[str]:
    """The reporter (account or confirmed e-mail) and the followers, once each."""
    addresses = []
    if request.reporter_id and request.reporter_id != exclude_user_id:
        addresses.append(request.reporter.email)
    elif not request.reporter_id and request.confirmed and request.contact_email:
        addresses.append(request.contact_email)
    for follower in request.followers.select_related("user"):
        if follower.user_id != exclude_user_id:
            addresses.append(follower.user.email)
    seen = set()
    return [a for a in addresses if a and not (a.lower() in seen or seen.add(a.lower()))]


@task()
def send_update(event_id: int):
    event = (Event.objects.select_related("request__category", "request__reporter")
             .filter(pk=event_id, public=True).first())
    if event is None:
        return
    request = event.request
    to = recipients(request, exclude_user_id=event.actor_id)
    if not to:
        return
    context = {"request": request, "event": event,
               "link": _absolute(reverse("service_requests:public_detail", args=[request.pk])),
               "mine": _absolute(reverse("service_requests:mine"))}
    _send("update", context, to)
