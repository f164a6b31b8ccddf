"""The public reports layer (GeoJSON, WGS 84): what anyone may see, no personal data."""
import django_filters
from django import forms
from django.contrib.gis.db.models.functions import Transform
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, viewsets
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from geo.fields import WGS84GeometryField
from geo.filters import WGS84InBBoxFilter
from geo.pagination import GeoPagination

from .models import Category, ServiceRequest
from .public import public_queryset


class ReportSerializer(GeoFeatureModelSerializer):
    location = WGS84GeometryField("location", precision=6)
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


class ReportViewSet(viewsets.ReadOnlyModelViewSet):
    """Public reports, filtered by bounding box (in_bbox), category (code) and status
    (repeatable; "open" = every open status). Newest first."""

    queryset = (public_queryset().annotate(location_wgs84=Transform("location", 4326))
                .order_by("-submitted_at", "-pk"))
    serializer_class = ReportSerializer
    pagination_class = GeoPagination
    filter_backends = [WGS84InBBoxFilter, *viewsets.ReadOnlyModelViewSet.filter_backends]
    filterset_class = ReportFilter
    bbox_filter_field = "location"
