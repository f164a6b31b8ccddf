"""The household's calendar address (issue 15, part 2): a secret, unguessable token in the URL
of its iCalendar feed (/loisirs/calendrier/<token>.ics), since calendar apps subscribe without
signing in. One per account, created on the first visit of "Our week"; reset gives a new one
and the old address answers 404 from then on. Deleted with the account."""
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

TOKEN_BYTES = 32  # 43 URL-safe characters


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


class CalendarToken(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                primary_key=True, related_name="leisure_calendar",
                                verbose_name=_("account"))
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar address")
        verbose_name_plural = _("calendar addresses")

    def __str__(self):
        return f"{self.user_id}: …{self.token[-4:]}"
