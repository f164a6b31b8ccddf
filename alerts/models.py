"""Alerts, subscriptions and deliveries.

- An **Alert** is what the city says (French and English), on a **Topic**, with a severity, a
  period and a **target**: the whole territory, a polygon drawn or imported, collection zones, a
  buffer around a point or a line, or streets. Whatever the kind, the target is resolved once
  into `area` (a multipolygon in the storage CRS), which every read uses: which properties it
  reaches (their parcel, else their address point, intersects it), what the map shows, the CAP
  feed's polygon. The kind and its inputs are kept to show and edit the alert.
- A **Subscriber** is a person the city may write to: an account, or an e-mail address or phone
  number confirmed by a link (double opt-in). A **Subscription** says for which property (theirs
  or not: a parent's house), which topics (none: all) and on which channels.
- A **Delivery** is one message to one subscriber on one channel: an alert, or a reminder keyed
  by (subscriber, kind, subject, date). Unique constraints make "exactly once" a database fact.
"""
import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.utils.translation import gettext_lazy as _

from core.bilingual import localized

SRID = settings.GUICHET_SRID


class Topic(models.Model):
    """What an alert is about (boil-water notice, street closure, snow removal...): data."""

    code = models.SlugField(unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    # Emergencies are sent at once, whatever a subscriber's quiet hours or digest choice.
    emergency = models.BooleanField(_("emergency"), default=False)
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=100)
    # CAP 1.2 <category> of the topic's alerts (Health, Infra, Transport, Safety, Env, Other...)
    cap_category = models.CharField(_("CAP category"), max_length=20, default="Other")

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.name

    @property
    def name(self):
        return localized(self, "name")

    @property
    def description(self):
        return localized(self, "description")


class Alert(models.Model):
    class Severity(models.TextChoices):  # CAP 1.2 <severity>: Minor, Moderate, Severe, Extreme
        MINOR = "minor", _("information")
        MODERATE = "moderate", _("advisory")
        SEVERE = "severe", _("warning")
        EXTREME = "extreme", _("emergency")

    class Target(models.TextChoices):
        TERRITORY = "territory", _("the whole territory")
        POLYGON = "polygon", _("an area drawn or imported")
        ZONES = "zones", _("collection zones")
        BUFFER = "buffer", _("around a point or a line")
        STREETS = "streets", _("streets")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SCHEDULED = "scheduled", _("scheduled")
        SENT = "sent", _("sent")
        CANCELLED = "cancelled", _("cancelled")

    identifier = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # CAP
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="alerts",
                              verbose_name=_("topic"))
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body_fr = models.TextField(_("text (French)"), max_length=5000)
    body_en = models.TextField(_("text (English)"), max_length=5000, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices,
                                default=Severity.MODERATE)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    # The target: its kind and inputs, and the area they resolve to (selectors.resolve_area).
    target = models.CharField(_("target"), max_length=10, choices=Target.choices)
    zones = models.ManyToManyField("collections_schedule.Zone", blank=True, related_name="+",
                                   verbose_name=_("zones"))
    drawn = models.GeometryField(_("area drawn, point or line"), srid=SRID, null=True,
                                 blank=True)
    buffer_m = models.PositiveIntegerField(_("distance (m)"), null=True, blank=True)
    streets = ArrayField(models.CharField(max_length=255), default=list, blank=True,
                         verbose_name=_("streets"))
    area = models.MultiPolygonField(_("area reached"), srid=SRID, null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT, db_index=True)
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # Bumped by each update sent after the first sending (CAP msgType Update references).
    version = models.PositiveIntegerField(default=1)
    # One entry per version sent: {"version", "kind" (alert, update, cancel), "sent_at" (ISO
    # 8601), "by" (user id)}: the CAP <references> of an update or a cancellation.
    history = models.JSONField(default=list, blank=True, editable=False)
    # The last version whose fan-out (one Delivery row per recipient) went to the end: below
    # `version` on a sent or cancelled alert, delivery.resume() runs the fan-out again.
    fanned_out_version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        indexes = [models.Index(fields=["status", "starts_at"], name="alert_status_start")]

    def __str__(self):
        return self.title

    @property
    def title(self):
        return localized(self, "title")

    @property
    def body(self):
        return localized(self, "body")


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("text message (SMS)")
    PUSH = "push", _("browser notification")


class Subscriber(models.Model):
    """Someone the city may write to: an account, or an address or number confirmed by a link."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.CASCADE, related_name="subscriber")
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)  # E.164
    # An account's number is confirmed by a link sent to it before any text message is sent.
    phone_confirmed_at = models.DateTimeField(_("phone confirmed at"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=5, default="fr")
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # unsubscribe
    quiet_from = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_to = models.TimeField(_("quiet hours to"), null=True, blank=True)
    digest = models.BooleanField(_("daily digest of minor alerts"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")

    def __str__(self):
        return self.email or self.phone or str(self.user)


class Subscription(models.Model):
    """Alerts of `topics` (none: every topic) about `property`, on `channels`."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE,
                                   related_name="subscriptions")
    property = models.ForeignKey("properties.Property", on_delete=models.CASCADE,
                                 related_name="alert_subscriptions")
    topics = models.ManyToManyField(Topic, blank=True, related_name="subscriptions")
    channels = ArrayField(models.CharField(max_length=10, choices=Channel.choices),
                          default=list, verbose_name=_("channels"))
    # Personal reminders wanted for this property (kinds of the reminders registry).
    reminders = ArrayField(models.CharField(max_length=40), default=list, blank=True,
                           verbose_name=_("reminders"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [models.UniqueConstraint(fields=["subscriber", "property"],
                                               name="one_subscription_per_property")]


class PushEndpoint(models.Model):
    """A browser's Web Push subscription (endpoint and keys); dropped when the push service
    answers 404 or 410."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE,
                                   related_name="push_endpoints")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)


class Delivery(models.Model):
    """One message to one subscriber on one channel, and what became of it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")
        BOUNCED = "bounced", _("bounced")

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE,
                                   related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="deliveries")
    alert_version = models.PositiveIntegerField(null=True, blank=True)
    # A reminder: its kind (registry), what it is about ("property:12", "request:40") and date.
    kind = models.CharField(max_length=40, blank=True)
    subject = models.CharField(max_length=100, blank=True)
    on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED,
                              db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # A sending task's claim on a queued row (delivery.py): its token and lease. A row is marked
    # sent only by the claim that holds it, and a lapsed claim (a killed worker) is taken over.
    claim = models.UUIDField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    # A minor alert kept for the subscriber's daily digest (Subscriber.digest): sent with the
    # other rows so kept, in one message, at the digest hour (delivery.py).
    in_digest = models.BooleanField(default=False, db_default=False)  # raw INSERTs too

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "channel", "alert", "alert_version"],
                                    condition=models.Q(alert__isnull=False),
                                    name="one_delivery_per_alert_version"),
            models.UniqueConstraint(fields=["subscriber", "channel", "kind", "subject", "on"],
                                    condition=models.Q(alert__isnull=True),
                                    name="one_reminder_per_day"),
        ]
        indexes = [models.Index(fields=["alert", "alert_version", "status"],
                                name="delivery_alert_status"),
                   models.Index(fields=["next_attempt_at"], name="delivery_queued_due",
                                condition=models.Q(status="queued"))]
