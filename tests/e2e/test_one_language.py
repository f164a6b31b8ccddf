"""One language at a time (issue 14, point 4): a browser reads every visible text node, and the
title, aria-label, placeholder and alt of every visible element, on the main pages in French and
in English; none may be a sentence of the other language. "Of the other language" comes from
the site's own French catalogue (a msgid whose French differs is English; its msgstr is French)
and from the map libraries' own English words (Leaflet, Leaflet.draw), which the site must
translate."""
import re

import pytest
from django.utils import translation

from tests.e2e.test_reporting import PASSWORD, people  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.e2e]

# The libraries' English, as they ship it: the site sets them in the page's language.
LIBRARY_ENGLISH = {"Zoom in", "Zoom out", "Layers", "Draw a polygon", "Draw a rectangle",
                   "Draw a circle", "Draw a marker", "Draw a polyline", "Cancel drawing",
                   "Finish drawing", "Delete last point drawn", "Edit layers", "Delete layers",
                   "Click to start drawing shape.", "Click and drag to draw rectangle."}

VISIBLE_TEXTS = """() => {
  const out = [];
  const page = document.documentElement.lang;
  // Visible, and in the page's language: a part marked in another (lang="en" on the French
  // page's "English" link) is that language on purpose.
  const seen = (el) => el && el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })
    && (el.closest("[lang]")?.lang || page) === page;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || ["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE"].includes(parent.tagName)) continue;
    const text = node.textContent.replace(/\\s+/g, " ").trim();
    if (text && seen(parent)) out.push(text);
  }
  for (const el of document.querySelectorAll("[title], [aria-label], [placeholder], [alt]")) {
    if (!seen(el)) continue;
    for (const name of ["title", "aria-label", "placeholder", "alt"]) {
      const value = (el.getAttribute(name) || "").replace(/\\s+/g, " ").trim();
      if (value) out.push(value);
    }
  }
  return out;
}"""


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip(".:").casefold()


def _words():
    """(English-only, French-only) sentences of the site, normalized: from the French catalogue,
    the entries whose French differs, without placeholders, at least two words or one of 6
    letters (so that a street named "Forest" or a word shared by both languages never counts)."""
    catalog = translation.trans_real.translation("fr")._catalog
    english, french = set(), set()
    for msgid, msgstr in catalog.items():
        if isinstance(msgid, tuple) or not msgid or not msgstr or "%" in msgid or "{" in msgid:
            continue
        en, fr = _plain(msgid), _plain(msgstr)
        if en == fr:
            continue
        if " " in en or len(en) >= 6:
            english.add(en)
        if " " in fr or len(fr) >= 6:
            french.add(fr)
    both = english & french
    english |= {_plain(t) for t in LIBRARY_ENGLISH}
    return english - both, french - both


def _other_language(page, url, other: set) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return sorted({t for t in page.evaluate(VISIBLE_TEXTS) if _plain(t) in other})


def _pages(site_url):
    from properties.models import Property
    from service_requests.models import ServiceRequest

    prop = Property.objects.exclude(address_point=None).exclude(addresses=None).order_by("pk")[3]
    report = ServiceRequest.objects.filter(public=True, confirmed=True).order_by("pk").first()
    pages = ["/", f"/propriete/{prop.pk}/", "/signalements/", "/signaler/", "/alertes/",
             "/compte/login/", "/compte/signup/"]
    if report is not None:
        pages.append(f"/signalements/{report.pk}/")
    from leisure.models import Group

    pages += ["/loisirs/", f"/loisirs/groupes/{Group.objects.order_by('pk').first().pk}/"]
    return pages


def _sign_in(page, site_url, email):
    page.goto(site_url + "/compte/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/mon-compte/")


def test_public_pages_speak_one_language(page, site_url):
    english, french = _words()
    wrong = {}
    for path in _pages(site_url):
        for prefix, other in (("", english), ("/en", french)):
            found = _other_language(page, site_url + prefix + path, other)
            if found:
                wrong[prefix + path] = found
    assert wrong == {}


def test_staff_pages_with_drawing_tools_speak_one_language(page, site_url, people):  # noqa: F811
    english, french = _words()
    _sign_in(page, site_url, people["clerk"])
    wrong = {}
    for path in ["/personnel/demandes/", "/personnel/alertes/nouvelle/", "/mon-compte/"]:
        for prefix, other in (("", english), ("/en", french)):
            found = _other_language(page, site_url + prefix + path, other)
            if found:
                wrong[prefix + path] = found
    assert wrong == {}
