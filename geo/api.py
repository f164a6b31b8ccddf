from rest_framework import viewsets

from .fields import wgs84_geojson
from .filters import PlaceFilter, WGS84InBBoxFilter
from .models import Place, PlaceCategory, Street
from .pagination import GeoPagination
from .serializers import PlaceCategorySerializer, PlaceSerializer, StreetSerializer


class PlaceViewSet(viewsets.ReadOnlyModelViewSet):
    """Municipal places (GeoJSON, WGS 84), filtered by bounding box and category."""

    queryset = (Place.objects.select_related("category")
                .annotate(geom_wgs84=wgs84_geojson("geom")).order_by("pk"))
    serializer_class = PlaceSerializer
    pagination_class = GeoPagination
    filter_backends = [WGS84InBBoxFilter, *viewsets.ReadOnlyModelViewSet.filter_backends]
    filterset_class = PlaceFilter
    bbox_filter_field = "geom"


class PlaceCategoryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = PlaceCategory.objects.all()
    serializer_class = PlaceCategorySerializer
    pagination_class = None
    lookup_field = "slug"


class StreetViewSet(viewsets.ReadOnlyModelViewSet):
    """Street centre lines, for drawing the town with no tile server."""

    queryset = Street.objects.annotate(geom_wgs84=wgs84_geojson("geom")).order_by("pk")
    serializer_class = StreetSerializer
    pagination_class = GeoPagination
    filter_backends = [WGS84InBBoxFilter]
    bbox_filter_field = "geom"
