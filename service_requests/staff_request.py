"""A request seen by a clerk: everything about it (who asked and how to reach them, every event,
internal ones too, the photos to review, possible duplicates nearby), and the actions: status
with a public or internal note, merge into an original, a note, assignment, expected date.
Each view of the citizen's data is written to the access log."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access_log import log_access
from core.auth import staff_required
from core.models import AccessLog

from . import services
from .models import Photo, ServiceRequest
from .public import location_map_config
from .questions import answer_labels
from .staff_forms import AssignForm, ExpectedForm, NoteForm, StatusForm

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
        "late": services.is_overdue(report),
        "events": report.events.select_related("actor"),
        "answers": answer_labels(report.category, report.answers),
        "photos": report.photos.all(),
        "followers": report.followers.count(),
        "map_config": location_map_config(report),
        "duplicates": report.duplicates.all(),
        "candidates": (list(services.open_nearby(category=report.category,
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
