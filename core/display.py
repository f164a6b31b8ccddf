"""How the site is drawn for its reader: the text size and the contrast (issue 14). The choice is
written on the page's <html> element (data-text-size, data-contrast), which core/guichet.css
reads, by the server, so that a page is never drawn once in the default look and then redrawn.
A browser keeps its choice in a cookie; a signed-in citizen's account keeps it too
(citizens.models.DisplayPreference), so that it follows them to another browser.

The contrast "auto" leaves it to the browser: high when it asks for more contrast
(prefers-contrast: more, in the stylesheet), normal otherwise."""
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

COOKIE = "guichet_display"
COOKIE_MAX_AGE = 365 * 24 * 60 * 60


class TextSize(models.TextChoices):
    NORMAL = "normal", _("normal")
    LARGE = "large", _("large")
    LARGER = "larger", _("larger")


class Contrast(models.TextChoices):
    AUTO = "auto", _("as the browser asks")
    NORMAL = "normal", _("normal")
    HIGH = "high", _("high")


@dataclass(frozen=True)
class Display:
    text_size: str = TextSize.NORMAL.value
    contrast: str = Contrast.AUTO.value

    def changed(self, *, text_size: str = "", contrast: str = "") -> "Display":
        """This display with the given parts changed (empty: kept)."""
        return replace(self, text_size=text_size or self.text_size,
                       contrast=contrast or self.contrast)

    @property
    def cookie_value(self) -> str:
        return f"{self.text_size}.{self.contrast}"


DEFAULT = Display()


def parse(value: str | None) -> Display | None:
    """The display a cookie's value names ("large.high"), or None for anything else."""
    size, _dot, contrast = (value or "").partition(".")
    if size in TextSize.values and contrast in Contrast.values:
        return Display(size, contrast)
    return None


def for_browser(request) -> Display:
    """The display this browser chose (its cookie), else the default. No database: the error
    pages use it when the database is gone."""
    return parse(request.COOKIES.get(COOKIE)) or DEFAULT


def remember(response, display: Display) -> None:
    """Keep `display` in the browser for a year. Only the server reads it (HttpOnly)."""
    response.set_cookie(COOKIE, display.cookie_value, max_age=COOKIE_MAX_AGE, httponly=True,
                        samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
