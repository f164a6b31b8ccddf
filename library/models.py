"""A citizen's library cards (issue 16). What is stored is only what is needed to ask the
library's system: the card's barcode (the system knows the reader by it), its last four digits
for display, and whose card it is (the citizen or a member of their household). Never the PIN,
never a title, a loan or a fine: those are read live from the library's system and kept a few
minutes in the cache (resilience.py)."""
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from citizens.models import HouseholdMember

User = settings.AUTH_USER_MODEL


class LibraryCard(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="library_cards")
    # The card of a household member; empty: the citizen's own. Goes with the member.
    member = models.ForeignKey(HouseholdMember, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="library_cards", verbose_name=_("holder"))
    barcode = models.CharField(_("card number"), max_length=40)
    last_four = models.CharField(_("last four digits"), max_length=4)
    linked_at = models.DateTimeField(_("linked on"), auto_now_add=True)

    class Meta:
        ordering = ["linked_at"]
        verbose_name = _("library card")
        verbose_name_plural = _("library cards")
        constraints = [models.UniqueConstraint(fields=["user", "barcode"],
                                               name="one_link_per_card_and_account")]
        permissions = [("library_desk", _("Can see citizens' library records (library desk)"))]

    def __str__(self):
        return f"…{self.last_four}"

    @property
    def holder_name(self) -> str:
        return str(self.member) if self.member_id else ""


class CardAttempt(models.Model):
    """Every card and PIN checked, to bound PIN guessing through the portal: per account, and
    per card (by a keyed hash of its number: no clear number is kept for a failed try)."""

    user = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    card_hash = models.CharField(max_length=64, db_index=True)
    succeeded = models.BooleanField()
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {'ok' if self.succeeded else 'failed'}"
