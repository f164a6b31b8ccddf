"""Reads of the requests: what the public may see, a citizen's own, the open ones near a place,
and the one definition of "overdue" (the queue's filter and a request's page both use it)."""
import datetime as dt

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.measure import D
from django.db.models import Case, CharField, DateField, ExpressionWrapper, F, Q, Value, When
from django.db.models.functions import TruncDate
from django.db.models.lookups import LessThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.personal_data import json_value

from .models import Category, ServiceRequest

DUPLICATE_RADIUS_M = 50


_AT_STREET = Q(category__privacy=Category.Privacy.STREET)

_S = ServiceRequest.Status
# Where a request stands, as the public map draws it: (key, label, symbol, statuses). A colour
# and a symbol each (core/static/core/guichet.css, .report-marker--<key>), and the map's legend.
STATUS_GROUPS = [
    ("new", _("New"), "!", [_S.SUBMITTED]),
    ("under_way", _("Under way"), "…", [_S.ACKNOWLEDGED, _S.IN_PROGRESS, _S.PLANNED]),
    ("fixed", _("Fixed"), "✓", [_S.RESOLVED]),
    ("closed", _("Closed without a fix"), "×", [_S.CLOSED_NOT_FIXED, _S.DUPLICATE, _S.NOT_CITY]),
]


def status_groups() -> list[dict]:
    """STATUS_GROUPS for a page: the legend, and the map's status -> group."""
    return [{"key": key, "label": str(label), "symbol": symbol,
             "statuses": [str(s) for s in statuses]}
            for key, label, symbol, statuses in STATUS_GROUPS]


def public_queryset():
    """What the public may see (map, list, Open311): confirmed requests (not those waiting for
    their e-mail confirmation), that may be public (a caller agreed, a citizen was told), of a
    category that is not private (noise and other personal matters). Each is annotated with the
    place and address the public sees, `shown_location` and `shown_address`: the exact ones, or
    for a category public "at the street" the middle of the stretch of street and its name. A
    public view reads those, never `location` or `address`."""
    return ServiceRequest.objects.filter(
        confirmed=True, public=True,
        category__privacy__in=[Category.Privacy.PUBLIC, Category.Privacy.STREET],
    ).annotate(
        shown_location=Case(When(_AT_STREET, then=F("street_location")), default=F("location"),
                            output_field=ServiceRequest._meta.get_field("location")),
        shown_address=Case(When(_AT_STREET, then=F("street_name")), default=F("address"),
                           output_field=CharField()),
    ).select_related("category")


def shown_near(point, radius_m) -> Q:
    """Public requests whose shown place is within `radius_m` of `point` (each with its own
    GiST index: a filter on the shown place must not reveal the exact one)."""
    return ((~_AT_STREET & Q(location__dwithin=(point, D(m=radius_m))))
            | (_AT_STREET & Q(street_location__dwithin=(point, D(m=radius_m)))))


def shown_in_box(box) -> Q:
    """Public requests whose shown place is in the box (in_bbox: the reports layer)."""
    return ((~_AT_STREET & Q(location__bboverlaps=box))
            | (_AT_STREET & Q(street_location__bboverlaps=box)))


def is_public(request) -> bool:
    """public_queryset's test for one request already loaded (with its category)."""
    return (request.confirmed and request.public
            and request.category.privacy != Category.Privacy.PRIVATE)


def photos_are_public(request) -> bool:
    """Whether the approved photos of a public request are shown to the public: not for a
    category shown at the street (a photo shows the exact place)."""
    return is_public(request) and request.category.privacy == Category.Privacy.PUBLIC


def mine_queryset(user):
    """The citizen's requests, whatever the channel, and the ones they follow, newest first."""
    return (ServiceRequest.objects.filter(Q(reporter=user) | Q(followers__user=user))
            .distinct().select_related("category").order_by("-submitted_at"))


def my_requests(user, limit=5) -> list:
    """My latest requests (any channel) and the ones I follow, with their events."""
    return list(mine_queryset(user).prefetch_related("events")[:limit])


def open_nearby(*, category, point, radius_m=DUPLICATE_RADIUS_M, exclude=None):
    """Open, confirmed requests of `category` (None: any) within `radius_m` of `point`,
    nearest first, whoever may see them: staff's candidates for a duplicate."""
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


def public_open_nearby(*, category, point, radius_m=DUPLICATE_RADIUS_M):
    """Open public requests of `category` whose shown place is within `radius_m` of `point`,
    nearest first: the candidates for "this is my problem too" shown to whoever is reporting,
    so nothing the public may not see, where the public sees it (public_queryset)."""
    return (public_queryset()
            .filter(shown_near(point, radius_m), category=category,
                    status__in=ServiceRequest.OPEN)
            .annotate(distance=Distance("shown_location", point))
            .order_by("distance", "pk"))


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
