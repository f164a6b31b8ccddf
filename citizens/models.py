"""A citizen's personal data: household, proof-checked links to properties, tax accounts, and
the log of who saw or changed it. Public ids are UUIDs: nothing personal is guessable in a URL."""
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from properties.models import Property

User = settings.AUTH_USER_MODEL


class HouseholdMember(models.Model):
    """A person of the citizen's household, for leisure registration later."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="household")
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    birth_year = models.PositiveSmallIntegerField(_("birth year"))
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


class TaxBill(models.Model):
    """A property's tax bill for a year, as the city's tax system issued it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="tax_bills")
    year = models.PositiveSmallIntegerField(_("year"))
    bill_number = models.CharField(_("bill number"), max_length=30)
    issued_on = models.DateField(_("issued on"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    interest_rate = models.DecimalField(_("annual interest rate on late amounts (%)"),
                                        max_digits=5, decimal_places=2, default=0)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("tax bill")
        verbose_name_plural = _("tax bills")
        constraints = [models.UniqueConstraint(fields=["property", "year", "bill_number"],
                                               name="taxbill_unique")]

    def __str__(self):
        return f"{self.bill_number} ({self.year})"


class TaxInstalment(models.Model):
    bill = models.ForeignKey(TaxBill, on_delete=models.CASCADE, related_name="instalments")
    number = models.PositiveSmallIntegerField(_("instalment"))
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["due_on"]
        constraints = [models.UniqueConstraint(fields=["bill", "number"],
                                               name="instalment_unique")]

    def __str__(self):
        return f"{self.bill_id} #{self.number} {self.due_on}"


class TaxPayment(models.Model):
    bill = models.ForeignKey(TaxBill, on_delete=models.CASCADE, related_name="payments")
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    reference = models.CharField(_("reference"), max_length=50)

    class Meta:
        ordering = ["paid_on"]
        constraints = [models.UniqueConstraint(fields=["bill", "reference"],
                                               name="payment_unique")]

    def __str__(self):
        return f"{self.reference} {self.paid_on} {self.amount}"


class AccessLog(models.Model):
    """Who (staff or citizen) viewed or changed which personal record, when (Law 25)."""

    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        CHANGE = "change", _("changed")
        EXPORT = "export", _("exported")
        DELETE = "delete", _("deleted")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_is_staff = models.BooleanField(default=False)
    subject = models.ForeignKey(User, null=True, on_delete=models.SET_NULL,
                                related_name="access_log")
    action = models.CharField(max_length=10, choices=Action.choices)
    record = models.CharField(_("record"), max_length=100)  # e.g. "tax_bill:<uuid>"
    path = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.record}"
