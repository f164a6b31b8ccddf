"""Public works pages (staff only): the zone sets of each stream, the checks of a set with its
change preview (page and CSV), and the activation form."""
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.auth import staff_required

from . import planning
from .models import Stream, ZoneSet

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
