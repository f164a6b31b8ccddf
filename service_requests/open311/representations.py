"""Discovery, services, service definitions and requests as plain data (dicts and lists in the
spec's field order), turned into JSON or XML by responses.render. Called inside the request's
language: names, descriptions and notices come out in French or English.

Empty values: text fields are "" and datetimes, numbers and ids null (an empty element in XML).
Ids are strings (service_request_id, address_id), as they are opaque to a client."""
import datetime as dt
import re

from django.conf import settings
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import Event, Question, ServiceRequest

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this API last changed (discovery's "changeset"): update it with the API.
CHANGESET = "2026-12-03T00:00:00-05:00"
FORMATS = ["text/xml", "application/json"]
COORDINATE_DECIMALS = 8  # about a millimetre: no float noise from the transform, no loss
DATATYPES = {
    Question.Kind.TEXT: "string",
    Question.Kind.NUMBER: "number",
    # The spec has no date type: a date question is a datetime whose date is kept.
    Question.Kind.DATE: "datetime",
    Question.Kind.SINGLE: "singlevaluelist",
    Question.Kind.MULTIPLE: "multivaluelist",
}


def w3c(moment: dt.datetime | None) -> str | None:
    """A W3C datetime in the city's time zone, with its offset: 2026-05-04T09:30:00-04:00."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def w3c_date(day: dt.date | None) -> str | None:
    """A date as the datetime of its first minute, in the city's time zone."""
    if day is None:
        return None
    return w3c(timezone.make_aware(dt.datetime.combine(day, dt.time.min)))


def status_of(status: str) -> str:
    """The spec's two statuses: open while the city works on it, closed after (fixed, not fixed,
    duplicate, not the city's responsibility)."""
    return "open" if status in ServiceRequest.OPEN else "closed"


# Discovery ------------------------------------------------------------------------------------

def extensions() -> list[dict]:
    """What this API adds to the spec (listed in discovery, for client developers)."""
    return [
        {"name": "locale", "description": _(
            "?locale=fr or ?locale=en on any endpoint (else the Accept-Language header; French "
            "by default): service names, attributes, notices and notes in that language.")},
        {"name": "page, page_size", "description": _(
            "GET requests: page (from 1) and page_size (1 to 1000, 1000 by default). When "
            "there are more, a Link header with rel=\"next\" gives the next page.")},
        {"name": "start_date, end_date", "description": _(
            "GET requests: without dates, the last 90 days; with start_date alone, the 90 days "
            "from it; with end_date alone, the 90 days before it. At most 90 days.")},
        {"name": "notes", "description": _(
            "Each request has notes: its public history (datetime, type, status, "
            "status_label, description).")},
        {"name": "address_id", "description": _(
            "POST requests: the place may be given as address_id, the property number of "
            "GET requests' address_id.")},
        {"name": "jurisdiction_id", "description": _(
            "Optional: this endpoint serves one city. Given, it must be \"%(ours)s\"; "
            "another one is a 404.") % {"ours": settings.GUICHET_OPEN311_JURISDICTION}},
        {"name": "token", "description": _(
            "A request created without an account waits for its reporter to confirm their "
            "e-mail address: POST answers a token, and tokens/{token} gives the request's id "
            "once it is confirmed.")},
    ]


def discovery(*, url: str) -> dict:
    town = settings.GUICHET_MUNICIPALITY_NAME
    contact = settings.GUICHET_OPEN311_CONTACT or _(
        "The city of %(town)s: %(site)s") % {"town": town, "site": settings.GUICHET_SITE_URL}
    return {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": _("Reading needs no key. To submit requests, ask the city of %(town)s "
                         "for an api_key.") % {"town": town},
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": url,
            "changeset": CHANGESET,
            "type": "test" if settings.DEBUG else "production",
            "formats": FORMATS,
        }],
        "extensions": extensions(),
    }


# Services -------------------------------------------------------------------------------------

def service(category) -> dict:
    """`category` annotated with `has_questions`."""
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": bool(category.has_questions),
        "type": "realtime",
        "keywords": ", ".join(w for w in re.split(r"[,\s]+", category.keywords) if w),
        "group": category.group,
    }


def _datatype_description(question) -> str | None:
    hint = {
        Question.Kind.TEXT: _("Text, at most 1000 characters."),
        Question.Kind.NUMBER: _("A number (a decimal point or comma)."),
        Question.Kind.DATE: _("A date, YYYY-MM-DD (of a datetime, the date is kept)."),
        Question.Kind.SINGLE: _("One of the keys of values."),
        Question.Kind.MULTIPLE: _("One or more keys of values, each sent as "
                                  "attribute[%(code)s][].") % {"code": question.code},
    }[question.kind]
    return " ".join(part for part in (question.help, hint) if part) or None


def attribute(question, *, order: int) -> dict:
    return {
        "variable": True,
        "code": question.code,
        "datatype": DATATYPES[question.kind],
        "required": question.required,
        "datatype_description": _datatype_description(question),
        "order": order,
        "description": question.label,
        "values": [{"key": key, "name": name} for key, name in question.choice_pairs()],
    }


def service_definition(category) -> dict:
    return {
        "service_code": category.code,
        "attributes": [attribute(q, order=n)
                       for n, q in enumerate(category.questions.all(), start=1)],
    }


def service_notice(category) -> str:
    days = category.target_days
    return ngettext("The city aims to deal with this kind of request within %(days)d day.",
                    "The city aims to deal with this kind of request within %(days)d days.",
                    days) % {"days": days}


# Requests -------------------------------------------------------------------------------------

def note(event: Event) -> dict:
    return {
        "datetime": w3c(event.at),
        "type": event.kind,
        "status": status_of(event.to_status) if event.to_status else "",
        "status_label": capfirst(event.get_to_status_display()) if event.to_status else "",
        "description": event.display_note(),
    }


def _status_notes(request) -> str:
    """The latest public note; for a duplicate without one, which request it duplicates."""
    for event in reversed(request.public_events):
        if event.note:
            return event.note
    if request.status == ServiceRequest.Status.DUPLICATE and request.duplicate_of_id:
        return _("Duplicate of request #%(n)s.") % {"n": request.duplicate_of_id}
    return ""


def _agency(request) -> str:
    if request.status == ServiceRequest.Status.NOT_CITY and request.responsible_body:
        return request.responsible_body
    return request.department.name


def _updated(request) -> dt.datetime:
    """The last public change: internal ones (an assignment, an internal note) do not show."""
    moments = [request.submitted_at, request.closed_at,
               *(e.at for e in request.public_events)]
    return max(m for m in moments if m is not None)


def service_request(request, *, absolute) -> dict:
    """A request from queries.readable_requests() (public events, approved photos and the WGS 84
    point already fetched). `absolute(url)` makes a media URL absolute. No personal data: no
    reporter, name, e-mail, phone, internal note or unapproved photo; for a category shown at
    the street, the street's stretch (public_queryset's shown place and address), no property
    and no photo."""
    at_street = request.category.privacy == request.category.Privacy.STREET
    photo = request.public_photos[0] if request.public_photos and not at_street else None
    point = request.location_wgs84
    return {
        "service_request_id": str(request.pk),
        "status": status_of(request.status),
        "status_notes": _status_notes(request),
        "service_name": request.category.name,
        "service_code": request.category.code,
        "description": request.description,
        "agency_responsible": _agency(request),
        "service_notice": service_notice(request.category),
        "requested_datetime": w3c(request.submitted_at),
        "updated_datetime": w3c(_updated(request)),
        "expected_datetime": w3c_date(request.expected_on),
        "address": request.shown_address,
        "address_id": str(request.property_id) if request.property_id and not at_street else None,
        "zipcode": "",
        "lat": round(point.y, COORDINATE_DECIMALS),
        "long": round(point.x, COORDINATE_DECIMALS),
        "media_url": absolute(photo.image_url) if photo else "",
        "notes": [note(e) for e in request.public_events],
    }


def created(request) -> dict:
    """The answer to a POST: the id, or a token while the reporter's e-mail is unconfirmed."""
    notice = service_notice(request.category)
    if request.confirmed:
        return {"service_request_id": str(request.pk), "service_notice": notice,
                "account_id": None}
    waiting = _("We sent a link to the e-mail address given: the request enters the city's "
                "queue once it is confirmed.")
    return {"token": str(request.public_id), "service_notice": f"{waiting} {notice}",
            "account_id": None}


def token(request) -> dict:
    return {"service_request_id": str(request.pk) if request.confirmed else None,
            "token": str(request.public_id)}
