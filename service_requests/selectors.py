"""Reads of the requests: what the public may see, a citizen's own, the open ones near a place,
and the one definition of "overdue" (the queue's filter and a request's page both use it)."""
import datetime as dt

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.measure import D
from django.db.models import DateField, ExpressionWrapper, F, Q, Value
from django.db.models.functions import TruncDate
from django.db.models.lookups import LessThan
from django.utils import timezone

from core.personal_data import json_value

from .models import Category, ServiceRequest

DUPLICATE_RADIUS_M = 50


def public_queryset():
    """What the public may see (map, list, Open311): confirmed requests (not those waiting for
    their e-mail confirmation), that may be public (a caller agreed, a citizen was told), of a
    category that is not private (noise and other personal matters)."""
    return ServiceRequest.objects.filter(
        confirmed=True, public=True, category__privacy=Category.Privacy.PUBLIC,
    ).select_related("category")


def mine_queryset(user):
    """The citizen's requests, whatever the channel, and the ones they follow, newest first."""
    return (ServiceRequest.objects.filter(Q(reporter=user) | Q(followers__user=user))
            .distinct().select_related("category").order_by("-submitted_at"))


def my_requests(user, limit=5) -> list:
    """My latest requests (any channel) and the ones I follow, with their events."""
    return list(mine_queryset(user).prefetch_related("events")[:limit])


def open_nearby(*, category, point, radius_m=DUPLICATE_RADIUS_M, exclude=None):
    """Open, confirmed requests of `category` (None: any) within `radius_m` of `point`,
    nearest first: the candidates for "this is my problem too"."""
    qs = (ServiceRequest.objects
          .filter(status__in=ServiceRequest.OPEN, confirmed=True,
                  location__dwithin=(point, D(m=radius_m)))  # GiST index on location
          .annotate(distance=Distance("location", point))
          .select_related("category")
          .order_by("distance", "pk"))
    if category is not None:
        qs = qs.filter(category=category)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs


# "Overdue": still open after its due date, the local date it was submitted on plus its
# category's target delay in days. A request submitted on Monday with a 2-day target is due on
# Wednesday and late from Thursday 00:00 (America/Montreal), whatever the hour it came in: the
# citizen is promised a day, not a number of hours.
def due_on(request) -> dt.date:
    return (timezone.localtime(request.submitted_at).date()
            + dt.timedelta(days=request.category.target_days))


def is_overdue(request, today: dt.date | None = None) -> bool:
    return request.is_open() and (today or timezone.localdate()) > due_on(request)


def overdue_q(today: dt.date | None = None) -> Q:
    """is_overdue in SQL, so that the queue filters, sorts and paginates by it."""
    due = ExpressionWrapper(
        TruncDate("submitted_at", tzinfo=timezone.get_current_timezone())
        + F("category__target_days"), output_field=DateField())
    return Q(status__in=ServiceRequest.OPEN) & LessThan(
        due, Value(today or timezone.localdate(), output_field=DateField()))


def export_requests(user) -> list[dict]:
    """The citizen's requests and the ones they follow, for their export (Law 25)."""
    mine = (ServiceRequest.objects.filter(reporter=user).select_related("category")
            .prefetch_related("events").order_by("pk"))
    return [{
        "number": r.pk, "category": r.category.code, "status": r.status, "channel": r.channel,
        "address": r.address, "description": r.description, "answers": r.answers,
        "contact": {"name": r.contact_name, "email": r.contact_email, "phone": r.contact_phone},
        "submitted_at": r.submitted_at.isoformat(), "expected_on": json_value(r.expected_on),
        "history": [{"at": e.at.isoformat(), "status": e.to_status, "note": e.note}
                    for e in r.events.all() if e.public],
    } for r in mine] + [
        {"number": f.request_id, "followed_since": f.since.isoformat()}
        for f in user.followed_requests.all()]
