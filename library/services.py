"""Writes and live calls of the library app: linking a card (its PIN checked by the library's
system, throttled), reading a card's record, renewing, removing a card, erasing a person's
cards. Keyword-only; the PIN goes through, never into the database."""
import hashlib
import hmac
import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from . import resilience
from .connectors.base import IlsUnavailable, PatronRecord, RenewResult
from .models import CardAttempt, LibraryCard

ACCOUNT_FAILURES_PER_HOUR = 5
CARD_FAILURES_PER_HOUR = 5  # from several accounts too: the card's holder is protected
THROTTLE_WINDOW = timedelta(hours=1)

logger = logging.getLogger(__name__)


class PinRejected(Exception):
    """The library's system no longer accepts the PIN kept for this card (changed since)."""


def normalize_barcode(text: str) -> str:
    """The number as printed, without spaces or dashes."""
    return "".join(c for c in (text or "") if c.isalnum()).upper()


def card_hash(barcode: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), b"library-card:" + barcode.encode(),
                    hashlib.sha256).hexdigest()


def unavailable_error() -> ValidationError:
    return ValidationError(_("The library's system does not answer. Please try again later."),
                           code="unavailable")


def _invalid_error() -> ValidationError:
    # One message for an unknown card and a wrong PIN: the form must not tell which cards exist.
    return ValidationError(_("This card number and PIN do not match. Check both, or ask the "
                             "library for a new PIN."), code="invalid")


def _throttle_error(retry_at) -> ValidationError:
    return ValidationError(
        _("Too many attempts. For your security, try again after %(time)s."), code="throttled",
        params={"time": formats.time_format(timezone.localtime(retry_at), "TIME_FORMAT")})


def _failures(**filters) -> list:
    since = timezone.now() - THROTTLE_WINDOW
    return list(CardAttempt.objects.filter(succeeded=False, at__gte=since, **filters)
                .order_by("-at").values_list("at", flat=True)[:max(ACCOUNT_FAILURES_PER_HOUR,
                                                                   CARD_FAILURES_PER_HOUR)])


def _check(*, user, barcode: str, pin: str) -> tuple[PatronRecord | None, ValidationError | None]:
    """Within the caller's transaction: the attempts of one account, and of one card, one at a
    time (a lock on the account's row and an advisory lock on the card), so that parallel
    requests cannot all pass the count."""
    digest = card_hash(barcode)
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(digest[:15], 16)])
    for failures, limit in ((_failures(user=user), ACCOUNT_FAILURES_PER_HOUR),
                            (_failures(card_hash=digest), CARD_FAILURES_PER_HOUR)):
        if len(failures) >= limit:
            return None, _throttle_error(failures[limit - 1] + THROTTLE_WINDOW)
    try:
        record = resilience.call("patron_info", barcode, pin)
    except IlsUnavailable:
        return None, unavailable_error()  # not counted: the citizen guessed nothing
    ok = record.valid and record.pin_ok
    CardAttempt.objects.create(user=user, card_hash=digest, succeeded=ok)
    if not ok:
        if len(_failures(card_hash=digest)) == CARD_FAILURES_PER_HOUR:
            logger.warning("Library card …%s: %d wrong PINs within an hour through the portal",
                           barcode[-4:], CARD_FAILURES_PER_HOUR)
        return None, _invalid_error()
    return record, None


def _checked(*, user, barcode: str, pin: str) -> PatronRecord:
    with transaction.atomic():
        record, error = _check(user=user, barcode=barcode, pin=pin)
    # Raised after the commit, so that the failed attempt stays recorded for the throttle.
    if error is not None:
        raise error
    return record


def link_card(*, user, barcode: str, pin: str, member=None) -> tuple[LibraryCard, PatronRecord]:
    """Link the card `barcode` to `user` (for `member` of their household, or themself) once
    the library's system says the PIN is right. Returns the card and its record (cached)."""
    barcode = normalize_barcode(barcode)
    if not barcode or not pin:
        raise ValidationError(_("Enter the card's number and its PIN."), code="required")
    if member is not None and member.user_id != user.pk:
        raise ValidationError(_("Choose a member of your household."), code="not_household")
    if LibraryCard.objects.filter(user=user, barcode=barcode).exists():
        raise ValidationError(_("This card is already linked to your account."),
                              code="already_linked")
    record = _checked(user=user, barcode=barcode, pin=pin)
    card = LibraryCard.objects.create(user=user, member=member, barcode=barcode,
                                      last_four=barcode[-4:])
    resilience.keep_record(card.pk, record)
    return card, record


def check_pin(*, card: LibraryCard, pin: str) -> PatronRecord:
    """The PIN typed for a linked card (the record page asks for it once per session): checked
    by the library's system and throttled like a link."""
    record = _checked(user=card.user, barcode=card.barcode, pin=pin)
    resilience.keep_record(card.pk, record)
    return record


def record(*, card: LibraryCard, pin: str) -> PatronRecord:
    """The card's record: from the short cache, else from the library's system (and then
    cached). IlsUnavailable when the system fails; PinRejected when it refuses the PIN."""
    found = resilience.cached_record(card.pk)
    if found is not None:
        return found
    fresh = resilience.call("patron_info", card.barcode, pin)
    if not (fresh.valid and fresh.pin_ok):
        raise PinRejected
    resilience.keep_record(card.pk, fresh)
    return fresh


def renew(*, card: LibraryCard, pin: str, item_ids: list[str]) -> list[RenewResult]:
    """Renew these loans of the card (one, or all). The record is read again afterwards, to
    show the new due dates. IlsUnavailable when the system fails."""
    try:
        return resilience.call("renew_many", card.barcode, pin, item_ids)
    finally:
        resilience.forget_record(card.pk)


@transaction.atomic
def unlink_card(*, card: LibraryCard) -> None:
    resilience.forget_record(card.pk)
    card.delete()


def erase_cards(user) -> None:
    """Account deletion: the card links go (the library keeps its own records)."""
    for card_id in LibraryCard.objects.filter(user=user).values_list("pk", flat=True):
        resilience.forget_record(card_id)
    LibraryCard.objects.filter(user=user).delete()
