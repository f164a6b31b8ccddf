"""Writes of alerts (keyword-only, one transaction each): a draft saved with its target
resolved into `area`, then sent now or scheduled, updated, cancelled. Sending, an update and a
cancellation each record a version in `history` and enqueue, once the transaction commits, the
delivery's `fan_out(alert_id, version)` (an update or a cancellation reaches exactly those who
got the alert: the delivery's business).

Writes of the alerts app's subscription side (keyword-only, one transaction each): a
citizen's subscriptions and preferences, the double opt-in of a subscription without an account,
one-click unsubscribe, and the erasure of a citizen's part."""
import binascii
import datetime as dt
import hmac
import ipaddress
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from citizens.selectors import profile_of

from . import selectors
from .models import Alert, Delivery, PushEndpoint, Subscriber, Subscription, Topic
from .targeting import resolve_area
from .vapid import unb64url

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


def _apply(alert, data: dict, zones) -> list[int]:
    """The form's values on `alert`, its text checked and its target resolved; the ids of the
    zones to set once it is saved."""
    for name in EDITABLE:
        if name in data:
            setattr(alert, name, data[name])
    zone_ids = [z.pk for z in zones] if alert.target == Alert.Target.ZONES else []
    _check_text(alert)
    _resolve(alert, zone_ids)
    return zone_ids


@transaction.atomic
def save_alert(*, alert: Alert | None = None, data: dict, zones=(), by) -> Alert:
    """Create or change a draft or scheduled alert: its text, period and target, the target
    resolved into `area` (ValidationError with a clear message when it cannot be). A sent alert
    is changed by update_alert."""
    alert = alert or Alert(created_by=by)
    if alert.status in (Alert.Status.SENT, Alert.Status.CANCELLED):
        raise ValidationError(_("This alert is sent: send an update instead."), code="sent")
    zone_ids = _apply(alert, data, zones)
    alert.save()
    alert.zones.set(zone_ids)
    return alert


# The topic a watering ban is announced under (data/pincourt/alert-topics.json); any active
# topic when a town has not loaded it.
WATERING_TOPIC = "penurie-eau"


@transaction.atomic
def draft_from_watering_ban(ban, *, by) -> Alert:
    """A watering ban of the schedules module announced in one step: a draft alert with the
    ban's titles, period and area (the whole territory when the ban has none), for the clerk to
    preview and send."""
    from django.utils import translation

    topic = (Topic.objects.filter(code=WATERING_TOPIC, active=True).first()
             or Topic.objects.filter(active=True).first())
    if topic is None:
        raise ValidationError(_("Load the alert topics first (manage.py load_alert_topics)."),
                              code="no_topic")
    texts = {}
    for language in ("fr", "en"):
        with translation.override(language):
            texts[language] = _("Watering is not allowed from %(start)s to %(end)s in the area "
                                "shown, whatever the usual schedule.") % {
                "start": formats.date_format(timezone.localtime(ban.starts_at),
                                             "DATETIME_FORMAT"),
                "end": formats.date_format(timezone.localtime(ban.ends_at), "DATETIME_FORMAT")}
    data = {"topic": topic, "severity": Alert.Severity.MODERATE,
            "title_fr": ban.title_fr, "title_en": ban.title_en,
            "body_fr": texts["fr"], "body_en": texts["en"],
            "starts_at": ban.starts_at, "ends_at": ban.ends_at,
            "target": Alert.Target.POLYGON if ban.area else Alert.Target.TERRITORY,
            "drawn": ban.area}
    return save_alert(data=data, by=by)


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
    zone_ids = _apply(alert, data, zones)
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


CONFIRM_SALT = "alerts.confirm"
CONFIRM_MAX_AGE_S = 2 * 24 * 3600  # a confirmation link works for two days


def subscriber_for(user) -> Subscriber:
    """The account's subscriber, created on first use (its e-mail was confirmed at sign-up)."""
    subscriber, _created = Subscriber.objects.get_or_create(
        user=user, defaults={"confirmed_at": timezone.now(),
                             "language": profile_of(user).language})
    return subscriber


def first_channel(subscriber: Subscriber) -> str:
    """The channel a new subscription offers first: the one the citizen's profile prefers
    (text messages once their number is confirmed here), else e-mail."""
    if (subscriber.user_id and profile_of(subscriber.user).channel == "sms"
            and subscriber.phone and subscriber.phone_confirmed_at):
        return "sms"
    return "email"


@transaction.atomic
def save_subscription(*, subscriber: Subscriber, property_id: int, topics, channels: list[str]
                      ) -> Subscription:
    subscription, _created = Subscription.objects.update_or_create(
        subscriber=subscriber, property_id=property_id, defaults={"channels": list(channels)})
    subscription.topics.set(topics)
    return subscription


@transaction.atomic
def remove_subscription(*, subscription: Subscription) -> None:
    subscription.delete()


@transaction.atomic
def save_preferences(*, subscriber: Subscriber, phone: str, language: str, quiet_from,
                     quiet_to, digest: bool) -> bool:
    """Returns True when the phone number changed (a confirmation link is to be sent to it)."""
    changed = phone != subscriber.phone
    subscriber.phone = phone
    if changed:
        subscriber.phone_confirmed_at = None
    subscriber.language = language
    subscriber.quiet_from, subscriber.quiet_to = quiet_from, quiet_to
    subscriber.digest = digest
    subscriber.save()
    return changed and bool(phone)


def confirmation_token(subscriber: Subscriber, what: str) -> str:
    """A signed, expiring token confirming `what` ("email" or "phone") of `subscriber` as it is
    now (a changed address or number makes the old link useless)."""
    value = subscriber.email if what == "email" else subscriber.phone
    return signing.dumps({"s": subscriber.pk, "w": what, "v": value}, salt=CONFIRM_SALT,
                         compress=True)


def read_confirmation(token: str) -> tuple[Subscriber, str]:
    """The subscriber and what the token confirms; ValidationError when it is forged, expired
    or no longer matches."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE_S)
    except signing.SignatureExpired as error:
        raise ValidationError(_("This link has expired. Subscribe again to get a new one."),
                              code="expired") from error
    except signing.BadSignature as error:
        raise ValidationError(_("This link is not valid."), code="invalid") from error
    subscriber = Subscriber.objects.filter(pk=data.get("s")).first()
    what = data.get("w")
    current = subscriber and (subscriber.email if what == "email" else subscriber.phone)
    if not subscriber or not current or current != data.get("v"):
        raise ValidationError(_("This link is not valid."), code="invalid")
    return subscriber, what


@transaction.atomic
def subscribe_without_account(*, property_id: int, email: str, phone: str, topics,
                              language: str) -> Subscriber:
    """A new unconfirmed subscriber: nothing is sent to it but the confirmation link."""
    subscriber = Subscriber.objects.create(email=email, phone=phone, language=language)
    save_subscription(subscriber=subscriber, property_id=property_id, topics=topics,
                      channels=["email"] if email else ["sms"])
    return subscriber


@transaction.atomic
def confirm(*, subscriber: Subscriber, what: str) -> Subscriber:
    """Confirms an address or number. Without an account, a subscriber already confirmed with
    the same address or number takes the new subscriptions (one person, one subscriber)."""
    now = timezone.now()
    if subscriber.user_id:
        if what == "phone" and not subscriber.phone_confirmed_at:
            subscriber.phone_confirmed_at = now
            subscriber.save(update_fields=["phone_confirmed_at"])
        return subscriber
    if subscriber.confirmed_at:
        return subscriber
    contact = {"email": subscriber.email} if what == "email" else {"phone": subscriber.phone}
    existing = (Subscriber.objects.select_for_update()
                .filter(user=None, confirmed_at__isnull=False, **contact)
                .exclude(pk=subscriber.pk).first())
    if existing is None:
        subscriber.confirmed_at = now
        if what == "phone":
            subscriber.phone_confirmed_at = now
        subscriber.save(update_fields=["confirmed_at", "phone_confirmed_at"])
        return subscriber
    for subscription in subscriber.subscriptions.prefetch_related("topics"):
        save_subscription(subscriber=existing, property_id=subscription.property_id,
                          topics=list(subscription.topics.all()),
                          channels=sorted(set(subscription.channels)))
    subscriber.delete()
    return existing


@transaction.atomic
def unsubscribe(*, subscriber: Subscriber) -> None:
    """One-click unsubscribe: every subscription goes, and the messages still waiting are not
    sent. Without an account, the address or number is forgotten too."""
    subscriber.subscriptions.all().delete()
    Delivery.objects.filter(subscriber=subscriber, status=Delivery.Status.QUEUED,
                            claim__isnull=True).update(status=Delivery.Status.FAILED,
                                                       error="unsubscribed")
    if not subscriber.user_id and (subscriber.email or subscriber.phone):
        subscriber.email = subscriber.phone = ""
        subscriber.save(update_fields=["email", "phone"])


# Browsers a citizen turns on for notifications (Web Push subscriptions).
MAX_BROWSERS = 10
MAX_ENDPOINT = PushEndpoint._meta.get_field("endpoint").max_length
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _bad_keys() -> ValidationError:
    return ValidationError(_("This browser's subscription is not valid: its keys are "
                             "malformed."), code="keys")


def _b64url(value, size: int) -> bytes:
    """The bytes of a base64url key of `size` bytes; ValidationError otherwise."""
    invalid = _bad_keys()
    if not isinstance(value, str) or len(value) > 200:
        raise invalid
    try:
        raw = unb64url(value)
    except (binascii.Error, ValueError) as error:
        raise invalid from error
    if len(raw) != size:
        raise invalid
    return raw


def _ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def known_push_service(host: str) -> bool:
    """Whether `host` is one of settings.GUICHET_PUSH_SERVICES or under one of them."""
    host = host.lower().rstrip(".")
    return any(host == known or host.endswith("." + known)
               for known in settings.GUICHET_PUSH_SERVICES)


def check_push_subscription(endpoint, p256dh, auth) -> tuple[str, str, str]:
    """A browser's PushSubscription checked: an https address of a known push service
    (GUICHET_PUSH_SERVICES; http on this machine only with DEBUG or GUICHET_PUSH_ALLOW_LOOPBACK,
    for a local push service), no longer than the column,
    no credentials in it; p256dh a P-256 public point (65 bytes, uncompressed), auth 16 bytes.
    Returns the three values to store; ValidationError with the citizen's message otherwise."""
    bad_address = ValidationError(_("This browser's subscription is not valid: its address is "
                                    "not a push service's secure (https) address."),
                                  code="endpoint")
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > MAX_ENDPOINT:
        raise bad_address
    try:
        parts = urlsplit(endpoint)
        host, _port = parts.hostname, parts.port
    except ValueError as error:
        raise bad_address from error
    loopback_ok = settings.DEBUG or settings.GUICHET_PUSH_ALLOW_LOOPBACK
    if not host or parts.username is not None or parts.password is not None \
            or any(c.isspace() for c in endpoint):
        raise bad_address
    if host in LOOPBACK:
        if not (loopback_ok and parts.scheme in ("http", "https")):
            raise bad_address
    elif parts.scheme != "https" or "." not in host or _ip_literal(host):
        raise bad_address  # push services have names; an address or a bare name is no such
    elif not known_push_service(host):
        raise ValidationError(_("This browser's push service is not one this site sends to."),
                              code="service")
    point = _b64url(p256dh, 65)
    _b64url(auth, 16)
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError as error:
        raise _bad_keys() from error
    return endpoint, p256dh.rstrip("="), auth.rstrip("=")


@transaction.atomic
def save_push_endpoint(*, subscriber: Subscriber, endpoint, p256dh, auth) -> PushEndpoint:
    """A browser turned on for the subscriber's notifications (or its keys renewed), at most
    MAX_BROWSERS each. One browser, one citizen: an endpoint another citizen had turned on (the
    same browser, shared) moves to the one who turned it on last."""
    endpoint, p256dh, auth = check_push_subscription(endpoint, p256dh, auth)
    Subscriber.objects.select_for_update().filter(pk=subscriber.pk).first()  # one at a time
    others = subscriber.push_endpoints.exclude(endpoint=endpoint).count()
    if others >= MAX_BROWSERS:
        raise ValidationError(_("You already receive notifications in %(max)d browsers: "
                                "remove one first.") % {"max": MAX_BROWSERS}, code="too_many")
    browser, _created = PushEndpoint.objects.update_or_create(
        endpoint=endpoint, defaults={"subscriber": subscriber, "p256dh": p256dh, "auth": auth})
    return browser


@transaction.atomic
def renew_push_endpoint(*, old_endpoint, old_auth, endpoint, p256dh, auth
                        ) -> PushEndpoint | None:
    """The browser's push service renewed its subscription (the service worker's
    pushsubscriptionchange): the browser proves it held the old one by its secret (keys.auth,
    16 random bytes only the browser and the city know), and the row takes the new address and
    keys, for the same citizen. None when no browser holds that old subscription."""
    endpoint, p256dh, auth = check_push_subscription(endpoint, p256dh, auth)
    browser = (PushEndpoint.objects.select_for_update()
               .filter(endpoint=str(old_endpoint or "")[:2000]).first())
    if browser is None or not hmac.compare_digest(browser.auth.encode(),
                                                  str(old_auth or "").encode()):
        return None
    PushEndpoint.objects.filter(endpoint=endpoint).exclude(pk=browser.pk).delete()
    browser.endpoint, browser.p256dh, browser.auth = endpoint, p256dh, auth
    browser.save(update_fields=["endpoint", "p256dh", "auth"])
    return browser


@transaction.atomic
def remove_push_endpoint(*, browser: PushEndpoint) -> None:
    browser.delete()


def erase_subscriber(user) -> None:
    """Account deletion: the subscriber goes with its subscriptions and its messages' log."""
    Subscriber.objects.filter(user=user).delete()
