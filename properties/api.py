from django.conf import settings
from django.contrib.gis.db.models.functions import Transform
from django.contrib.gis.geos import Point
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.response import Response

from geo.fields import wgs84_geojson
from geo.filters import WGS84InBBoxFilter
from geo.geometry import OutsideProjection, transformed
from geo.models import Territory
from geo.pagination import GeoPagination
from geo.serializers import NearbyPlaceSerializer, nearby_features

from .models import Property, RollEntry, UseCode
from .place_names import describe, label
from .selectors import MAX_QUERY_LENGTH, find_properties, nearby_rows
from .serializers import AddressMatchSerializer, PropertySerializer

MAX_RADIUS_M = 2000


def _float_param(request, name):
    raw = request.query_params.get(name)
    if raw is None:
        raise ParseError(_("The parameter %(p)s is required.") % {"p": name})
    try:
        return float(raw)
    except ValueError:
        raise ParseError(_("The parameter %(p)s must be a number.") % {"p": name}) from None


def _point_in_territory(request) -> Point:
    """The lon/lat parameters as a point in the territory, in the storage CRS; 400 or 404
    otherwise."""
    lon, lat = _float_param(request, "lon"), _float_param(request, "lat")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ParseError(_("lon/lat are outside the valid range."))
    point = Point(lon, lat, srid=4326)
    try:
        transformed(point, settings.GUICHET_SRID)  # once, here, not in every predicate
    except OutsideProjection:  # far away: the storage CRS cannot hold it
        raise NotFound(_("This point is outside the territory of the municipality.")) from None
    if not Territory.objects.covering(point).exists() and Territory.objects.exists():
        raise NotFound(_("This point is outside the territory of the municipality."))
    return point


LONLAT = [OpenApiParameter("lon", {"type": "number", "minimum": -180, "maximum": 180},
                           required=True),
          OpenApiParameter("lat", {"type": "number", "minimum": -90, "maximum": 90},
                           required=True)]


class PropertyViewSet(viewsets.ReadOnlyModelViewSet):
    """Properties (evaluation units) with their current roll entry and history."""

    serializer_class = PropertySerializer
    pagination_class = GeoPagination
    filter_backends = [WGS84InBBoxFilter]
    bbox_filter_field = "parcel"
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return (Property.objects
                .annotate(parcel_wgs84=wgs84_geojson("parcel", precision=7),
                          point_wgs84=Transform("address_point", 4326))
                .prefetch_related(
                    "addresses",
                    Prefetch("roll_entries", RollEntry.objects.order_by("-roll_year")))
                .order_by("pk"))

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["use_labels"] = {c.code: c.label for c in UseCode.objects.all()}
        return context

    @extend_schema(
        parameters=[OpenApiParameter("radius", {"type": "integer", "minimum": 1,
                                                "maximum": MAX_RADIUS_M}, required=False,
                                     description="Metres (default GUICHET_PROXIMITY_M, max 2000)."),
                    OpenApiParameter("category", OpenApiTypes.STR, required=False,
                                     description="Category slugs, comma-separated.")],
        responses=NearbyPlaceSerializer(many=True),
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def nearby(self, request, pk=None):
        """Places within the radius of the property (from its parcel, else its address point),
        nearest first, as a GeoJSON FeatureCollection with `distance_m` and `category`."""
        radius = request.query_params.get("radius")
        if radius is not None:
            if not (radius.isascii() and radius.isdigit()) or not 0 < int(radius) <= MAX_RADIUS_M:
                raise ParseError(_("radius must be a whole number of metres between 1 and "
                                   "%(max)d.") % {"max": MAX_RADIUS_M})
            radius = int(radius)
        categories = request.query_params.get("category")
        data = nearby_features(nearby_rows(  # as NearbyPlaceSerializer documents
            int(pk), radius, categories.split(",") if categories else None))
        if not data["features"] and not Property.objects.filter(pk=pk).exists():
            raise Http404(f"No {Property._meta.object_name} matches the given query.")
        return Response(data)

    @extend_schema(
        parameters=[OpenApiParameter("q", {"type": "string", "maxLength": MAX_QUERY_LENGTH},
                                     required=True,
                                     description="Civic address, matricule or lot number.")],
        responses=AddressMatchSerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def search(self, request):
        """Type-ahead: accents, case and common abbreviations ignored, small typos tolerated."""
        q = request.query_params.get("q")
        if q is None:
            raise ParseError(_("The parameter q is required."))
        if len(q) > MAX_QUERY_LENGTH:
            raise ParseError(_("The query is too long (at most %(n)d characters).")
                             % {"n": MAX_QUERY_LENGTH})
        return Response(AddressMatchSerializer(find_properties(q), many=True).data)

    @extend_schema(
        parameters=LONLAT,
        responses={200: PropertySerializer, 404: OpenApiResponse(
            description="No property at this point, or the point is outside the territory.")},
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def at(self, request):
        """The property under a point (a map click), in WGS 84 longitude/latitude."""
        point = _point_in_territory(request)
        hit = Property.objects.at_point(point)
        if hit is None:
            raise NotFound(_("No property at this point."))
        return Response(self.get_serializer(self.get_queryset().get(pk=hit.pk)).data)

    @extend_schema(
        parameters=LONLAT,
        responses={200: inline_serializer("PlaceInWords", {
            "label_fr": serializers.CharField(help_text="In French; empty when nothing is near."),
            "label_en": serializers.CharField(help_text="In English; empty when nothing is near."),
            "place": serializers.DictField(help_text="kind (near, between, corner, "
                                           "street_near, street) and names, language-neutral.")}),
            404: OpenApiResponse(description="The point is outside the territory.")},
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def place(self, request):
        """A point in words (a report's place chosen on the map): near the nearest civic
        address within 30 m, else on the nearest street between the streets that cross it."""
        place = describe(_point_in_territory(request))  # in the storage CRS
        return Response({"label_fr": label(place, "fr"), "label_en": label(place, "en"),
                         "place": place})
