"""Reads of the citizens' data. Personal data is read through these functions only: scoped to
the signed-in citizen's verified links (or to staff), so that another citizen gets a 404."""
from django.db.models import Count, F, Prefetch, Q
from django.http import Http404
from django.utils import timezone

from core import display
from core.personal_data import json_value
from properties.models import CivicAddress, Property

from .models import DisplayPreference, LinkAttempt, Profile, PropertyLink
from .services import PROPERTY_FAILURES_PER_HOUR, THROTTLE_WINDOW


def with_address(queryset):
    """Links with their user and property, and the property's addresses in order."""
    return queryset.select_related("property", "user").prefetch_related(
        Prefetch("property__addresses", queryset=CivicAddress.objects.order_by("pk")))


def verified_links(user):
    return (PropertyLink.objects.filter(user=user, status=PropertyLink.Status.VERIFIED)
            .select_related("property", "tax_access_from"))


def verified_link_or_404(user, link_id) -> PropertyLink:
    link = verified_links(user).filter(pk=link_id).first()
    if link is None:
        raise Http404
    return link


def owner_link_or_404(user, link_id) -> PropertyLink:
    """A verified link of the citizen's as the property's owner: the tax account is the owner's
    business; an occupant (a tenant) gets the same 404 as anyone else."""
    link = verified_link_or_404(user, link_id)
    if not sees_taxes(link):
        raise Http404
    return link


def sees_taxes(link) -> bool:
    """Who may see a property's tax bills through a link: its owner; an occupant only if an
    owner of the property granted it and that owner's link is still verified."""
    if link.status != PropertyLink.Status.VERIFIED:
        return False
    if link.role == PropertyLink.Role.OWNER:
        return True
    grant = link.tax_access_from
    return (grant is not None and grant.status == PropertyLink.Status.VERIFIED
            and grant.role == PropertyLink.Role.OWNER and grant.property_id == link.property_id)


def tax_viewer_links(user):
    """The citizen's verified links through which they see the tax account (sees_taxes, in
    SQL)."""
    verified, owner = PropertyLink.Status.VERIFIED, PropertyLink.Role.OWNER
    return (PropertyLink.objects.filter(user=user, status=verified)
            .filter(Q(role=owner) | Q(tax_access_from__status=verified,
                                      tax_access_from__role=owner,
                                      tax_access_from__property=F("property")))
            .select_related("property"))


def occupants_of(owner_link) -> list:
    """The other accounts linked (verified) to the owner's property as occupants, for the owner
    to grant or withdraw the tax account; empty unless `owner_link` is a verified owner's."""
    if not (owner_link.status == PropertyLink.Status.VERIFIED
            and owner_link.role == PropertyLink.Role.OWNER):
        return []
    return list(PropertyLink.objects
                .filter(property_id=owner_link.property_id, role=PropertyLink.Role.OCCUPANT,
                        status=PropertyLink.Status.VERIFIED)
                .exclude(user=owner_link.user).select_related("user", "tax_access_from")
                .order_by("requested_at"))


def masked_email(email: str) -> str:
    """"jeanne.t@example.org" -> "j…@example.org": enough for an owner to recognise a tenant,
    not to harvest an address."""
    local, _, domain = (email or "").partition("@")
    return f"{local[:1]}…@{domain}" if domain else ""


def open_links(user):
    """The citizen's links that are not unlinked (pending, verified, refused), with the
    property's addresses and roll entries, verified first, newest first within a status."""
    return list(PropertyLink.objects.filter(user=user)
                .exclude(status=PropertyLink.Status.UNLINKED)
                .select_related("property", "tax_access_from")
                .prefetch_related("property__addresses", "property__roll_entries")
                .order_by("status", "-requested_at"))


def export_account(user) -> dict:
    """The account and its e-mail addresses (django-allauth's), for the citizen's export."""
    emails = []
    if hasattr(user, "emailaddress_set"):
        emails = [{"email": e.email, "verified": e.verified, "primary": e.primary}
                  for e in user.emailaddress_set.all()]
    return {"email": user.email, "date_joined": user.date_joined.isoformat(),
            "last_login": json_value(user.last_login), "emails": emails}


def export_household(user) -> list[dict]:
    return [{"id": str(m.pk), "first_name": m.first_name, "last_name": m.last_name,
             "birth_year": m.birth_year, "birth_date": json_value(m.birth_date)}
            for m in user.household.all()]


def export_property_links(user) -> list[dict]:
    links = (PropertyLink.objects.filter(user=user).select_related("property")
             .prefetch_related("property__addresses"))
    return [{
        "id": str(link.pk), "matricule": link.property.matricule,
        "address": next((a.label for a in link.property.addresses.all()), ""),
        "role": link.role, "status": link.status, "proof": link.method,
        "requested_at": link.requested_at.isoformat(),
        "decided_at": json_value(link.decided_at), "reason": link.reason,
    } for link in links]


def targeted_properties(window=None, threshold=None) -> list[dict]:
    """Properties whose access code failed at least `threshold` times within the last `window`
    (services.PROPERTY_FAILURES_PER_HOUR and THROTTLE_WINDOW): {"property", "failures",
    "accounts"}, most failures first. Someone may be guessing; staff may issue a new code."""
    since = timezone.now() - (window or THROTTLE_WINDOW)
    rows = list(LinkAttempt.objects.filter(succeeded=False, at__gte=since,  # index on at
                                           property__isnull=False)
                .values("property")
                .annotate(failures=Count("pk"), accounts=Count("user", distinct=True))
                .filter(failures__gte=threshold or PROPERTY_FAILURES_PER_HOUR)
                .order_by("-failures", "property"))
    found = Property.objects.prefetch_related("addresses").in_bulk(
        [r["property"] for r in rows])
    return [{"property": found[r["property"]], "failures": r["failures"],
             "accounts": r["accounts"]} for r in rows]


def display_for(request) -> display.Display:
    """How to draw the page for this request: the signed-in citizen's choice, kept with their
    account, else this browser's (its cookie), else the default."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        stored = DisplayPreference.objects.filter(user=user).first()
        if stored is not None:
            return stored.display
    return display.for_browser(request)


def export_display(user) -> dict | None:
    stored = DisplayPreference.objects.filter(user=user).first()
    return {"text_size": stored.text_size, "contrast": stored.contrast} if stored else None


def profile_of(user) -> Profile:
    """The citizen's profile; an unsaved one with the defaults when they never filled it."""
    return Profile.objects.filter(user=user).first() or Profile(user=user)


def preferred_languages(user_ids) -> dict:
    """{user id: the language they prefer}, for the ones who said."""
    return dict(Profile.objects.filter(user_id__in=list(user_ids))
                .values_list("user_id", "language"))


def export_profile(user) -> dict | None:
    stored = Profile.objects.filter(user=user).first()
    return ({"first_name": user.first_name, "last_name": user.last_name,
             "phone": stored.phone, "language": stored.language, "channel": stored.channel}
            if stored else None)
