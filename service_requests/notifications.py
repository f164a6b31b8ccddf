"""Messages about requests, sent by background tasks (django-tasks); tasks take ids (JSON) and
read the rows themselves:

- the confirmation link of an anonymous report (Django's mail API: the address is not
  confirmed yet);
- every public change, to the people who asked or follow: through the reminders' delivery
  (core.reminders.send_now, kind "request_updated": the delivery log, retries, their channel and
  language, exactly once) for those who have a subscriber; by e-mail (in French) to the others,
  and to everyone when no app delivers reminders."""
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from citizens.selectors import preferred_languages
from core import reminders
from core.email import signature_context

from .models import Event, Follower, ServiceRequest


def _absolute(path: str) -> str:
    return settings.GUICHET_SITE_URL + path


def _send(template: str, context: dict, recipients: list[str], language: str = ""):
    context = {**signature_context(), **context}
    with translation.override(language or settings.LANGUAGE_CODE):
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


@task()
def send_follow_confirmation(follower_id: int):
    """The link that makes an e-mail address (without an account) a follower."""
    follower = (Follower.objects.select_related("request__category")
                .filter(pk=follower_id, user=None, confirmed_at=None).first())
    if follower is None:
        return
    context = {"request": follower.request,
               "link": _absolute(reverse("service_requests:follow_confirm",
                                         args=[follower.token])),
               "stop": _absolute(reverse("service_requests:follow_stop",
                                         args=[follower.token]))}
    _send("follow_confirm", context, [follower.email], follower.language)


def people(request, exclude_user_id=None) -> list[tuple[object, str]]:
    """(account or None, e-mail address) of the reporter (account, or confirmed e-mail) and
    the followers with an account, once each. (The followers by e-mail alone are written to
    by send_update, each with their own "stop following" link.)"""
    found = []
    if request.reporter_id and request.reporter_id != exclude_user_id:
        found.append((request.reporter, request.reporter.email))
    elif not request.reporter_id and request.confirmed and request.contact_email:
        found.append((None, request.contact_email))
    for follower in request.followers.filter(user__isnull=False).select_related("user"):
        if follower.user_id != exclude_user_id:
            found.append((follower.user, follower.user.email))
    seen = set()
    return [(user, address) for user, address in found
            if address and not (address.lower() in seen or seen.add(address.lower()))]


@task()
def send_update(event_id: int):
    from .reminders import REQUEST_UPDATED, update_dues

    event = (Event.objects.select_related("request__category", "request__reporter")
             .filter(pk=event_id, public=True).first())
    if event is None:
        return
    to = people(event.request, exclude_user_id=event.actor_id)
    reached = reminders.send_now(REQUEST_UPDATED, update_dues(event, to))
    others = [(user, address) for index, (user, address) in enumerate(to)
              if index not in reached]
    request = event.request
    context = {"request": request, "event": event,
               "link": _absolute(reverse("service_requests:public_detail", args=[request.pk])),
               "mine": _absolute(reverse("service_requests:mine"))}
    # Each in the language they prefer (their profile), French otherwise.
    languages = preferred_languages(user.pk for user, _address in others if user is not None)
    for user, address in others:
        _send("update", context, [address], languages.get(user.pk, "") if user else "")
    taken = {address.lower() for _user, address in to}
    for follower in request.followers.filter(user=None).exclude(confirmed_at=None):
        if follower.email.lower() not in taken:
            stop = _absolute(reverse("service_requests:follow_stop", args=[follower.token]))
            _send("update", {**context, "mine": "", "stop": stop}, [follower.email],
                  follower.language)
