import json

from django.contrib.gis.db.models.functions import Transform
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import ParseError
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from properties.models import Property

from .models import Stream, Zone
from .schedule_api import property_schedule
from .serializers import PropertyScheduleSerializer, ZoneSerializer


class PropertyScheduleView(APIView):
    """For each stream: the zone and the next 8 collection dates (exceptions and holiday shifts
    applied); and whether lawn watering is allowed now, with the reason and the next slots."""

    # Public data, the same for everyone: no authentication (nor the session it would read),
    # no permission or throttle, one renderer (JSON, 406 for anything else).
    authentication_classes = []
    permission_classes = []
    throttle_classes = []
    renderer_classes = [JSONRenderer]

    @extend_schema(responses=PropertyScheduleSerializer)
    def get(self, request, pk):
        # Built as plain data by schedule_api (one query, memos per zone and day); the
        # serializer documents it and makes it on a memo miss.
        data = property_schedule(pk, timezone.localtime())
        if data is None:  # the message of get_object_or_404
            raise Http404(f"No {Property._meta.object_name} matches the given query.")
        data["ical_url"] = request.build_absolute_uri(reverse("property-ical", args=[pk]))
        return HttpResponse(render_json(data), content_type=JSONRenderer.media_type)


def render_json(data) -> bytes:
    """JSONRenderer's bytes for plain data (str, int, bool, None, lists, dicts), without the
    Response and renderer machinery: UNICODE_JSON, COMPACT_JSON, STRICT_JSON as configured."""
    text = json.dumps(data, ensure_ascii=JSONRenderer.ensure_ascii,
                      allow_nan=not JSONRenderer.strict,
                      separators=(",", ":") if JSONRenderer.compact else (", ", ": "))
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()


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
        if stream:
            if not Stream.objects.filter(slug=stream).exists():
                raise ParseError(_("Unknown stream %(slug)s.") % {"slug": stream})
            qs = qs.filter(zone_set__stream__slug=stream)
        return qs
