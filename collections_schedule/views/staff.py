"""Public works pages (staff only, under "personnel/collectes/"): the zone sets of each stream,
the checks of a set with its change preview (page and CSV), the activation form; importing a
draft set from a file, exporting a set, splitting a zone."""
import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.gis.geos import GEOSException, GEOSGeometry, LineString
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from leaflet.forms.widgets import LeafletWidget

from core.auth import staff_required
from core.importers.report import ImportFailed
from core.maps_admin import csp_nonce

from .. import planning
from ..importers.zones import LAYOUTS, import_zones
from ..importers.zones_export import FORMATS, export_zones
from ..models import Stream, Zone, ZoneSet
from ..services import split_zone

ACTIVATE_PERMISSION = "collections_schedule.change_zoneset"


@staff_required
def zone_set_list(request):
    today = timezone.localdate()
    in_force = set(ZoneSet.objects.in_force(today).values_list("pk", flat=True))
    sets = ZoneSet.objects.select_related("stream").annotate(zone_count=Count("zones"))
    by_stream = {}
    for zone_set in sets:
        zone_set.is_in_force = zone_set.pk in in_force
        by_stream.setdefault(zone_set.stream_id, []).append(zone_set)
    streams = [(stream, by_stream.get(stream.pk, [])) for stream in Stream.objects.all()]
    return render(request, "collections_schedule/staff/zone_set_list.html",
                  {"streams": streams, "today": today})


@staff_required
def zone_set_checks(request, pk):
    zone_set = get_object_or_404(ZoneSet.objects.select_related("stream"), pk=pk)
    if request.GET.get("format") == "csv":
        return _changes_csv(zone_set)
    result = planning.check_zone_set(zone_set)
    return render(request, "collections_schedule/staff/zone_set_checks.html", {
        "zone_set": zone_set, "result": result, "gap_sample": planning.GAP_SAMPLE,
        "zones": zone_set.zones.only("pk", "code").order_by("code"),
        "can_activate": (zone_set.status == ZoneSet.Status.DRAFT
                         and request.user.has_perm(ACTIVATE_PERMISSION)),
    })


def _changes_csv(zone_set):
    language = translation.get_language()

    def lines():
        # The body is read after the view returns: keep the request's language for the days.
        with translation.override(language):
            yield from planning.iter_changes_csv(zone_set)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = f"changements-zones-{zone_set.stream.slug}-{zone_set.pk}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class ActivationForm(forms.Form):
    effective_from = forms.DateField(
        label=gettext_lazy("In force from"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("The first day on which citizens see these zones."))
    override = forms.BooleanField(
        label=gettext_lazy("Activate even though checks fail"), required=False)
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Required to override: why the zones are right as they are."))


@staff_required
def zone_set_activate(request, pk):
    if not request.user.has_perm(ACTIVATE_PERMISSION):
        raise PermissionDenied
    zone_set = get_object_or_404(ZoneSet.objects.select_related("stream"), pk=pk)
    if request.method == "POST":
        form = ActivationForm(request.POST)
        if form.is_valid():
            try:
                planning.activate_zone_set(
                    zone_set=zone_set, user=request.user,
                    effective_from=form.cleaned_data["effective_from"],
                    override=form.cleaned_data["override"], note=form.cleaned_data["note"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The zone set “%(name)s” is active from %(date)s.")
                                 % {"name": zone_set.name,
                                    "date": form.cleaned_data["effective_from"].isoformat()})
                return redirect("collections_staff:zone_set", pk=zone_set.pk)
    else:
        form = ActivationForm(initial={"effective_from": zone_set.effective_from
                                       or timezone.localdate()})
    result = planning.check_zone_set(zone_set, preview=False)
    return render(request, "collections_schedule/staff/zone_set_activate.html",
                  {"zone_set": zone_set, "form": form, "result": result})


MAX_UPLOAD_MB = 50
UPLOAD_SUFFIXES = {".geojson", ".json", ".gpkg", ".zip", ".csv"}


class ImportForm(forms.Form):
    stream = forms.ModelChoiceField(label=gettext_lazy("Stream"), queryset=Stream.objects.all(),
                                    to_field_name="slug")
    name = forms.CharField(label=gettext_lazy("Name of the new zone set"), max_length=200)
    layout = forms.ChoiceField(
        label=gettext_lazy("Layout"),
        choices=[("guichet", gettext_lazy("Guichet (code, rrules, dtstart...)")),
                 ("published", gettext_lazy("Published (day written as text)"))])
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("GeoJSON, GeoPackage, or a shapefile as a .zip; at most "
                               "%(mb)d MB.") % {"mb": MAX_UPLOAD_MB})

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise ValidationError(_("The file is %(size)d MB: the limit is %(mb)d MB.")
                                  % {"size": upload.size // (1024 * 1024), "mb": MAX_UPLOAD_MB})
        if Path(upload.name).suffix.lower() not in UPLOAD_SUFFIXES:
            raise ValidationError(_("Send a GeoJSON, GeoPackage or zipped shapefile."))
        return upload


@staff_required
def zone_set_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / Path(upload.name).name
            with open(path, "wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                report = import_zones(path, stream=form.cleaned_data["stream"].slug,
                                      name=form.cleaned_data["name"],
                                      layout=form.cleaned_data["layout"], commit=True,
                                      # the draft's page previews every change before
                                      # activation: no --max-change refusal here
                                      force=True)
            except ImportFailed as error:
                form.add_error("file", str(error))
            else:
                messages.info(request, report.render())
                created = ZoneSet.objects.filter(stream=form.cleaned_data["stream"],
                                                 name=form.cleaned_data["name"]).order_by("pk")
                if report.created and created.exists():
                    return redirect("collections_staff:zone_set", pk=created.last().pk)
                form.add_error("file", _("No zone could be imported: see the report."))
    return render(request, "collections_schedule/staff/zone_set_import.html",
                  {"form": form, "layouts": LAYOUTS})


@staff_required
def zone_set_export(request, pk, fmt):
    zone_set = get_object_or_404(ZoneSet, pk=pk)
    if fmt not in FORMATS:
        raise forms.ValidationError(fmt)
    content, filename, content_type = export_zones(zone_set, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class SplitForm(forms.Form):
    line = forms.CharField(
        label=gettext_lazy("Cutting line"), required=False,
        widget=LeafletWidget(attrs={"geom_type": "LineString"}),
        help_text=gettext_lazy("Draw a line across the zone on the map."))
    line_text = forms.CharField(
        label=gettext_lazy("Or type the line (WKT or GeoJSON, longitude/latitude)"),
        required=False, widget=forms.Textarea(attrs={"rows": 2}))
    new_code = forms.CharField(label=gettext_lazy("Code of the new zone"), max_length=50)

    def clean(self):
        data = super().clean()
        raw = (data.get("line_text") or data.get("line") or "").strip()
        try:
            line = GEOSGeometry(raw) if raw else None
        except (GEOSException, ValueError, TypeError):
            line = None
        if not isinstance(line, LineString):
            raise ValidationError(_("Give a line: draw it on the map or type it."))
        if line.srid is None:
            line.srid = 4326
        data["geometry"] = line
        return data


@staff_required
def zone_split(request, pk):
    zone = get_object_or_404(Zone.objects.select_related("zone_set__stream"), pk=pk)
    form = SplitForm(request.POST or None)
    # django-leaflet's widget writes an inline <script> and <style>: with this request's CSP
    # nonce (the admin's map widgets get it from LeafletGeoAdmin).
    form.fields["line"].widget.csp_nonce = csp_nonce(request)
    if request.method == "POST" and form.is_valid():
        try:
            kept, other = split_zone(zone=zone, line=form.cleaned_data["geometry"],
                                     new_code=form.cleaned_data["new_code"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Zone %(a)s split: %(b)s created.")
                             % {"a": kept.code, "b": other.code})
            return redirect("collections_staff:zone_set", pk=zone.zone_set_id)
    return render(request, "collections_schedule/staff/zone_split.html",
                  {"zone": zone, "form": form})
