"""Personal reminders of this app (core.reminders): the acknowledgement of a request received,
to the person who made it (their own subscriber, if they have one): a citizen on the web or the
app, or the citizen a clerk logged it for (by phone, at the counter, by e-mail), by account or,
without one, by the e-mail address given. An anonymous report counts once its address is
confirmed; and the news of a request (its status changed, a public note) to the people who
made or follow it, queued at once by notifications.send_update (core.reminders.send_now) and
again by the periodic job, which finds the same key: a news lost by a crashed task is sent by
the next run, never twice."""
import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import reminders

from .models import ServiceRequest

REQUEST_RECEIVED = "request_received"
REQUEST_UPDATED = "request_updated"


def request_due(now: dt.datetime, property_ids=None) -> list[reminders.Due]:
    """Each confirmed request submitted within core.reminders.LOOKBACK."""
    requests = (ServiceRequest.objects
                .filter(confirmed=True, submitted_at__gt=now - reminders.LOOKBACK,
                        submitted_at__lte=now)
                .exclude(reporter__isnull=True, contact_email="")
                .select_related("category", "reporter").order_by("submitted_at", "pk"))
    return [reminders.Due(subject=f"request:{r.pk}", on=timezone.localdate(r.submitted_at),
                          person=r.reporter, email="" if r.reporter_id else r.contact_email,
                          context=_context(r)) for r in requests]


def _context(request) -> dict:
    return {"request": request, "category": request.category}


def request_load(subject: str, on: dt.date) -> dict | None:
    try:
        pk = int(subject.removeprefix("request:"))
    except ValueError:
        return None
    request = ServiceRequest.objects.select_related("category").filter(pk=pk).first()
    return _context(request) if request else None


def update_dues(event, to) -> list[reminders.Due]:
    """The dues of a public event for `to`, [(account or None, e-mail address)]."""
    subject, on = f"request:{event.request_id}:event:{event.pk}", timezone.localdate(event.at)
    return [reminders.Due(subject=subject, on=on, person=user,
                          email="" if user is not None else address) for user, address in to]


def update_due(now: dt.datetime, property_ids=None) -> list[reminders.Due]:
    """Each public event of the last core.reminders.LOOKBACK, to the people who made or follow
    its request (the actor excepted): what send_update queued, or should have."""
    from .models import Event
    from .notifications import people

    events = (Event.objects.filter(public=True, at__gt=now - reminders.LOOKBACK, at__lte=now)
              .select_related("request__reporter").order_by("at", "pk"))
    dues = []
    for event in events:
        dues += update_dues(event, people(event.request, exclude_user_id=event.actor_id))
    return dues


def update_load(subject: str, on: dt.date) -> dict | None:
    from .models import Event

    try:
        _request, request_id, _event, event_id = subject.split(":")
        event_id = int(event_id)
    except ValueError:
        return None
    event = (Event.objects.select_related("request__category")
             .filter(pk=event_id, request_id=request_id, public=True).first())
    if event is None:
        return None
    return {**_context(event.request), "event": event}


def register() -> None:
    reminders.register(REQUEST_RECEIVED, due=request_due, load=request_load,
                       scope=reminders.PERSON,
                       render=reminders.templates("service_requests/reminders/received"),
                       label=_("My request or report received"), order=50)
    reminders.register(REQUEST_UPDATED, due=update_due, load=update_load,
                       scope=reminders.PERSON,
                       render=reminders.templates("service_requests/reminders/updated"),
                       label=_("News of my requests and of those I follow"), order=51)
