"""The public reports layer (GeoJSON, WGS 84): what anyone may see, no personal data."""
import django_filters
from django import forms
from django.contrib.gis.db.models.functions import Transform
from django.db.models import FloatField, Func
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, viewsets
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from core.bilingual import localized
from geo.fields import WGS84GeometryField, wgs84_geojson
from geo.filters import WGS84InBBoxFilter
from geo.pagination import GeoPagination
from geo.serializers import row_features

from .models import Category, ServiceRequest
from .selectors import public_queryset, shown_in_box


class ReportSerializer(GeoFeatureModelSerializer):
    # Where the public sees it (selectors.public_queryset: at the street for some categories).
    location = WGS84GeometryField("location", source="shown_location_wgs84", precision=6)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = ServiceRequest
        geo_field = "location"
        fields = ["id", "category", "category_name", "status", "status_label", "submitted_at",
                  "updated_at", "expected_on", "url"]

    def get_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("service_requests:public_detail", args=[obj.pk])


class ReportFilter(django_filters.FilterSet):
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=Category.objects.all(), to_field_name="code",
        empty_label=_("all"))
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), method="filter_status", widget=forms.CheckboxSelectMultiple,
        choices=[("open", _("open (any)")), ("closed", _("closed (any)")),
                 *ServiceRequest.Status.choices])

    class Meta:
        model = ServiceRequest
        fields = ["category", "status"]

    def filter_status(self, queryset, name, values):
        wanted = set(values)
        if "open" in wanted:
            wanted.discard("open")
            wanted.update(ServiceRequest.OPEN)
        if "closed" in wanted:
            wanted.discard("closed")
            wanted.update(set(ServiceRequest.Status.values) - set(ServiceRequest.OPEN))
        return queryset.filter(status__in=wanted)


class ReportApiFilter(ReportFilter):
    """The API's: a category by its code, and an unknown code matches nothing (an empty
    layer), as any filter; the page's form keeps its list of choices."""

    category = django_filters.CharFilter(field_name="category__code",
                                         help_text="Category code.")


class ReportViewSet(viewsets.ReadOnlyModelViewSet):
    """Public reports, filtered by bounding box (in_bbox), category (code) and status
    (repeatable; "open" = every open status). Newest first."""

    queryset = (public_queryset().annotate(shown_location_wgs84=wgs84_geojson("shown_location"))
                .order_by("-submitted_at", "-pk"))
    serializer_class = ReportSerializer
    pagination_class = GeoPagination
    filter_backends = [WGS84InBBoxFilter, *viewsets.ReadOnlyModelViewSet.filter_backends]
    filterset_class = ReportApiFilter
    bbox_filter_field = "location"
    bbox_filter_q = staticmethod(shown_in_box)  # the shown place, never the exact one

    def list(self, request, *args, **kwargs):
        """The layer from plain rows: a map viewport asks for up to a page of points, and model
        instances through the nested serializer cost several times the SQL (bench/RESULTS.md).
        ReportSerializer still documents the shape, and serves one report."""
        point = Transform("shown_location", 4326)
        rows = self.filter_queryset(self.get_queryset()).annotate(
            lon=Func(point, function="ST_X", output_field=FloatField()),
            lat=Func(point, function="ST_Y", output_field=FloatField()),
        ).values_list(*REPORT_COLUMNS, "lon", "lat")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response({"features": report_features(page)})


_DATETIME = serializers.DateTimeField()


REPORT_COLUMNS = ["pk", "category__code", "category__name_fr", "category__name_en", "status",
                  "submitted_at", "updated_at", "expected_on"]


def report_features(rows) -> list[dict]:
    """ReportSerializer's features from values_list() rows (REPORT_COLUMNS, then longitude
    and latitude in WGS 84): the reports layer's hot path (geo.serializers.row_features)."""
    labels = {value: str(label) for value, label in ServiceRequest.Status.choices}
    url = reverse("service_requests:public_detail", args=[1234567890]).replace("1234567890",
                                                                               "{}")

    def props(row):
        pk, code, name_fr, name_en, status, submitted_at, updated_at, expected_on = row[:8]
        return {
            "category": code,
            "category_name": localized({"name_fr": name_fr, "name_en": name_en}, "name"),
            "status": status, "status_label": labels[status],
            "submitted_at": _DATETIME.to_representation(submitted_at),
            "updated_at": _DATETIME.to_representation(updated_at),
            "expected_on": expected_on.isoformat() if expected_on else None,
            "url": url.format(pk),
        }

    return row_features(rows, properties=props, geometry=lambda row: {
        "type": "Point", "coordinates": [round(row[8], 6), round(row[9], 6)]})
