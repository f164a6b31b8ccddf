"""What anyone may see of the reports: category, place, status, dates, public history and the
photos staff approved. Never who reported, their e-mail or phone, nor internal notes. Reports
waiting for their e-mail confirmation are not shown."""
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from geo.geometry import transformed
from properties.views import map_base

from .models import ServiceRequest
from .questions import answer_labels

PAGE_SIZE = 50


def public_queryset():
    return ServiceRequest.objects.filter(confirmed=True).select_related("category")


def location_map_config(report) -> dict:
    """The map of one request's place (WGS 84, 6 decimals: about 10 cm)."""
    point = transformed(report.location, 4326, clone=True)
    return {**map_base(), "point": [round(point.x, 6), round(point.y, 6)]}


def public_list(request):
    """The public map and list of reports, filtered by category and status (the same filters
    as the GeoJSON layer, /api/reports/)."""
    from .public_api import ReportFilter

    data = request.GET.copy()
    if "status" not in data:
        data.setlist("status", ["open"])
    filtered = ReportFilter(data, queryset=public_queryset().order_by("-submitted_at", "-pk"))
    page = Paginator(filtered.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = data.copy()
    query.pop("page", None)
    form = filtered.form
    return render(request, "service_requests/public_list.html", {
        "filter": filtered, "page": page, "query": query.urlencode(),
        "map_config": {**map_base(), "reportsUrl": reverse("report-list"),
                       "filters": {"category": form["category"].value() or "",
                                   "status": form["status"].value() or []}}},
                  status=400 if form.errors else 200)


def public_detail(request, pk):
    report = get_object_or_404(public_queryset().select_related("duplicate_of"), pk=pk)
    return render(request, "service_requests/public_detail.html", {
        "report": report, "events": report.events.filter(public=True),
        "answers": answer_labels(report.category, report.answers),
        "photos": report.photos.filter(approved=True),
        "map_config": location_map_config(report)})
