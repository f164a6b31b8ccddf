"""The clerks' queue: every confirmed request whatever its channel, filtered (status, category,
department, channel, overdue, assignment, words, an area drawn on the map or a distance around
an address), oldest first, late ones marked; and the same requests on a map."""
from django.contrib.gis.db.models.functions import Transform
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper
from django.shortcuts import render
from django.urls import reverse

from core.auth import staff_required
from properties.views import map_base

from .models import ServiceRequest
from .services import overdue_filter
from .staff_filters import DEFAULT_RADIUS, OPEN, QueueFilter

PAGE_SIZE = 50
MAP_LIMIT = 500  # markers on the queue's map (the table pages through the rest)


def queue_queryset():
    return (ServiceRequest.objects.filter(confirmed=True)
            .select_related("category", "department", "assigned_to")
            .annotate(late=ExpressionWrapper(overdue_filter(), output_field=BooleanField()))
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
