"""Writes of the alerts app's subscription side (keyword-only, one transaction each): a
citizen's subscriptions and preferences, the double opt-in of a subscription without an account,
one-click unsubscribe, and the erasure of a citizen's part."""
import re

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Delivery, Subscriber, Subscription

CONFIRM_SALT = "alerts.confirm"
CONFIRM_MAX_AGE_S = 2 * 24 * 3600  # a confirmation link works for two days
E164 = re.compile(r"^\+[1-9]\d{7,14}$")


def normalize_phone(value: str) -> str:
    """A mobile number in E.164 (+15145551234); a 10-digit North American number gets +1.
    Raises ValidationError otherwise."""
    raw = (value or "").strip()
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+"):
        number = "+" + digits
    elif len(digits) == 10:
        number = "+1" + digits
    elif len(digits) == 11 and digits.startswith("1"):
        number = "+" + digits
    else:
        number = raw
    if not E164.match(number) or re.search(r"[^\d\s()+.\-]", raw):
        raise ValidationError(_("Enter a mobile number in international format, e.g. "
                                "+1 514 555 0123."), code="phone")
    return number


def subscriber_for(user) -> Subscriber:
    """The account's subscriber, created on first use (its e-mail was confirmed at sign-up)."""
    subscriber, _created = Subscriber.objects.get_or_create(
        user=user, defaults={"confirmed_at": timezone.now()})
    return subscriber


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


def erase_subscriber(user) -> None:
    """Account deletion: the subscriber goes with its subscriptions and its messages' log."""
    Subscriber.objects.filter(user=user).delete()
