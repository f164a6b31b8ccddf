"""What the e-mail provider says after sending (django-anymail's tracking webhooks, when the
messages go through a provider's API: GUICHET_EMAIL_ESP): delivered, bounced or rejected, a spam
complaint or an unsubscription at the provider. Each event names the provider's message id,
which the e-mail channel kept as the row's provider_id.

- delivered: the row becomes "delivered" (from "sent");
- bounced, rejected, failed: "bounced", with the provider's reason (the staff's summary per
  alert counts them);
- complained, unsubscribed: the subscriber is unsubscribed (every subscription; no more mail).

Over SMTP there is no such report: bounces come back as mail to the sender's address.

The webhooks answer only when ANYMAIL names a WEBHOOK_SECRET (`guarded`): without it, anyone
could mark deliveries bounced or unsubscribe people."""
from anymail.signals import EventType
from django.conf import settings
from django.http import Http404

from .models import Channel, Delivery, Subscriber

FAILED = {EventType.BOUNCED, EventType.REJECTED, EventType.FAILED}
STOP = {EventType.COMPLAINED, EventType.UNSUBSCRIBED}


def record(sender, event, esp_name, **kwargs) -> None:
    """anymail.signals.tracking's receiver."""
    from .services import unsubscribe

    if not event.message_id:
        return
    rows = Delivery.objects.filter(channel=Channel.EMAIL, provider_id=str(event.message_id))
    if event.event_type == EventType.DELIVERED:
        rows.filter(status=Delivery.Status.SENT).update(status=Delivery.Status.DELIVERED)
    elif event.event_type in FAILED:
        reason = " ".join(str(part) for part in (
            esp_name, event.event_type, event.reject_reason or "", event.description or "")
            if part)
        rows.exclude(status=Delivery.Status.BOUNCED).update(
            status=Delivery.Status.BOUNCED, error=reason[:2000])
    elif event.event_type in STOP:
        for subscriber in Subscriber.objects.filter(deliveries__in=rows).distinct():
            unsubscribe(subscriber=subscriber)


def guarded(view):
    """`view` (an anymail webhook) as a 404 while no WEBHOOK_SECRET is set."""
    def webhook(request, *args, **kwargs):
        if not (getattr(settings, "ANYMAIL", None) or {}).get("WEBHOOK_SECRET"):
            raise Http404
        return view(request, *args, **kwargs)
    webhook.csrf_exempt = True
    return webhook
