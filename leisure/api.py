"""The catalogue's read-only API: seasons, categories, and the groups (GeoJSON) with the
catalogue page's filters, bounded as on the page (leisure.filters): a bad parameter is a 400
naming it."""
from django.contrib.gis.db.models.functions import AsGeoJSON, PointOnSurface, Transform
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from geo.pagination import GeoPagination

from . import selectors
from .filters import CATEGORY_PATTERN, DAYS, MAX_ID, SEASON_PATTERN, TIMES, CatalogueFilterForm
from .models import MAX_AGE, ActivityCategory, Group
from .recurrence import sessions
from .serializers import (
    ActivityCategorySerializer,
    GroupDetailSerializer,
    GroupSerializer,
    SeasonSerializer,
)

NEXT_SESSIONS = 10


class SeasonViewSet(viewsets.ReadOnlyModelViewSet):
    """The seasons, with their registration windows (residents only from `residents_from`,
    everyone from `everyone_from`, until `closes_at`)."""

    queryset = selectors.seasons()
    serializer_class = SeasonSerializer
    pagination_class = None
    filter_backends = []
    lookup_field = "code"
    lookup_value_regex = SEASON_PATTERN.strip("^$")


class ActivityCategoryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = ActivityCategory.objects.all()
    serializer_class = ActivityCategorySerializer
    pagination_class = None
    filter_backends = []
    lookup_field = "code"
    lookup_value_regex = CATEGORY_PATTERN.strip("^$")


FILTERS = [
    OpenApiParameter("season", {"type": "string", "pattern": SEASON_PATTERN},
                     description="A season's code; default: the season on now or the next one "
                                 "(else the last). An unknown code has no group."),
    OpenApiParameter("category", {"type": "string", "pattern": CATEGORY_PATTERN},
                     description="An activity category's code."),
    OpenApiParameter("age", {"type": "integer", "minimum": 0, "maximum": MAX_AGE},
                     description="Groups for this age, in years (not with `born`)."),
    OpenApiParameter("born", {"type": "string", "format": "date"},
                     description="A date of birth (1900-01-01 to today; not with `age`): the "
                                 "groups for the age it gives at each group's reference date."),
    OpenApiParameter("day", {"type": "array", "items": {"type": "integer", "enum": [
        int(value) for value, _label in DAYS]}}, explode=True,
        description="Days the group meets, ISO (Monday = 1); repeatable: any of them."),
    OpenApiParameter("time", {"type": "array", "items": {"type": "string", "enum": [
        value for value, _label in TIMES]}}, explode=True,
        description="When a session starts: morning (before noon), afternoon (noon to 17:00), "
                    "evening (from 17:00); repeatable. With `day`: a slot on those days at "
                    "those times."),
    OpenApiParameter("place", {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                     description="A place's id (/api/places/)."),
    OpenApiParameter("available", bool, description="true: only groups with seats left."),
]


class GroupViewSet(viewsets.ReadOnlyModelViewSet):
    """A season's groups as GeoJSON features at their place (WGS 84), with their time slots,
    ages, fees and seats left; filtered as the catalogue page is."""

    serializer_class = GroupSerializer
    pagination_class = GeoPagination
    filter_backends = []
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return Group.objects.annotate(place_point_wgs84=AsGeoJSON(
            Transform(PointOnSurface("place__geom"), 4326), precision=6))

    @extend_schema(parameters=FILTERS)
    def list(self, request, *args, **kwargs):
        params = request.query_params.copy()
        params.pop("page", None)  # the paginator's (GeoPagination checks it)
        params.pop("page_size", None)
        form = CatalogueFilterForm(params)
        if not form.is_valid():
            raise ValidationError(form.errors)
        code = form.cleaned_data.get("season")
        season = (selectors.seasons().filter(code=code).first() if code
                  else selectors.current_season(timezone.localdate()))
        groups = selectors.catalogue(season, form.cleaned_data).annotate(
            place_point_wgs84=AsGeoJSON(Transform(PointOnSurface("place__geom"), 4326),
                                        precision=6))
        page = self.paginate_queryset(groups)
        return self.get_paginated_response(GroupSerializer(page, many=True).data)

    @extend_schema(responses=GroupDetailSerializer,
                   description="A group (a GeoJSON feature at its place), with its next "
                               "sessions: every time slot, skipped dates left out.")
    def retrieve(self, request, *args, **kwargs):
        group = selectors.with_seats_left(self.get_queryset()).select_related(
            "activity__category", "place__category", "season", "prerequisite").filter(
            pk=kwargs["pk"]).first()
        if group is None:
            raise NotFound
        group.next_sessions = sessions(group.slots.all(), start=timezone.localdate(),
                                       limit=NEXT_SESSIONS)
        return Response(GroupDetailSerializer(group).data)
