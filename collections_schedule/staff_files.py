"""Public works pages for files: import a zone set (draft) from a GIS file, export one, split a
zone along a line drawn on the map (or typed as WKT / GeoJSON)."""
import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.gis.geos import GEOSException, GEOSGeometry, LineString
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from leaflet.forms.widgets import LeafletWidget

from core.auth import staff_required
from core.importers.report import ImportFailed

from .importers.zones import LAYOUTS, import_zones
from .importers.zones_export import FORMATS, export_zones
from .models import Stream, Zone, ZoneSet
from .services import split_zone

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
                                      layout=form.cleaned_data["layout"], commit=True)
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
