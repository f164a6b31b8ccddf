"""The records every app shares: the access log of personal data (Quebec Law 25)."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

User = settings.AUTH_USER_MODEL


class AccessLog(models.Model):
    """Who (staff or citizen) viewed or changed which personal record, when (Law 25)."""

    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        CHANGE = "change", _("changed")
        EXPORT = "export", _("exported")
        DELETE = "delete", _("deleted")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_is_staff = models.BooleanField(_("by the staff"), default=False)
    subject = models.ForeignKey(User, null=True, on_delete=models.SET_NULL,
                                related_name="access_log")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    record = models.CharField(_("record"), max_length=100)  # e.g. "tax_bill:<uuid>"
    path = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.record}"
