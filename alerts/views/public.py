"""The public alert pages: the current alerts on a map and in a list, the past ones, one alert's
page, and its CAP 1.2 message."""
import json

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from map_ui.config import map_base

from .. import cap, selectors
from ..models import Topic

MAP_ALERTS = 100


def alert_list(request):
    current = list(selectors.with_wgs84_area(selectors.current_alerts().defer(None))
                   .defer("drawn")[:MAP_ALERTS])
    current_ids = [a.pk for a in current]
    past = Paginator(selectors.published_alerts().exclude(pk__in=current_ids)
                     .defer("area", "drawn"), 20).get_page(request.GET.get("page"))
    config = {**map_base(), "alerts": [
        {"title": a.title, "url": reverse("alerts:detail", args=[a.pk]),
         "area": json.loads(a.geojson) if a.geojson else None} for a in current]}
    return render(request, "alerts/list.html", {
        "current": current, "past": past, "topics": Topic.objects.filter(active=True),
        "map_config": config})


def _published(pk):
    return get_object_or_404(
        selectors.with_wgs84_area(selectors.published_alerts()).defer("drawn"), pk=pk)


def detail(request, pk):
    alert = _published(pk)
    config = {**map_base(), "area": json.loads(alert.geojson) if alert.geojson else None}
    return render(request, "alerts/detail.html", {
        "alert": alert, "current": selectors.current_alerts().filter(pk=alert.pk).exists(),
        "map_config": config})


def cap_message(request, pk):
    alert = get_object_or_404(selectors.published_alerts(), pk=pk)
    element = cap.alert_element(
        alert, web_url=request.build_absolute_uri(reverse("alerts:detail", args=[alert.pk])),
        area_desc=alert.get_target_display())
    return HttpResponse(cap.to_bytes(element), content_type=cap.CONTENT_TYPE)
