import hashlib

from django.contrib.gis.db.models.functions import Transform
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from properties.models import Property

from .models import Zone
from .selectors import lookup, property_schedule
from .serializers import PropertyScheduleSerializer, ZoneSerializer

# How long a client or a shared cache may reuse an answer: it changes with the time of day
# (watering windows, bans starting), so briefly; then the ETag makes the check cheap.
MAX_AGE = 60


def _found(request, pk):
    """The property's lookup at the request's instant, read once for the ETag and the view."""
    if not hasattr(request, "_schedule_found"):
        request._schedule_now = timezone.localtime()
        request._schedule_found = lookup(pk, request._schedule_now)
    return request._schedule_found


def schedule_etag(request, pk):
    """Weak (the `now` field differs within it): the answer is the same for the same data
    version, property, zones, rules and bans in view, language and minute. None (no ETag, the
    view answers 404) for an unknown property."""
    found = _found(request, pk)
    if found is None:
        return None
    minute = request._schedule_now.strftime("%Y-%m-%dT%H:%M%z")
    digest = hashlib.blake2b(repr((pk, found, minute, get_language())).encode(),
                             digest_size=12).hexdigest()
    return f'W/"{digest}"'


class PropertyScheduleView(APIView):
    """For each stream: the zone and the next 8 collection dates (exceptions and holiday shifts
    applied); and whether lawn watering is allowed now, with the reason and the next slots."""

    # Public data, the same for everyone: no authentication (nor the session it would read,
    # which would also make the answer vary by cookie), no permission or throttle (a request
    # costs a query and a cache read).
    authentication_classes = []
    permission_classes = []
    throttle_classes = []

    @extend_schema(responses={200: PropertyScheduleSerializer, 304: OpenApiResponse(
        description="Not modified: If-None-Match names the current ETag.")})
    @method_decorator(cache_control(public=True, max_age=MAX_AGE))
    @method_decorator(condition(etag_func=schedule_etag))  # 304 on a matching If-None-Match
    def get(self, request, pk):
        data = property_schedule(pk, request._schedule_now, _found(request, pk))
        if data is None:  # the message of get_object_or_404
            raise Http404(f"No {Property._meta.object_name} matches the given query.")
        data["ical_url"] = request.build_absolute_uri(reverse("property-ical", args=[pk]))
        return Response(data)


class ZoneViewSet(viewsets.ReadOnlyModelViewSet):
    """Collection zones in force today (GeoJSON, WGS 84), by stream."""

    serializer_class = ZoneSerializer
    pagination_class = None

    @extend_schema(parameters=[OpenApiParameter("stream", str, description="Stream slug.")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        qs = (Zone.objects.in_force(timezone.localdate())
              .select_related("zone_set__stream")
              .annotate(geom_wgs84=Transform("geom", 4326))
              .order_by("zone_set__stream__sort_order", "code"))
        stream = self.request.query_params.get("stream")
        if stream:  # an unknown stream has no zone: an empty list, as any filter
            qs = qs.filter(zone_set__stream__slug=stream)
        return qs
