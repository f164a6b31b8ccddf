"""What anyone may see of the reports: category, place, status, dates, public history and the
photos staff approved. Never who reported, their e-mail or phone, nor internal notes. Reports
waiting for their e-mail confirmation are not shown."""
from django.shortcuts import get_object_or_404, render

from .models import ServiceRequest
from .questions import answer_labels


def public_queryset():
    return ServiceRequest.objects.filter(confirmed=True).select_related("category")


def public_detail(request, pk):
    report = get_object_or_404(public_queryset().select_related("duplicate_of"), pk=pk)
    return render(request, "service_requests/public_detail.html", {
        "report": report, "events": report.events.filter(public=True),
        "answers": answer_labels(report.category, report.answers),
        "photos": report.photos.filter(approved=True)})
