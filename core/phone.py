"""Telephone numbers as the site keeps them: E.164 (+15145551234), a 10-digit North American
number given +1; shared by the alerts' text messages and the citizen's profile."""
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

E164 = re.compile(r"^\+[1-9]\d{7,14}$")


def normalize_phone(value: str) -> str:
    """`value` in E.164. Raises ValidationError otherwise."""
    raw = (value or "").strip()
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+"):
        number = "+" + digits
    elif len(digits) == 10:
        number = "+1" + digits
    elif len(digits) == 11 and digits.startswith("1"):
        number = "+" + digits
    else:
        number = raw
    if not E164.match(number) or re.search(r"[^\d\s()+.\-]", raw):
        raise ValidationError(_("Enter a mobile number in international format, e.g. "
                                "+1 514 555 0123."), code="phone")
    return number
