"""Staff pages for requests (under "personnel/demandes/"): the one queue of every channel
(filters, map, CSV), a request's page (history, status, notes, merge, assignment, photos), and
the intake of a phone, counter or e-mail request for a citizen."""
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.gis.db.models.functions import Transform
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from citizens.models import PropertyLink
from citizens.selectors import profile_of
from core.access_log import log_access
from core.auth import staff_required
from core.models import AccessLog
from map_ui.config import map_base
from properties.selectors import find_properties

from .. import selectors, services
from ..filters import DEFAULT_RADIUS, OPEN, QueueFilter
from ..forms import (
    AssignForm,
    CitizenSearchForm,
    DetailsForm,
    ExpectedForm,
    IntakeForm,
    NoteForm,
    StatusForm,
)
from ..locating import locate
from ..models import Category, Photo, ServiceRequest
from ..questions import answer_labels
from .public import location_map_config

PAGE_SIZE = 50
MAP_LIMIT = 500  # markers on the queue's map (the table pages through the rest)


def queue_queryset():
    return (ServiceRequest.objects.filter(confirmed=True)
            .select_related("category", "department", "assigned_to")
            .annotate(late=ExpressionWrapper(selectors.overdue_q(), output_field=BooleanField()))
            .order_by("submitted_at", "pk"))


def _map_points(queryset) -> list[dict]:
    rows = queryset.annotate(wgs84=Transform("location", 4326))[:MAP_LIMIT]
    return [{"id": r.pk, "lon": round(r.wgs84.x, 6), "lat": round(r.wgs84.y, 6),
             "label": f"#{r.pk} {r.category.name}", "status": r.get_status_display(),
             "late": r.late, "url": reverse("requests_staff:detail", args=[r.pk])}
            for r in rows]


@staff_required
def queue(request):
    data = request.GET.copy()
    if not data.getlist("status"):
        data.setlist("status", [OPEN])  # no status ticked: what is still open
    if not data.get("radius"):
        data["radius"] = str(DEFAULT_RADIUS)
    filtered = QueueFilter(data, queryset=queue_queryset(), request=request)
    # A filter that cannot be read (an address not found, a broken area) shows its message
    # and no request, rather than the whole queue as if it had been applied.
    results = filtered.qs if filtered.is_valid() else filtered.queryset.none()
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    query = data.copy()
    query.pop("page", None)
    return render(request, "service_requests/staff/queue.html", {
        "filter": filtered, "page": page, "query": query.urlencode(),
        "map_config": {**map_base(), "points": _map_points(results),
                       "mapLimit": MAP_LIMIT}})


FORMS = {"status": StatusForm, "note": NoteForm, "assign": AssignForm, "expected": ExpectedForm}


def _apply(action, data, report, by):
    """Runs the service behind one form; returns the message to show."""
    if action == "status":
        original = None
        if data["status"] == ServiceRequest.Status.DUPLICATE and data["duplicate_of"]:
            original = ServiceRequest.objects.filter(pk=data["duplicate_of"]).first()
            if original is None:
                raise ValidationError({"duplicate_of": _("No request has this number.")})
        services.change_status(request=report, status=data["status"], by=by, note=data["note"],
                               public=data["public"], duplicate_of=original,
                               responsible_body=data["responsible_body"])
        return _("The status is changed.")
    if action == "note":
        services.add_note(request=report, by=by, note=data["note"], public=data["public"])
        return _("The note is added.")
    if action == "assign":
        services.assign(request=report, to=data["assigned_to"], by=by)
        return _("The assignment is changed.")
    services.set_expected(request=report, on=data["expected_on"], by=by, note=data["note"])
    return _("The expected date is changed.")


def _initial(report):
    return {"status": {"status": report.status}, "assign": {"assigned_to": report.assigned_to_id},
            "expected": {"expected_on": report.expected_on}}


@staff_required
def detail(request, pk):
    report = get_object_or_404(
        ServiceRequest.objects.select_related("category", "department", "reporter",
                                              "assigned_to", "duplicate_of", "property"), pk=pk)
    initial = _initial(report)
    forms = {name: cls(prefix=name, initial=initial.get(name)) for name, cls in FORMS.items()}
    action = request.POST.get("action")
    if request.method == "POST" and action in FORMS:
        form = forms[action] = FORMS[action](request.POST, prefix=action)
        if form.is_valid():
            try:
                done = _apply(action, form.cleaned_data, report, request.user)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                log_access(request, subject=report.reporter, action=AccessLog.Action.CHANGE,
                           record=f"request:{report.pk}")
                messages.success(request, done)
                return redirect("requests_staff:detail", pk=report.pk)
    log_access(request, subject=report.reporter, action=AccessLog.Action.VIEW,
               record=f"request:{report.pk}")
    return render(request, "service_requests/staff/detail.html", {
        "report": report, "forms": forms,
        "late": selectors.is_overdue(report),
        "events": report.events.select_related("actor"),
        "answers": answer_labels(report.category, report.answers),
        "photos": report.photos.all(), "where": report.place_label(),
        "reporter_profile": profile_of(report.reporter) if report.reporter_id else None,
        "followers": report.followers.count(),
        "map_config": location_map_config(report),
        "duplicates": report.duplicates.all(),
        "candidates": (list(selectors.open_nearby(category=report.category,
                                                 point=report.location, exclude=report)[:10])
                       if report.is_open() else []),
    }, status=400 if any(f.errors for f in forms.values()) else 200)


def _add_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for e in errors:
                form.add_error(field if field in form.fields else None, e)
    else:
        for message in error.messages:
            form.add_error(None, message)


@staff_required
@require_POST
def review_photo(request, pk, photo_pk):
    photo = get_object_or_404(Photo, pk=photo_pk, request_id=pk)
    approved = request.POST.get("decision") == "approve"
    services.review_photo(photo=photo, approved=approved, by=request.user)
    messages.success(request, _("The photo is shown to the public.") if approved
                     else _("The photo stays private."))
    return redirect("requests_staff:detail", pk=pk)


NO_ACCOUNT = "none"
NEARBY_RADIUS_M = 100
MAX_RESULTS = 20


def find_citizens(text: str, limit: int = MAX_RESULTS) -> list:
    """Active citizens whose e-mail or name matches, and those with a verified link to a
    property at the address typed."""
    users = get_user_model().objects.filter(is_active=True, is_staff=False)
    text = text.strip()
    by_name = Q()
    for word in text.split():
        by_name &= Q(first_name__unaccent__icontains=word) | Q(last_name__unaccent__icontains=word)
    matched = Q(email__icontains=text) | by_name
    properties = [m["property_id"] for m in find_properties(text, limit=5) if m["property_id"]]
    if properties:
        matched |= Q(property_links__property_id__in=properties,
                     property_links__status=PropertyLink.Status.VERIFIED)
    return list(users.filter(matched).distinct().order_by("last_name", "first_name", "email")
                [:limit])


def _citizen(value):
    if not value or value == NO_ACCOUNT:
        return None
    return get_user_model().objects.filter(pk=value if value.isdigit() else None,
                                           is_active=True).first()


def _home_address(citizen) -> str:
    link = (PropertyLink.objects.filter(user=citizen, status=PropertyLink.Status.VERIFIED)
            .select_related("property").prefetch_related("property__addresses").first())
    first = next(iter(link.property.addresses.all()), None) if link else None
    return first.label if first else ""


@staff_required
def intake(request):
    chosen = request.GET.get("citizen", "")
    citizen = _citizen(chosen)
    if chosen and chosen != NO_ACCOUNT and citizen is None:
        messages.error(request, _("This citizen was not found."))
        return redirect("requests_staff:intake")
    if not chosen:
        return _search(request)
    if citizen is not None:
        log_access(request, subject=citizen, action=AccessLog.Action.VIEW,
                   record=f"user:{citizen.pk}")
    category = Category.objects.filter(code=request.GET.get("category"), active=True).first()
    home = _home_address(citizen) if citizen else ""
    context = {"citizen": citizen, "chosen": chosen, "category": category,
               "categories": Category.objects.filter(active=True),
               "nearby": _open_nearby(request.POST.get("address") or home),
               "nearby_radius": NEARBY_RADIUS_M}
    if category is None:
        return render(request, "service_requests/staff/intake.html", context)
    intake_form = IntakeForm(request.POST or None, citizen=citizen, initial={"address": home})
    details = DetailsForm(request.POST or None, category=category, anonymous=False)
    del details.fields["photos"]  # a photo sent by e-mail is attached by the citizen online
    if request.method == "POST" and intake_form.is_valid() & details.is_valid():
        created = _submit(request, intake_form, details, category, citizen)
        if created is not None:
            messages.success(request, _("Request #%(n)s is logged.") % {"n": created.pk})
            return redirect("requests_staff:detail", pk=created.pk)
    return render(request, "service_requests/staff/intake.html", {
        **context, "form": intake_form, "details": details, "map_config": map_base()},
        status=400 if request.method == "POST" else 200)


def _open_nearby(address: str) -> list:
    """Open requests of any category near the caller's place, nearest first: the caller may be
    reporting one of them (the clerk opens it and adds a note rather than a duplicate)."""
    if not address:
        return []
    try:
        point, _label = locate({"address": address})
    except ValidationError:
        return []
    return list(selectors.open_nearby(category=None, point=point,
                                     radius_m=NEARBY_RADIUS_M)[:20])


def _search(request):
    form = CitizenSearchForm(request.GET if "who" in request.GET else None)
    found = None
    if form.is_bound and form.is_valid():
        found = find_citizens(form.cleaned_data["who"])
        for user in found:
            log_access(request, subject=user, action=AccessLog.Action.VIEW,
                       record=f"user:{user.pk}")
    return render(request, "service_requests/staff/intake_search.html",
                  {"form": form, "found": found, "no_account": NO_ACCOUNT})


def _submit(request, intake_form, details, category, citizen):
    data = intake_form.cleaned_data
    try:
        point, address = locate(data)
        if citizen is None and not (data["contact_name"] or data["contact_phone"]
                                    or data["contact_email"]):
            raise ValidationError(_("Give the caller's name, phone or e-mail, so the city can "
                                    "reach them."), code="no_contact")
        created = services.submit_request(
            category=category, point=point, description=details.cleaned_data["description"],
            answers=details.raw_answers(), user=citizen, channel=data["channel"],
            contact_name=data.get("contact_name", ""), contact_phone=data["contact_phone"],
            contact_email=data.get("contact_email", ""), address=address, clerk=request.user,
            public=data["public"])
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            details.add_answer_errors(error.error_dict)
        else:
            intake_form.add_error(None, error)
        return None
    log_access(request, subject=citizen, action=AccessLog.Action.CHANGE,
               record=f"request:{created.pk}")
    return created
