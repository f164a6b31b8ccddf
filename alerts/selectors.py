"""Named reads of alerts: the properties and the subscribed people an alert (or an area)
reaches, their list for staff, and the alerts current for the public pages.

A property is reached when its parcel intersects the area, or, for a property with no parcel,
its address point does: one statement, on the GiST indexes of parcel and address_point (a
BitmapOr of the two index scans)."""
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.db import connection
from django.db.models import Count, Func, Q, Value
from django.utils import timezone

from properties.models import CivicAddress, Property

from .models import Alert, Channel, Delivery, Subscriber, Subscription

LIST_ROWS = 200  # addresses shown on the preview page (the CSV has them all)


def push_configured() -> bool:
    """Whether browser notifications are on: both VAPID keys set (read at each call, so a
    test or a reloaded setting takes effect without a restart)."""
    return bool(settings.GUICHET_VAPID_PUBLIC_KEY and settings.GUICHET_VAPID_PRIVATE_KEY)


def sending_channels() -> tuple[str, ...]:
    """The channels messages are written for (each has a sender in alerts.channels): e-mail
    and text messages, and browser notifications when the VAPID keys are set."""
    if push_configured():
        return (Channel.EMAIL, Channel.SMS, Channel.PUSH)
    return (Channel.EMAIL, Channel.SMS)


def _area(alert_or_area):
    return alert_or_area.area if isinstance(alert_or_area, Alert) else alert_or_area


def reached_q(area) -> Q:
    return (Q(parcel__intersects=area)
            | Q(parcel__isnull=True, address_point__intersects=area))


def properties_reached(alert_or_area):
    """The properties (still on the roll) whose parcel, else address point, intersects the
    alert's area. An alert with no area reaches nothing."""
    area = _area(alert_or_area)
    if area is None:
        return Property.objects.none()
    return Property.objects.filter(retired_roll_year=None).filter(reached_q(area))


# Who may be written to: an active account, or an address or number confirmed by its link.
_WRITABLE = (Q(subscriber__user__isnull=False, subscriber__user__is_active=True)
             | Q(subscriber__user__isnull=True, subscriber__confirmed_at__isnull=False))


def subscriptions_reached(alert):
    """Subscriptions of subscribers who may be written to, on a reached property, whose topics
    are none (every topic) or include the alert's topic: what the fan-out reads."""
    return (Subscription.objects
            .filter(property__in=properties_reached(alert).values("pk"))
            .filter(_WRITABLE)
            .filter(Q(topics=None) | Q(topics=alert.topic_id)))


def subscribers_reached(alert):
    """The subscribers of subscriptions_reached, once each: what the preview counts."""
    return Subscriber.objects.filter(
        pk__in=subscriptions_reached(alert).values("subscriber_id"))


# The list for staff: matricule, first civic address (street, number), one statement; the
# area is passed twice (one parameter per index scan of the BitmapOr).
_ROWS_SQL = f"""
SELECT p.id, p.matricule, a.label, a.street_name, a.civic_int
FROM {Property._meta.db_table} p
LEFT JOIN LATERAL (
    SELECT c.label, c.street_name, c.civic_int FROM {CivicAddress._meta.db_table} c
    WHERE c.property_id = p.id ORDER BY c.id LIMIT 1) a ON TRUE
WHERE p.retired_roll_year IS NULL
  AND (ST_Intersects(p.parcel, %(area)s::geometry)
       OR (p.parcel IS NULL AND ST_Intersects(p.address_point, %(area)s::geometry)))
ORDER BY a.street_name NULLS LAST, a.civic_int NULLS LAST, a.label, p.matricule
"""


def reached_rows(alert_or_area, limit: int | None = None):
    """[(property id, matricule, address label)] of the reached properties, by street and civic
    number."""
    area = _area(alert_or_area)
    if area is None:
        return []
    sql = _ROWS_SQL + (" LIMIT %(limit)s" if limit else "")
    with connection.cursor() as cursor:
        cursor.execute(sql, {"area": area.hexewkb.decode(), "limit": limit})
        return [(pk, matricule, label or "") for pk, matricule, label, *_ in cursor.fetchall()]


def reach(alert):
    """What the preview shows: properties and subscribers reached, the first rows."""
    return {"properties": properties_reached(alert).count(),
            "subscribers": subscribers_reached(alert).count() if alert.pk else 0,
            "rows": reached_rows(alert, limit=LIST_ROWS)}


def current_q(now=None) -> Q:
    now = now or timezone.now()
    return (Q(status=Alert.Status.SENT, starts_at__lte=now)
            & (Q(ends_at__isnull=True) | Q(ends_at__gt=now)))


def current_alerts(now=None):
    """Sent, started, not ended, not cancelled: the home page's list (no geometry read)."""
    return (Alert.objects.filter(current_q(now)).select_related("topic")
            .defer("area", "drawn").order_by("-starts_at", "-pk"))


def current_alerts_for(prop, now=None):
    """The current alerts whose area reaches this property (its parcel, else its address
    point): one statement on the alerts' status index and the GiST index of their area."""
    location = prop.parcel or prop.address_point
    if location is None:
        return Alert.objects.none()
    return current_alerts(now).filter(area__intersects=location)


def current_alert_ids_reaching(property_id: int, among: list[int]) -> set[int]:
    """Which alerts of `among` are current and reach the property (its parcel, else its address
    point): the property page's check, one statement on primary keys and the areas' GiST index.
    Plain SQL, as the geometry stays in the database: the ORM's lookup would send the parcel
    there and back (2 ms against 0.25 ms, measured)."""
    if not among:
        return set()
    with connection.cursor() as cur:
        cur.execute("""
            SELECT a.id FROM alerts_alert a
            JOIN properties_property p ON p.id = %s
            WHERE a.id = ANY(%s) AND a.status = %s AND a.starts_at <= now()
              AND (a.ends_at IS NULL OR a.ends_at > now())
              AND ST_Intersects(a.area, coalesce(p.parcel, p.address_point))""",
                    [property_id, list(among), Alert.Status.SENT])
        return {row[0] for row in cur.fetchall()}


def published_alerts():
    """Every alert the public has seen (sent or since cancelled), latest first."""
    return (Alert.objects.filter(status__in=[Alert.Status.SENT, Alert.Status.CANCELLED])
            .select_related("topic").order_by("-sent_at", "-pk"))


def alerts_covering(point):
    """Published alerts whose area covers a point or a property's location."""
    return published_alerts().filter(area__intersects=point)


def with_wgs84_area(queryset, precision=6):
    """The alerts annotated with `geojson`, their area in WGS 84 (simplified to 2 m)."""
    return queryset.annotate(geojson=AsGeoJSON(
        Transform(_Simplified("area", Value(2.0)), 4326), precision=precision))


class _Simplified(Func):
    function = "ST_SimplifyPreserveTopology"
    output_field = GeometryField(srid=settings.GUICHET_SRID)


def channel_ready(subscriber: Subscriber, channel: str) -> bool:
    """Whether `subscriber` can receive on `channel`: an address, a confirmed number."""
    if channel == Channel.EMAIL:
        return bool(subscriber.email or (subscriber.user_id and subscriber.user.email))
    if channel == Channel.SMS:
        return bool(subscriber.phone and (subscriber.phone_confirmed_at
                                          or (not subscriber.user_id
                                              and subscriber.confirmed_at)))
    if channel == Channel.PUSH:
        return push_configured() and subscriber.push_endpoints.exists()
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
        "browsers": [{"push_service": urlsplit(e.endpoint).hostname,
                      "created_at": json_value(e.created_at)}
                     for e in subscriber.push_endpoints.order_by("pk")],
    }
