"""API filters for spatial reads."""
import re

import django_filters
from django.conf import settings
from django.contrib.gis.geos import Polygon
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework_gis.filters import InBBoxFilter

from .geometry import OutsideProjection, transformed
from .models import Place

MAX_BBOX_DEGREES = 1.0  # a viewport wider than this is not a town map: refuse, do not scan
_LON = r"-?(?:180(?:\.0+)?|(?:1[0-7][0-9]|[0-9]{1,2})(?:\.[0-9]+)?)"
_LAT = r"-?(?:90(?:\.0+)?|[1-8]?[0-9](?:\.[0-9]+)?)"
BBOX_PATTERN = rf"^{_LON},{_LAT},{_LON},{_LAT}$"


class WGS84InBBoxFilter(InBBoxFilter):
    """in_bbox=min_lon,min_lat,max_lon,max_lat in WGS 84. drf-gis builds the box without an SRID,
    which GeoDjango would read as the column's (metric) CRS: here it is tagged 4326 so PostGIS
    transforms it, and a malformed box gets a 400 with a message instead of a wrong answer."""

    bbox_filter_include_overlapping = True

    def get_filter_bbox(self, request):
        raw = request.query_params.get(self.bbox_param)
        if raw is None:
            return None
        if not re.fullmatch(BBOX_PATTERN, raw):  # as documented: no "1e2", "nan" nor spaces
            raise ParseError(
                _("in_bbox must be four numbers: min_lon,min_lat,max_lon,max_lat."))
        x1, y1, x2, y2 = (float(n) for n in raw.split(","))
        if not (-180 <= x1 < x2 <= 180 and -90 <= y1 < y2 <= 90):
            raise ParseError(_("in_bbox is not a valid box: min_lon,min_lat,max_lon,max_lat in "
                               "degrees, minimum before maximum."))
        if x2 - x1 > MAX_BBOX_DEGREES or y2 - y1 > MAX_BBOX_DEGREES:
            raise ParseError(_("in_bbox is too large (at most %(d)s degrees a side).")
                             % {"d": MAX_BBOX_DEGREES})
        box = Polygon.from_bbox((x1, y1, x2, y2))
        box.srid = 4326
        try:  # here, once: PostGIS failing to transform it would be a server error
            return transformed(box, settings.GUICHET_SRID, clone=True)
        except OutsideProjection:
            raise ParseError(_("in_bbox is outside the area of the town's maps.")) from None

    def get_schema_operation_parameters(self, view):
        return [{
            "name": self.bbox_param, "required": False, "in": "query",
            "description": (
                "A box in WGS 84 degrees: min_lon,min_lat,max_lon,max_lat, minimum before "
                f"maximum, at most {MAX_BBOX_DEGREES:g} degree a side, in the area of the "
                "town's maps (else a 400 that says which)."),
            "schema": {"type": "string", "pattern": BBOX_PATTERN,
                       "example": "-74.0,45.35,-73.95,45.4"},
        }]

    def filter_queryset(self, request, queryset, view):
        bbox = self.get_filter_bbox(request)
        if bbox is None:
            return queryset
        in_box = getattr(view, "bbox_filter_q", None)  # a view whose place is an expression
        if in_box is not None:
            return queryset.filter(in_box(bbox))
        field = view.bbox_filter_field
        return queryset.filter(**{f"{field}__bboverlaps": bbox})  # GiST index on the geometry


class PlaceFilter(django_filters.FilterSet):
    category = django_filters.BaseInFilter(field_name="category__slug",
                                           help_text="Category slugs, comma-separated.")

    class Meta:
        model = Place
        fields = ["category"]
