"""A citizen's personal data: household and proof-checked links to properties (the access log
is core's, the tax bills are taxes'). Public ids are UUIDs: nothing personal is guessable in a
URL."""
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.display import Contrast, Display, TextSize
from properties.models import Property

User = settings.AUTH_USER_MODEL


class HouseholdMember(models.Model):
    """A person of the citizen's household (the citizen too, to register themself): leisure
    registrations and library cards are theirs."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="household")
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    birth_year = models.PositiveSmallIntegerField(_("birth year"))
    # Optional; leisure registration needs it: a group's ages are counted on a reference date.
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["birth_year", "first_name"]
        verbose_name = _("household member")
        verbose_name_plural = _("household members")

    def __str__(self):
        return f"{self.first_name} {self.last_name}"


class PropertyLink(models.Model):
    """A citizen's claim on a property, as owner or occupant, and how it was proven."""

    class Role(models.TextChoices):
        OWNER = "owner", _("owner")
        OCCUPANT = "occupant", _("occupant")

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting a clerk")
        VERIFIED = "verified", _("verified")
        REFUSED = "refused", _("refused")
        UNLINKED = "unlinked", _("unlinked")

    class Method(models.TextChoices):
        CODE = "code", _("access code on the tax bill")
        CLERK = "clerk", _("approved by a clerk")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, null=True, on_delete=models.SET_NULL,
                             related_name="property_links")
    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="links")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    method = models.CharField(_("proof"), max_length=10, choices=Method.choices, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    # An occupant sees the owner's tax account only if an owner granted it, and as long as that
    # owner's link stays verified (selectors.sees_taxes).
    tax_access_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="tax_grants",
        verbose_name=_("tax account shown by"))
    tax_access_since = models.DateTimeField(_("tax account shown since"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("property link")
        verbose_name_plural = _("property links")
        constraints = [models.UniqueConstraint(
            fields=["user", "property"], condition=models.Q(status__in=["pending", "verified"]),
            name="one_open_link_per_property")]

    def __str__(self):
        return f"{self.user} → {self.property.matricule} ({self.status})"


class AccessCode(models.Model):
    """The per-property secret printed on the tax bill; only its hash is kept."""

    property = models.OneToOneField(Property, on_delete=models.CASCADE,
                                    related_name="access_code")
    code_hash = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("access code")
        verbose_name_plural = _("access codes")

    def __str__(self):
        return f"access code of {self.property_id}"


class LinkAttempt(models.Model):
    """Every code tried, to throttle guessing per account and per property."""

    user = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    property = models.ForeignKey(Property, null=True, on_delete=models.CASCADE, related_name="+")
    succeeded = models.BooleanField()
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {'ok' if self.succeeded else 'failed'}"


class DisplayPreference(models.Model):
    """The text size and contrast a citizen chose (core.display), kept with the account so that
    every browser they sign in on draws the site that way. Deleted with the account."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, primary_key=True,
                                related_name="display_preference")
    text_size = models.CharField(_("text size"), max_length=10, choices=TextSize.choices,
                                 default=TextSize.NORMAL)
    contrast = models.CharField(_("contrast"), max_length=10, choices=Contrast.choices,
                                default=Contrast.AUTO)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("display preference")
        verbose_name_plural = _("display preferences")

    def __str__(self):
        return f"{self.text_size}, {self.contrast}"

    @property
    def display(self) -> Display:
        return Display(self.text_size, self.contrast)


class Profile(models.Model):
    """How the city reaches a citizen (issue 14): a telephone number a clerk can call back,
    the language and the channel they prefer. The name is the account's (first_name,
    last_name). Deleted with the account."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        SMS = "sms", _("text message")

    user = models.OneToOneField(User, on_delete=models.CASCADE, primary_key=True,
                                related_name="profile")
    phone = models.CharField(_("telephone"), max_length=20, blank=True)
    language = models.CharField(_("preferred language"), max_length=5,
                                choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    channel = models.CharField(_("preferred channel"), max_length=10, choices=Channel.choices,
                               default=Channel.EMAIL)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return f"{self.language}, {self.channel}"
