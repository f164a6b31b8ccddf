"""A household member's registration to a group (issue 15, part 2), from the basket to the end.

Its life: IN_BASKET (chosen, not confirmed; holding a seat until `held_until` when the window is
open to its citizen and a seat was free), then at confirmation REGISTERED or WAITING (the
waiting list, in confirmation order), WAITING → OFFERED when a seat frees (until
`offer_until`), OFFERED → REGISTERED when accepted; any of them → CANCELLED, with the reason.

The seats are counted under a lock on the group's row (leisure.services): REGISTERED, OFFERED,
and IN_BASKET with a hold not yet expired take one. `seq` is the confirmation's place in the
town's order (a database sequence drawn under those locks): seats and waiting-list positions
go by it, so "first confirmed, first served" is the database's order, not a clock's.

The account and the member are personal data: erased with the account (services.erase), the
row stays, anonymous, for the group's counts and the city's records."""
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .catalogue import MAX_FEE, Group

User = settings.AUTH_USER_MODEL


class Registration(models.Model):
    class Status(models.TextChoices):
        IN_BASKET = "basket", _("in the basket")
        REGISTERED = "registered", _("registered")
        WAITING = "waiting", _("on the waiting list")
        OFFERED = "offered", _("seat offered")
        CANCELLED = "cancelled", _("cancelled")

    class Reason(models.TextChoices):
        CITIZEN = "citizen", _("cancelled by the citizen")
        CLERK = "clerk", _("cancelled by the city")
        GROUP = "group", _("group cancelled")
        MOVED = "moved", _("moved to another group")
        DECLINED = "declined", _("seat declined")
        EXPIRED = "expired", _("offer expired")
        FULL = "full", _("group and waiting list full")
        REMOVED = "removed", _("removed from the basket")
        ERASED = "erased", _("account deleted")

    class Channel(models.TextChoices):
        ONLINE = "online", _("online")
        COUNTER = "counter", _("at the counter")
        PHONE = "phone", _("by phone")

    # The statuses that hold a member's place in a group (one at a time: the constraint below).
    ACTIVE = (Status.IN_BASKET, Status.REGISTERED, Status.WAITING, Status.OFFERED)
    # Confirmed and not ended: what a citizen or a clerk may cancel, what the dashboard lists.
    CONFIRMED = (Status.REGISTERED, Status.WAITING, Status.OFFERED)
    # The statuses of the people holding a seat (a group may not have fewer seats).
    SEATED = (Status.REGISTERED, Status.OFFERED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="registrations",
                              verbose_name=_("group"))
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="leisure_registrations", verbose_name=_("account"))
    member = models.ForeignKey("citizens.HouseholdMember", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="leisure_registrations",
                               verbose_name=_("participant"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.IN_BASKET)
    resident = models.BooleanField(_("resident"), default=False)
    fee = models.DecimalField(_("fee"), max_digits=7, decimal_places=2, null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices,
                               default=Channel.ONLINE)
    clerk = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("clerk"))
    # The group's prerequisite (a previous level) without a record of it here: the citizen
    # attested that the participant completed it (clerks see it in the group's list).
    attested_prerequisite = models.BooleanField(_("prerequisite attested"), default=False)
    added_at = models.DateTimeField(_("added to the basket"), auto_now_add=True)
    held_until = models.DateTimeField(_("seat held until"), null=True, blank=True)
    seq = models.BigIntegerField(_("confirmation order"), null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed on"), null=True, blank=True)
    offer_until = models.DateTimeField(_("offer open until"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices, blank=True)

    class Meta:
        ordering = ["seq", "added_at"]
        permissions = [("leisure_desk", _("Can register citizens and see the groups' lists "
                                          "(leisure desk)"))]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            # A member is once in a group at most (basket, registered, waiting or offered):
            # two clicks, two tabs or two parents of one household cannot double them.
            models.UniqueConstraint(
                fields=["group", "member"], name="registration_once_per_member",
                condition=Q(status__in=["basket", "registered", "waiting", "offered"])),
            models.CheckConstraint(
                name="registration_confirmed_has_order",
                condition=Q(status="basket") | Q(status="cancelled") | Q(seq__isnull=False)),
            models.CheckConstraint(
                name="registration_fee_bounded",
                condition=Q(fee__isnull=True) | Q(fee__gte=0, fee__lte=MAX_FEE)),
        ]
        indexes = [
            models.Index(fields=["group", "status", "seq"], name="registration_group_status"),
            models.Index(fields=["user", "status"], name="registration_user_status"),
        ]

    def __str__(self):
        """The group and the place in its order, not the person: this text goes into import
        reports and logs (the admin lists show the participant in a column of their own)."""
        return f"{self.group.code} n° {self.seq or '—'} ({self.get_status_display()})"

    @classmethod
    def takes_a_seat(cls, now) -> Q:
        """The one definition of a seat taken at `now` (a datetime, or Now() in SQL):
        registered, offered with time left to accept, or held in a basket with time left.
        Counted by the services under the group's lock and by the catalogue's seats left."""
        return (Q(status=cls.Status.REGISTERED)
                | Q(status=cls.Status.OFFERED, offer_until__gt=now)
                | Q(status=cls.Status.IN_BASKET, held_until__gt=now))

    @property
    def participant(self) -> str:
        return str(self.member) if self.member_id else _("(account deleted)")
