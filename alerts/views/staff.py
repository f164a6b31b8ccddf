"""Staff pages for alerts (under "personnel/alertes/"): the list with statuses; a draft created
or changed (text, period, target); its preview (properties and subscribed people reached, the
addresses, their CSV, the area on the map) with send now, schedule, cancel; a sent alert's
update (the next version) or cancellation."""
import csv
import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collections_schedule.models import WateringBan
from core.auth import staff_required
from map_ui.config import map_base

from .. import selectors, services
from ..forms import AlertForm, ScheduleForm
from ..models import Alert


@staff_required
def alert_list(request):
    alerts = Alert.objects.select_related("topic").defer("area", "drawn") \
        .order_by("-created_at", "-pk")
    page = Paginator(alerts, 50).get_page(request.GET.get("page"))
    bans = WateringBan.objects.filter(ends_at__gt=timezone.now()).defer("area")[:20]
    return render(request, "alerts/staff/list.html", {"page": page, "bans": bans})


@staff_required
@require_POST
def from_watering_ban(request, ban_id):
    """A watering ban announced in one step: a draft from the ban, then its preview."""
    ban = get_object_or_404(WateringBan, pk=ban_id)
    try:
        alert = services.draft_from_watering_ban(ban, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("alerts_staff:list")
    messages.success(request, _("A draft was made from the watering ban: check it and send it."))
    return redirect("alerts_staff:detail", pk=alert.pk)


def _add_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for e in errors:
                form.add_error(field if field in form.fields else None, e)
    else:
        key = "drawn" if error.code in ("outside_territory", "bad_geometry") else None
        for message in error.messages:
            form.add_error(key, message)


def _edit(request, alert):
    sent = alert.pk is not None and alert.status == Alert.Status.SENT
    form = AlertForm(request.POST or None, instance=alert)
    if request.method == "POST" and form.is_valid():
        try:
            if sent:
                alert = services.update_alert(alert, by=request.user, **form.service_data())
                messages.success(request, _("The update is sent (version %(n)d).")
                                 % {"n": alert.version})
            else:
                alert = services.save_alert(alert=alert if alert.pk else None,
                                            by=request.user, **form.service_data())
                messages.success(request, _("The draft is saved: check who it reaches, then "
                                            "send it."))
            return redirect("alerts_staff:detail", pk=alert.pk)
        except ValidationError as error:
            _add_errors(form, error)
    return render(request, "alerts/staff/edit.html", {
        "form": form, "alert": alert, "sent": sent, "map_config": map_base()},
        status=400 if request.method == "POST" else 200)


@staff_required
def create(request):
    return _edit(request, Alert(created_by=request.user))


@staff_required
def edit(request, pk):
    alert = get_object_or_404(Alert, pk=pk)
    if alert.status == Alert.Status.CANCELLED:
        messages.error(request, _("A cancelled alert cannot be changed."))
        return redirect("alerts_staff:detail", pk=pk)
    return _edit(request, alert)


def _area_config(alert):
    config = map_base()
    row = selectors.with_wgs84_area(Alert.objects.filter(pk=alert.pk)).values("geojson").first()
    config["area"] = json.loads(row["geojson"]) if row and row["geojson"] else None
    return config


@staff_required
def detail(request, pk, schedule_form=None):
    alert = get_object_or_404(Alert.objects.select_related("topic"), pk=pk)
    return render(request, "alerts/staff/detail.html", {
        "alert": alert, "reach": selectors.reach(alert), "list_rows": selectors.LIST_ROWS,
        "zones": alert.zones.select_related("zone_set__stream"),
        "schedule_form": schedule_form or ScheduleForm(),
        "map_config": _area_config(alert)}, status=400 if schedule_form else 200)


@staff_required
def addresses_csv(request, pk):
    alert = get_object_or_404(Alert, pk=pk)
    rows = selectors.reached_rows(alert)

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())

    def lines():
        yield "\ufeff" + writer.writerow([_("matricule"), _("address")])
        for _pk, matricule, label in rows:
            yield writer.writerow([matricule, label])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="alerte-{alert.pk}-adresses.csv"'
    return response


def _act(request, pk, action, done: str):
    """Runs `action(alert, by=...)` on alert `pk`; its refusal or `done` as a message, then the
    alert's page."""
    alert = get_object_or_404(Alert, pk=pk)
    try:
        action(alert, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("alerts_staff:detail", pk=pk)


@staff_required
@require_POST
def send(request, pk):
    return _act(request, pk, services.send_alert, _("The alert is sent."))


@staff_required
@require_POST
def schedule(request, pk):
    alert = get_object_or_404(Alert, pk=pk)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        try:
            services.schedule_alert(alert, send_at=form.cleaned_data["send_at"],
                                    by=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The alert will be sent at the time chosen."))
            return redirect("alerts_staff:detail", pk=pk)
    return detail(request, pk, schedule_form=form)


@staff_required
@require_POST
def cancel(request, pk):
    return _act(request, pk, services.cancel_alert, _("The alert is cancelled."))
