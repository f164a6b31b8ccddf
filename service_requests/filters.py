"""The clerks' queue filters: status, category, department, channel, overdue, assignment, an
area drawn on the map, or (the same without the map) a distance around an address."""
import json

import django_filters
from django import forms
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.contrib.gis.measure import D
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from geo.geometry import OutsideProjection, transformed

from .locating import locate
from .models import Category, Department, ServiceRequest
from .selectors import overdue_q

OPEN = "open"
MAX_AREA_VERTICES = 500
NEAR_RADII = [(str(m), f"{m} m") for m in (50, 100, 250, 500)]
DEFAULT_RADIUS = 100


def parse_area(text: str):
    """A polygon drawn on the map (GeoJSON, WGS 84) as a geometry in the storage CRS."""
    from django.conf import settings

    try:
        data = json.loads(text)
        geometry = GEOSGeometry(json.dumps(data.get("geometry", data)), srid=4326)
    except (ValueError, TypeError, AttributeError, GEOSException):
        raise ValidationError(_("The area drawn on the map could not be read: draw it again."),
                              code="bad_area") from None
    if geometry.geom_type not in ("Polygon", "MultiPolygon") or geometry.num_coords > \
            MAX_AREA_VERTICES:
        raise ValidationError(_("The area must be a polygon of at most %(n)d points.")
                              % {"n": MAX_AREA_VERTICES}, code="bad_area")
    if not geometry.valid:
        geometry = geometry.make_valid()
    try:
        return transformed(geometry, settings.GUICHET_SRID, clone=True)
    except OutsideProjection:
        raise ValidationError(_("The area must be drawn on the town's map."),
                              code="bad_area") from None


class QueueForm(forms.Form):
    """Reads the area and the address once, with a clear message when they cannot be used."""

    def clean_area(self):
        value = self.cleaned_data.get("area")
        return parse_area(value) if value else None

    def clean_near(self):
        value = (self.cleaned_data.get("near") or "").strip()
        return locate({"address": value})[0] if value else None


class QueueFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("Status"), method="filter_status",
        choices=[(OPEN, gettext_lazy("open (any)")), *ServiceRequest.Status.choices],
        widget=forms.CheckboxSelectMultiple)
    category = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Category"), queryset=Category.objects.all(),
        to_field_name="code", empty_label=gettext_lazy("all"))
    department = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Department"), queryset=Department.objects.all(),
        to_field_name="code", empty_label=gettext_lazy("all"))
    channel = django_filters.ChoiceFilter(
        label=gettext_lazy("Channel"), choices=ServiceRequest.Channel.choices,
        empty_label=gettext_lazy("all"))
    overdue = django_filters.BooleanFilter(
        label=gettext_lazy("Overdue only"), method="filter_overdue",
        widget=forms.CheckboxInput)
    assigned = django_filters.ChoiceFilter(
        label=gettext_lazy("Assigned"), method="filter_assigned", empty_label=gettext_lazy("all"),
        choices=[("me", gettext_lazy("to me")), ("none", gettext_lazy("to nobody"))])
    q = django_filters.CharFilter(
        label=gettext_lazy("Number or words"), method="filter_text",
        help_text=gettext_lazy("A request number, or words of its description or address."))
    near = django_filters.CharFilter(
        label=gettext_lazy("Near an address"), method="filter_near",
        help_text=gettext_lazy("E.g. the caller's address: the requests around it."))
    radius = django_filters.ChoiceFilter(
        label=gettext_lazy("Within"), choices=NEAR_RADII, method="filter_nothing",
        empty_label=None)
    area = django_filters.CharFilter(method="filter_area", widget=forms.HiddenInput)

    class Meta:
        model = ServiceRequest
        fields = ["status", "category", "department", "channel"]
        form = QueueForm

    def filter_status(self, queryset, name, values):
        wanted = set(values)
        if OPEN in wanted:
            wanted.discard(OPEN)
            wanted.update(ServiceRequest.OPEN)
        return queryset.filter(status__in=wanted) if wanted else queryset

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_q()) if value else queryset

    def filter_assigned(self, queryset, name, value):
        if value == "me":
            return queryset.filter(assigned_to=self.request.user)
        if value == "none":
            return queryset.filter(assigned_to=None)
        return queryset

    def filter_text(self, queryset, name, value):
        value = value.strip().lstrip("#")
        if value.isdigit():
            return queryset.filter(pk=int(value))
        return queryset.filter(Q(description__icontains=value) | Q(address__icontains=value))

    def filter_near(self, queryset, name, point):
        radius = int(self.form.cleaned_data.get("radius") or DEFAULT_RADIUS)
        # GiST index on location: dwithin in metres (projected storage CRS).
        return queryset.filter(location__dwithin=(point, D(m=radius)))

    def filter_nothing(self, queryset, name, value):
        return queryset  # read by filter_near

    def filter_area(self, queryset, name, area):
        return queryset.filter(location__coveredby=area)  # GiST index on location
