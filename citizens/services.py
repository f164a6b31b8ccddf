"""Linking a citizen to a property, with proof: the access code printed on the tax bill, or a
clerk's approval at the desk. Writes are keyword-only functions, one transaction each."""
import logging
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from properties.models import Property

from .models import AccessCode, DisplayPreference, LinkAttempt, Profile, PropertyLink

# No 0/O, 1/I/L: the code is read off paper and typed by hand. 31**10 is about 8e14 codes, and
# the throttle below allows 10 guesses per property per hour.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
ACCOUNT_FAILURES_PER_HOUR = 5
PROPERTY_FAILURES_PER_HOUR = 10  # shown to staff (and logged) from this many, not refused
THROTTLE_WINDOW = timedelta(hours=1)

logger = logging.getLogger(__name__)

OPEN_STATUSES = (PropertyLink.Status.PENDING, PropertyLink.Status.VERIFIED)


class AccessCodeHasher(PBKDF2PasswordHasher):
    """PBKDF2 with fewer rounds than a password's (Django's 1,000,000 take 0.5 s here): a code
    is random (about 49 bits), not chosen by a person, and the city issues thousands at once
    (issue_access_codes). The stored form names its rounds, so it verifies like any PBKDF2."""

    iterations = 100_000


_HASHER = AccessCodeHasher()


def _hash_code(raw: str) -> str:
    return _HASHER.encode(raw, _HASHER.salt())


def _code_matches(raw: str, encoded: str) -> bool:
    return _HASHER.verify(raw, encoded)


def normalize_code(code: str) -> str:
    """What the citizen typed, as stored: upper case, no dash, no space."""
    return "".join(c for c in (code or "").upper() if c.isalnum())


def format_code(raw: str) -> str:
    """"ABCDE23456" -> "ABCDE-23456", as printed on the bill."""
    half = len(raw) // 2
    return f"{raw[:half]}-{raw[half:]}"


def find_property(matricule: str) -> Property | None:
    """The property of a full matricule typed with or without dashes or spaces."""
    digits = "".join(c for c in (matricule or "") if c.isdigit())
    if not digits:
        return None
    for prop in Property.objects.matching_identifier(digits):
        if "".join(c for c in prop.matricule if c.isdigit()) == digits:
            return prop
    return None


@transaction.atomic
def issue_access_code(*, property: Property, code: str | None = None) -> str:
    """A new code for the property, replacing (and so invalidating) any previous one. Only its
    hash is stored; the plain code is returned once, for the tax bill. `code` sets a chosen
    one (the demo's published code); otherwise it is drawn at random."""
    if code is None:
        raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    else:
        raw = normalize_code(code)
        if len(raw) != CODE_LENGTH or any(c not in ALPHABET for c in raw):
            raise ValueError(f"an access code is {CODE_LENGTH} characters of {ALPHABET}")
    AccessCode.objects.update_or_create(property=property,
                                        defaults={"code_hash": _hash_code(raw)})
    return format_code(raw)


def _invalid_error() -> ValidationError:
    # One message for an unknown matricule and a wrong code: the form must not tell which
    # matricules exist.
    return ValidationError(
        _("This matricule and access code do not match. Check both on your tax bill."),
        code="invalid")


def _retry_at(failures):
    """When the oldest failure that still counts leaves the window (`failures` newest first,
    already cut to the limit)."""
    return failures[len(failures) - 1] + THROTTLE_WINDOW


def _throttle_error(retry_at) -> ValidationError:
    return ValidationError(
        _("Too many attempts. For your security, try again after %(time)s."),
        code="throttled",
        params={"time": formats.time_format(timezone.localtime(retry_at), "TIME_FORMAT")})


def _recent_failures(limit, **filters):
    since = timezone.now() - THROTTLE_WINDOW
    return list(LinkAttempt.objects.filter(succeeded=False, at__gte=since, **filters)
                .order_by("-at").values_list("at", flat=True)[:limit])


def _open_link(user, prop):
    return (PropertyLink.objects.select_for_update()
            .filter(user=user, property=prop, status__in=OPEN_STATUSES).first())


def _check_role(role):
    if role not in PropertyLink.Role.values:
        raise ValidationError(_("Choose whether you are an owner or an occupant."),
                              code="invalid_role")


def _already_linked_error() -> ValidationError:
    return ValidationError(
        _("You already have a request or a link for this property."), code="already_linked")


def request_link(*, user, matricule: str, code: str, role: str) -> PropertyLink:
    """Link `user` to the property of `matricule` if `code` is its access code. Throttled per
    account and per property; every code checked is recorded. A pending clerk request of the
    same citizen for the property is verified by the right code rather than refused."""
    _check_role(role)
    with transaction.atomic():
        link, error = _check_code(user=user, matricule=matricule, code=code, role=role)
    # Raised after the commit, so that the failed attempt stays recorded for the throttle.
    if error is not None:
        raise error
    return link


def _check_code(*, user, matricule, code, role):
    # Serialize the attempts of one account (and below, of one property) so that parallel
    # requests cannot all pass the count.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    failures = _recent_failures(ACCOUNT_FAILURES_PER_HOUR, user=user)
    if len(failures) >= ACCOUNT_FAILURES_PER_HOUR:
        return None, _throttle_error(_retry_at(failures))
    prop, existing = find_property(matricule), None
    if prop is not None:
        # No limit per property: other accounts' failures must never lock the owner out (a
        # code is about 49 random bits; each account is limited above). Failures on one
        # property from several accounts are shown to staff instead (selectors.targeted).
        Property.objects.select_for_update().filter(pk=prop.pk).first()
        existing = _open_link(user, prop)
        if existing is not None and existing.status == PropertyLink.Status.VERIFIED:
            return None, _already_linked_error()
    access = AccessCode.objects.filter(property=prop).first() if prop is not None else None
    ok = access is not None and _code_matches(normalize_code(code), access.code_hash)
    LinkAttempt.objects.create(user=user, property=prop, succeeded=ok)
    if not ok:
        if prop is not None and len(_recent_failures(
                PROPERTY_FAILURES_PER_HOUR + 1, property=prop)) == PROPERTY_FAILURES_PER_HOUR:
            logger.warning("Access codes of property %s: %d failures within an hour (several "
                           "accounts may be guessing; see the staff's links page)",
                           prop.matricule, PROPERTY_FAILURES_PER_HOUR)
        return None, _invalid_error()
    now = timezone.now()
    link = existing or PropertyLink(user=user, property=prop)
    link.role = role
    link.status = PropertyLink.Status.VERIFIED
    link.method = PropertyLink.Method.CODE
    link.decided_at = now
    link.decided_by = None
    link.save()
    return link, None


@transaction.atomic
def request_clerk_approval(*, user, matricule: str, role: str) -> PropertyLink:
    """A pending link for a clerk to approve at the desk, for a citizen without the code. (The
    evaluation roll is public, so saying that a matricule is unknown reveals no secret.)"""
    _check_role(role)
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()  # one at a time
    prop = find_property(matricule)
    if prop is None:
        raise ValidationError(_("No property has this matricule. Copy it from your tax bill "
                                "or your evaluation notice."), code="unknown_matricule")
    if _open_link(user, prop) is not None:
        raise _already_linked_error()
    return PropertyLink.objects.create(user=user, property=prop, role=role,
                                       status=PropertyLink.Status.PENDING)


def _locked(link) -> PropertyLink:
    return PropertyLink.objects.select_for_update().get(pk=link.pk)


@transaction.atomic
def approve_link(*, link: PropertyLink, clerk) -> PropertyLink:
    link = _locked(link)
    if link.status != PropertyLink.Status.PENDING:
        raise ValidationError(_("Only a pending request can be approved or refused."),
                              code="not_pending")
    link.status = PropertyLink.Status.VERIFIED
    link.method = PropertyLink.Method.CLERK
    link.decided_at = timezone.now()
    link.decided_by = clerk
    link.save()
    return link


def _required_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason: the citizen will read it."),
                              code="reason_required")
    return reason


@transaction.atomic
def refuse_link(*, link: PropertyLink, clerk, reason: str) -> PropertyLink:
    reason = _required_reason(reason)
    link = _locked(link)
    if link.status != PropertyLink.Status.PENDING:
        raise ValidationError(_("Only a pending request can be approved or refused."),
                              code="not_pending")
    link.status = PropertyLink.Status.REFUSED
    link.decided_at = timezone.now()
    link.decided_by = clerk
    link.reason = reason
    link.save()
    return link


@transaction.atomic
def unlink(*, link: PropertyLink, by, reason: str = "") -> PropertyLink:
    """End a pending or verified link: the citizen themselves (no reason needed), or a clerk
    (reason required)."""
    if by is None or by.pk != link.user_id:
        reason = _required_reason(reason)
    link = _locked(link)
    if link.status not in OPEN_STATUSES:
        raise ValidationError(_("This link is already closed."), code="closed")
    link.status = PropertyLink.Status.UNLINKED
    link.decided_at = timezone.now()
    link.decided_by = by
    link.reason = (reason or "").strip()
    link.save()
    return link


@transaction.atomic
def set_tax_access(*, owner_link: PropertyLink, occupant_link_id, granted: bool) -> PropertyLink:
    """The owner (`owner_link`: theirs, verified) shows their property's tax account to an
    occupant linked to it (verified), or stops showing it. ValidationError otherwise."""
    owner_link = _locked(owner_link)
    if not (owner_link.status == PropertyLink.Status.VERIFIED
            and owner_link.role == PropertyLink.Role.OWNER):
        raise ValidationError(_("Only the property's owner can show its tax account."),
                              code="not_owner")
    occupant = (PropertyLink.objects.select_for_update()
                .filter(pk=occupant_link_id, property_id=owner_link.property_id,
                        role=PropertyLink.Role.OCCUPANT, status=PropertyLink.Status.VERIFIED)
                .exclude(user=owner_link.user).first())
    if occupant is None:
        raise ValidationError(_("This person is no longer linked to the property."),
                              code="not_occupant")
    occupant.tax_access_from = owner_link if granted else None
    occupant.tax_access_since = timezone.now() if granted else None
    occupant.save(update_fields=["tax_access_from", "tax_access_since"])
    return occupant


def erase_links(user) -> None:
    """Account deletion: the citizen's links end (the rows stay, for the city's history)."""
    PropertyLink.objects.filter(user=user).update(status=PropertyLink.Status.UNLINKED)


def save_display(*, user, text_size: str, contrast: str) -> DisplayPreference:
    """Keep the citizen's text size and contrast (core.display) with their account."""
    preference, _created = DisplayPreference.objects.update_or_create(
        user=user, defaults={"text_size": text_size, "contrast": contrast})
    return preference


@transaction.atomic
def save_profile(*, user, first_name: str, last_name: str, phone: str, language: str,
                 channel: str) -> Profile:
    """The citizen's name (on the account), telephone, preferred language and channel."""
    user.first_name, user.last_name = first_name.strip()[:150], last_name.strip()[:150]
    user.save(update_fields=["first_name", "last_name"])
    profile, _created = Profile.objects.update_or_create(
        user=user, defaults={"phone": phone, "language": language, "channel": channel})
    return profile
