"""Writes of alerts (keyword-only, one transaction each): a draft saved with its target
resolved into `area`, then sent now or scheduled, updated, cancelled. Sending, an update and a
cancellation each record a version in `history` and enqueue, once the transaction commits, the
delivery's `fan_out(alert_id, version)` (an update or a cancellation reaches exactly those who
got the alert: the delivery's business)."""
import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import selectors
from .models import Alert
from .targeting import resolve_area

EDITABLE = ["topic", "severity", "title_fr", "title_en", "body_fr", "body_en", "starts_at",
            "ends_at", "target", "drawn", "buffer_m", "streets"]


def _check_text(alert):
    errors = {}
    if not (alert.title_fr or "").strip():
        errors["title_fr"] = _("The French title is required.")
    if not (alert.body_fr or "").strip():
        errors["body_fr"] = _("The French text is required.")
    if alert.ends_at and alert.starts_at and alert.ends_at <= alert.starts_at:
        errors["ends_at"] = _("The end must come after the start.")
    if errors:
        raise ValidationError(errors)


def _resolve(alert, zone_ids):
    alert.area = resolve_area(target=alert.target, drawn=alert.drawn, zone_ids=zone_ids,
                              buffer_m=alert.buffer_m, streets=alert.streets)
    if alert.target not in (Alert.Target.POLYGON, Alert.Target.BUFFER):
        alert.drawn = None
    if alert.target != Alert.Target.BUFFER:
        alert.buffer_m = None
    if alert.target != Alert.Target.STREETS:
        alert.streets = []


@transaction.atomic
def save_alert(*, alert: Alert | None = None, data: dict, zones=(), by) -> Alert:
    """Create or change a draft or scheduled alert: its text, period and target, the target
    resolved into `area` (ValidationError with a clear message when it cannot be). A sent alert
    is changed by update_alert."""
    alert = alert or Alert(created_by=by)
    if alert.status in (Alert.Status.SENT, Alert.Status.CANCELLED):
        raise ValidationError(_("This alert is sent: send an update instead."), code="sent")
    for name in EDITABLE:
        if name in data:
            setattr(alert, name, data[name])
    zone_ids = [z.pk for z in zones] if alert.target == Alert.Target.ZONES else []
    _check_text(alert)
    _resolve(alert, zone_ids)
    alert.save()
    alert.zones.set(zone_ids)
    return alert


def _record(alert, kind, by, now):
    alert.history = [*alert.history, {"version": alert.version, "kind": kind,
                                      "sent_at": now.isoformat(),
                                      "by": by.pk if by else None}]


def _enqueue(alert):
    alert_id, version = alert.pk, alert.version

    def enqueue():
        from .delivery import fan_out

        fan_out.enqueue(alert_id, version)

    transaction.on_commit(enqueue)


def _check_sendable(alert):
    _check_text(alert)
    if alert.area is None:
        raise ValidationError(_("The alert has no target: choose who it is for."),
                              code="empty_target")
    if not selectors.properties_reached(alert).exists():
        raise ValidationError(_("The target reaches no property: nothing would be sent."),
                              code="empty_target")


@transaction.atomic
def send_alert(alert: Alert, *, by) -> Alert:
    """Send a draft or scheduled alert now: status sent, version 1 recorded, fan-out enqueued."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status not in (Alert.Status.DRAFT, Alert.Status.SCHEDULED):
        raise ValidationError(_("This alert is already sent or cancelled."), code="state")
    _check_sendable(alert)
    now = timezone.now()
    alert.status, alert.sent_at, alert.send_at = Alert.Status.SENT, now, None
    _record(alert, "alert", by, now)
    alert.save(update_fields=["status", "sent_at", "send_at", "history", "updated_at"])
    _enqueue(alert)
    return alert


@transaction.atomic
def schedule_alert(alert: Alert, *, send_at: dt.datetime, by) -> Alert:
    """Send a draft later (manage.py send_scheduled_alerts, run every minute, sends it)."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status not in (Alert.Status.DRAFT, Alert.Status.SCHEDULED):
        raise ValidationError(_("This alert is already sent or cancelled."), code="state")
    if send_at <= timezone.now():
        raise ValidationError({"send_at": _("Choose a time in the future, or send now.")})
    _check_sendable(alert)
    alert.status, alert.send_at = Alert.Status.SCHEDULED, send_at
    alert.save(update_fields=["status", "send_at", "updated_at"])
    return alert


def send_due_alerts(now=None) -> list[int]:
    """Send the scheduled alerts whose time has come (each in its own transaction; an alert
    another run is sending is skipped)."""
    now = now or timezone.now()
    sent = []
    for pk in Alert.objects.filter(status=Alert.Status.SCHEDULED, send_at__lte=now) \
            .values_list("pk", flat=True):
        with transaction.atomic():
            alert = (Alert.objects.select_for_update(skip_locked=True)
                     .filter(pk=pk, status=Alert.Status.SCHEDULED).first())
            if alert is not None:
                send_alert(alert, by=None)
                sent.append(pk)
    return sent


@transaction.atomic
def update_alert(alert: Alert, *, data: dict, zones=(), by) -> Alert:
    """Change a sent alert and send the change: the next version, to those who got it."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status != Alert.Status.SENT:
        raise ValidationError(_("Only a sent alert can be updated."), code="state")
    for name in EDITABLE:
        if name in data:
            setattr(alert, name, data[name])
    zone_ids = [z.pk for z in zones] if alert.target == Alert.Target.ZONES else []
    _check_text(alert)
    _resolve(alert, zone_ids)
    alert.version += 1
    _record(alert, "update", by, timezone.now())
    alert.save()
    alert.zones.set(zone_ids)
    _enqueue(alert)
    return alert


@transaction.atomic
def cancel_alert(alert: Alert, *, by) -> Alert:
    """Cancel an alert. A sent one: the next version, a cancellation to those who got it; a
    draft or scheduled one is only withdrawn (nobody got it)."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status == Alert.Status.CANCELLED:
        raise ValidationError(_("This alert is already cancelled."), code="state")
    was_sent = alert.status == Alert.Status.SENT
    now = timezone.now()
    alert.status, alert.cancelled_at, alert.send_at = Alert.Status.CANCELLED, now, None
    if was_sent:
        alert.version += 1
        _record(alert, "cancel", by, now)
    alert.save()
    if was_sent:
        _enqueue(alert)
    return alert
