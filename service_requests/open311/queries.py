"""GET requests: the public requests matching the spec's parameters (service_request_id,
service_code, start_date, end_date, status) and the page/page_size extension. Bad parameters
are a 400 that names the parameter."""
import datetime as dt
import re
from dataclasses import dataclass

from django.contrib.gis.db.models.functions import Transform
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Event, Photo, ServiceRequest
from ..selectors import public_queryset
from .responses import Open311Error

WINDOW = dt.timedelta(days=90)  # the spec's default window and widest range
# Dates outside these years are refused (9999-12-31 + the window does not fit a datetime).
FIRST_YEAR, LAST_YEAR = 1900, 2999
# page * page_size must fit the database's OFFSET (a bigint); no one pages this far.
MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 1000  # the spec's most requests per answer
# "...T06:37:38+08:00" sent unencoded in a query string arrives as "...T06:37:38 08:00".
SPACE_FOR_PLUS = re.compile(r"(T\d\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d(?::?\d\d)?)$")


def readable_requests():
    """What anyone may read, with what the representation needs in 3 queries (the point is
    transformed to WGS 84 by PostGIS, not in Python)."""
    return (public_queryset()
            .select_related("category", "department")
            .annotate(location_wgs84=Transform("shown_location", 4326))
            .prefetch_related(
                Prefetch("events", queryset=Event.objects.filter(public=True).order_by("at", "pk"),
                         to_attr="public_events"),
                Prefetch("photos", queryset=Photo.objects.filter(approved=True)
                         .order_by("uploaded_at", "pk"), to_attr="public_photos")))


def parse_datetime(name: str, value: str) -> dt.datetime:
    """A W3C datetime (2026-05-04T09:30:00-04:00, ...Z, or a date: its first minute); without
    an offset, the city's time."""
    text = SPACE_FOR_PLUS.sub(r"\1+\2", value.strip())
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise Open311Error(400, _("%(name)s is not a W3C datetime (for example "
                                  "2026-05-04T09:30:00-04:00).") % {"name": name}) from None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise Open311Error(400, _("%(name)s must be between %(first)s and %(last)s.")
                           % {"name": name, "first": f"{FIRST_YEAR}-01-01",
                              "last": f"{LAST_YEAR}-12-31"})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _positive_int(name: str, value: str | None, default: int, maximum: int | None = None) -> int:
    if value in (None, ""):
        return default
    value = value.strip()
    if not is_number(value) or int(value) < 1 or (maximum and int(value) > maximum):
        if maximum:
            message = _("%(name)s must be a whole number from 1 to %(max)d.")
        else:
            message = _("%(name)s must be a whole number from 1.")
        raise Open311Error(400, message % {"name": name, "max": maximum or 0})
    return int(value)


def is_number(text: str) -> bool:
    """ASCII digits that fit a database integer ("²".isdigit() is true, int("²") fails)."""
    return re.fullmatch(r"[0-9]{1,18}", text) is not None


def _csv(value: str | None) -> list[str]:
    # (NUL dropped: PostgreSQL cannot compare text with it.)
    return [part.strip() for part in (value or "").replace("\x00", "").split(",")
            if part.strip()]


@dataclass
class Page:
    requests: list
    number: int
    has_next: bool


def matching(params, *, now=None) -> Page:
    """The requests asked for by a GET's parameters, newest first, one page of them.
    service_request_id overrides every other criterion (the spec's rule); else the window is
    start_date..end_date (90 days at most, the last 90 by default)."""
    queryset = readable_requests().order_by("-submitted_at", "-pk")
    page = _positive_int("page", params.get("page"), 1, MAX_PAGE)
    size = _positive_int("page_size", params.get("page_size"), MAX_PAGE_SIZE, MAX_PAGE_SIZE)
    ids = _csv(params.get("service_request_id"))
    if ids:
        if not all(is_number(i) for i in ids):
            raise Open311Error(400, _("service_request_id must be request numbers separated "
                                      "by commas."))
        queryset = queryset.filter(pk__in=[int(i) for i in ids])
    else:
        queryset = queryset.filter(**_window(params, now or timezone.now()))
        codes = _csv(params.get("service_code"))
        if codes:
            queryset = queryset.filter(category__code__in=codes)
        statuses = {s.lower() for s in _csv(params.get("status"))}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, _("status must be open, closed, or both separated by a "
                                      "comma."))
        if statuses == {"open"}:
            queryset = queryset.filter(status__in=ServiceRequest.OPEN)
        elif statuses == {"closed"}:
            queryset = queryset.exclude(status__in=ServiceRequest.OPEN)
    start = (page - 1) * size
    rows = list(queryset[start:start + size + 1])  # one more: is there a next page?
    return Page(requests=rows[:size], number=page, has_next=len(rows) > size)


def _window(params, now) -> dict:
    start, end = params.get("start_date"), params.get("end_date")
    start = parse_datetime("start_date", start) if start else None
    end = parse_datetime("end_date", end) if end else None
    if start is None and end is None:
        start, end = now - WINDOW, now
    elif start is None:
        start = end - WINDOW
    elif end is None:
        end = start + WINDOW
    if start > end:
        raise Open311Error(400, _("start_date is after end_date."))
    if end - start > WINDOW:
        raise Open311Error(400, _("start_date and end_date may not span more than 90 days."))
    return {"submitted_at__gte": start, "submitted_at__lte": end}
