"""The site as an app a citizen installs from the browser (a Progressive Web App): its web
manifest, in the page's language, and its offline page, which the site's service worker (/sw.js,
alerts.views.public.service_worker) keeps at install and shows when a page cannot be reached.

The worker learns what to keep from `offline_precache()`: the offline page in each language, the
files it uses, and a version that changes with any of them, so that a new offline page or
stylesheet reaches the browsers (a changed worker is installed again)."""
import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

# The site's colours (core/guichet.css): the header's blue, the page's background.
THEME_COLOUR = "#1e3a8a"
BACKGROUND_COLOUR = "#f8fafc"
ICONS = [  # static path, sizes, type, purpose (core/static/core/icons/README.md)
    ("core/icons/icon-192.png", "192x192", "image/png", "any"),
    ("core/icons/icon-512.png", "512x512", "image/png", "any"),
    ("core/icons/icon-maskable-512.png", "512x512", "image/png", "maskable"),
    ("core/icons/icon.svg", "any", "image/svg+xml", "any"),
]
# What the offline page needs besides itself, kept by the worker with it.
OFFLINE_FILES = ["core/guichet.css", "core/icons/icon.svg"]
SHORT_NAME_MAX = 12  # what a phone shows under an icon without cutting it


def app_name() -> str:
    return f"Guichet {settings.GUICHET_MUNICIPALITY_NAME}"


@require_safe
def manifest(request):
    """/manifest.webmanifest (French), /en/manifest.webmanifest: one app (same id and scope),
    named after the town, opening on the home page in the language it was installed from."""
    town = settings.GUICHET_MUNICIPALITY_NAME
    data = {
        "id": "/",
        "name": app_name(),
        "short_name": town if len(town) <= SHORT_NAME_MAX else "Guichet",
        "description": _("The city of %(town)s's services: your property, collections, "
                         "reports and alerts.") % {"town": town},
        "lang": translation.get_language(),
        "dir": "ltr",
        "start_url": reverse("portal:home"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "categories": ["government", "utilities"],
        "icons": [{"src": static(path), "sizes": sizes, "type": kind, "purpose": purpose}
                  for path, sizes, kind, purpose in ICONS],
    }
    response = JsonResponse(data, content_type="application/manifest+json",
                            json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Cache-Control"] = "public, max-age=3600"
    return response


def offline_html(language: str) -> str:
    """The offline page in `language`: nothing of the visitor's (no session, no form), as the
    worker keeps one copy for everyone who uses that browser."""
    with translation.override(language):
        return render_to_string("core/offline.html", {
            "municipality_name": settings.GUICHET_MUNICIPALITY_NAME,
            "theme_colour": THEME_COLOUR})


@require_safe
def offline(request):
    """/hors-ligne/, /en/hors-ligne/: what the worker shows when a page cannot be reached."""
    return HttpResponse(offline_html(translation.get_language()))


@functools.cache
def offline_precache() -> dict:
    """What the service worker keeps: {"version", "pages": {language: url}, "default":
    language, "files": [url]}; the version is a digest of all of it."""
    pages, digest = {}, hashlib.sha256(app_name().encode())
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            pages[code] = reverse("core:offline")
        digest.update(offline_html(code).encode())
    for path in OFFLINE_FILES:
        digest.update(Path(finders.find(path)).read_bytes())
    return {"version": digest.hexdigest()[:16], "pages": pages,
            "default": settings.LANGUAGE_CODE, "files": [static(p) for p in OFFLINE_FILES]}
