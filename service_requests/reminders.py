"""Personal reminders of this app (core.reminders): the acknowledgement of a request received,
to the person who made it (their own subscriber, if they have one): a citizen on the web or the
app, or the citizen a clerk logged it for (by phone, at the counter, by e-mail), by account or,
without one, by the e-mail address given. An anonymous report counts once its address is
confirmed. Status changes still go by notifications.send_update (not moved onto this system)."""
import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import reminders

from .models import ServiceRequest

REQUEST_RECEIVED = "request_received"


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


def register() -> None:
    reminders.register(REQUEST_RECEIVED, due=request_due, load=request_load,
                       scope=reminders.PERSON,
                       render=reminders.templates("service_requests/reminders/received"),
                       label=_("My request or report received"), order=50)
