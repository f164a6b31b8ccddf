"""Named reads of the alerts app: who an alert reaches, and what became of its messages.

`properties_reached` and `subscribers_reached` here are a minimal version written for the
delivery side (branch alerts-delivery) while the staff side is built elsewhere: at the merge,
the staff side's `properties_reached` (the property's parcel, else its address point,
intersects alert.area) is the authority and these two keep only their names and signatures."""
from django.db.models import Count, Q

from properties.models import Property

from .models import Alert, Channel, Delivery, Subscriber, Subscription

# Channels that have a sender (alerts.channels); push comes later.
SENDING_CHANNELS = (Channel.EMAIL, Channel.SMS)


def properties_reached(alert: Alert):
    """Properties whose parcel, else address point, intersects the alert's area."""
    if alert.area is None:
        return Property.objects.none()
    return Property.objects.filter(
        Q(parcel__isnull=False, parcel__intersects=alert.area)
        | Q(parcel__isnull=True, address_point__intersects=alert.area))


def subscriptions_reached(alert: Alert):
    """Subscriptions of confirmed subscribers on a reached property, for the alert's topic
    (a subscription without topics takes every topic)."""
    return (Subscription.objects
            .filter(property__in=properties_reached(alert).values("pk"),
                    subscriber__confirmed_at__isnull=False)
            .filter(Q(topics=None) | Q(topics=alert.topic_id)))


def subscribers_reached(alert: Alert):
    """Subscribers with a Subscription on a reached property whose topics are empty or include
    the alert's topic (confirmed ones only: nothing is sent before the link is followed)."""
    return Subscriber.objects.filter(
        pk__in=subscriptions_reached(alert).values("subscriber_id")).distinct()


def channel_ready(subscriber: Subscriber, channel: str) -> bool:
    """Whether `subscriber` can receive on `channel`: an address, a confirmed number."""
    if channel == Channel.EMAIL:
        return bool(subscriber.email or (subscriber.user_id and subscriber.user.email))
    if channel == Channel.SMS:
        return bool(subscriber.phone and (subscriber.phone_confirmed_at
                                          or (not subscriber.user_id
                                              and subscriber.confirmed_at)))
    return False


def delivery_summary(alert: Alert, version: int | None = None) -> dict:
    """Counts of the alert's messages (all versions, or one): queued, sent, delivered, failed,
    bounced, and their total; per channel too. For the staff's alert page."""
    rows = Delivery.objects.filter(alert=alert)
    if version is not None:
        rows = rows.filter(alert_version=version)
    statuses = [s for s, _ in Delivery.Status.choices]
    totals = {status: 0 for status in statuses}
    per_channel = {}
    for row in rows.values("channel", "status").annotate(n=Count("pk")).order_by():
        totals[row["status"]] += row["n"]
        per_channel.setdefault(row["channel"], {s: 0 for s in statuses})[row["status"]] = row["n"]
    totals["total"] = sum(totals[s] for s in statuses)
    for counts in per_channel.values():
        counts["total"] = sum(counts[s] for s in statuses)
    labels = dict(Channel.choices)
    return {**totals, "channels": [{"channel": channel, "label": labels.get(channel, channel),
                                    **counts} for channel, counts in sorted(per_channel.items())]}


def address_of_property(prop) -> str:
    """The property's first civic address (prefetch `addresses`), else its matricule."""
    first = next(iter(prop.addresses.all()), None)
    return first.label if first else prop.matricule


def export_subscriber(user) -> dict | None:
    """The citizen's part of the alerts (core.personal_data): preferences, subscriptions and
    the messages sent to them."""
    from core.personal_data import json_value

    subscriber = Subscriber.objects.filter(user=user).first()
    if subscriber is None:
        return None
    return {
        "phone": subscriber.phone, "language": subscriber.language,
        "phone_confirmed_at": json_value(subscriber.phone_confirmed_at),
        "quiet_from": json_value(subscriber.quiet_from),
        "quiet_to": json_value(subscriber.quiet_to), "digest": subscriber.digest,
        "subscriptions": [
            {"property": s.property.matricule, "address": address_of_property(s.property),
             "topics": [t.code for t in s.topics.all()], "channels": list(s.channels)}
            for s in subscriber.subscriptions.select_related("property")
            .prefetch_related("topics", "property__addresses")],
        "messages": [
            {"channel": d.channel, "alert": d.alert.title if d.alert_id else None,
             "reminder": d.kind or None, "status": d.status, "sent_at": json_value(d.sent_at)}
            for d in subscriber.deliveries.select_related("alert").order_by("pk")],
    }
