"""The city's tax bills about a property, as its tax system issued them: instalments and
payments. Citizens see them through their verified links (portal)."""
import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from properties.models import Property


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
