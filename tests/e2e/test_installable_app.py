"""Guichet as an app a citizen installs from the browser (issue 14, point 8), in Debian's
Chromium: every page links the web manifest, which Chromium reads without an error, named after
the town, in the page's language, with its icons reachable at the sizes and types it gives;
Chromium's own installability check finds nothing missing (in a profile of its own: the tests'
private windows cannot install anything); the site's service worker (/sw.js) controls the pages,
and with the network gone a page shows the offline page in its own language, styled, at 390 px
and at 1280 px, without a serious accessibility violation."""
import json

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, watch_csp
from tests.e2e.test_property_map import _serious
from tests.e2e.test_reporting import fr

pytestmark = [pytest.mark.django_db, pytest.mark.e2e]

# Each icon as the browser gets it: its type, and its size once decoded.
ICON_CHECK = """async (icons) => Promise.all(icons.map(async (icon) => {
  const response = await fetch(icon.src);
  const blob = await response.blob();
  const bitmap = await createImageBitmap(blob);
  return {src: icon.src, status: response.status, type: blob.type,
          size: `${bitmap.width}x${bitmap.height}`};
}))"""


# True once a worker controls the page (at once if one already does), false after 15 s.
CONTROLLED = """() => new Promise((resolve) => {
  if (navigator.serviceWorker.controller) resolve(true);
  navigator.serviceWorker.addEventListener("controllerchange", () => resolve(true));
  setTimeout(() => resolve(false), 15000);
})"""


def _manifest(page):
    href = page.locator("link[rel=manifest]").get_attribute("href")
    cdp = page.context.new_cdp_session(page)
    found = cdp.send("Page.getAppManifest")
    cdp.detach()
    return href, found


@pytest.mark.parametrize("prefix, language", [("", "fr"), ("/en", "en")])
def test_every_page_links_a_valid_manifest_named_after_the_town(page, site_url, prefix,
                                                                language):
    page.goto(f"{site_url}{prefix}/signalements/")
    href, found = _manifest(page)
    assert href == f"{prefix}/manifest.webmanifest"
    assert found["url"] == site_url + href and found["errors"] == []
    manifest = json.loads(found["data"])
    town = settings.GUICHET_MUNICIPALITY_NAME
    assert manifest["name"] == f"Guichet {town}" and manifest["short_name"] == town
    assert manifest["lang"] == language and manifest["start_url"] == f"{prefix}/"
    assert manifest["display"] == "standalone" and manifest["scope"] == "/"
    assert manifest["id"] == "/"  # one app, whichever language it was installed from
    assert manifest["theme_color"] == "#1e3a8a"
    expect(page.locator("meta[name=theme-color]")).to_have_attribute("content", "#1e3a8a")
    description = ("The city of %(town)s's services: your property, collections, reports and "
                   "alerts.")
    assert manifest["description"] == (fr(description) if language == "fr"
                                       else description) % {"town": town}

    pngs = [icon for icon in manifest["icons"] if icon["type"] == "image/png"]
    got = page.evaluate(ICON_CHECK, pngs)
    for icon, seen in zip(pngs, got, strict=True):
        assert (seen["status"], seen["type"], seen["size"]) == (200, "image/png", icon["sizes"])
    by_purpose = {(icon["purpose"], icon["sizes"]) for icon in pngs}
    assert {("any", "192x192"), ("any", "512x512"), ("maskable", "512x512")} <= by_purpose
    apple = page.locator("link[rel=apple-touch-icon]").get_attribute("href")
    [touch] = page.evaluate(ICON_CHECK, [{"src": apple}])
    assert (touch["status"], touch["type"], touch["size"]) == (200, "image/png", "180x180")


def test_chromium_finds_the_site_installable(browser, site_url, tmp_path):
    """In a profile of Chromium's own (not a private window): no installability error."""
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    try:
        page = context.new_page()
        page.goto(site_url + "/")
        assert page.evaluate(CONTROLLED), "no worker took the page over"
        cdp = context.new_cdp_session(page)
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    finally:
        context.close()


def _controlled(page, site_url):
    """Waits for the site's worker to take the page over (it claims the open pages)."""
    assert page.evaluate(CONTROLLED), "no worker took the page over"
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == site_url + "/sw.js"
    scope = page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)")
    assert scope == site_url + "/"


@pytest.mark.parametrize("prefix, width", [("", 1280), ("/en", 390)])
def test_offline_a_page_shows_the_offline_page_in_its_language(browser, site_url, prefix,
                                                               width):
    language = "en" if prefix else "fr"
    says = fr if language == "fr" else str  # the page's words in its language
    context = browser.new_context(locale="fr-CA" if language == "fr" else "en-CA",
                                  viewport={"width": width, "height": 844})
    violations = watch_csp(context)
    try:
        page = context.new_page()
        page.goto(f"{site_url}{prefix}/")  # the first visit installs the worker
        _controlled(page, site_url)

        # Only what the worker kept remains: the browser's own HTTP cache is emptied.
        cdp = context.new_cdp_session(page)
        cdp.send("Network.clearBrowserCache")
        cdp.detach()
        context.set_offline(True)
        with pytest.raises(Exception):  # noqa: B017 (the network really is gone)
            page.evaluate("fetch('/healthz').then((r) => r.text())")
        page.goto(f"{site_url}{prefix}/signalements/")  # never visited: not kept
        expected = says("You are offline")
        expect(page.get_by_role("heading", level=1)).to_have_text(expected)
        assert page.evaluate("document.documentElement.lang") == language
        assert page.url == f"{site_url}{prefix}/signalements/"  # where the citizen was going
        # Styled: the stylesheet was kept with it.
        header = page.evaluate(
            "getComputedStyle(document.querySelector('.site-header')).backgroundColor")
        assert header == "rgb(30, 58, 138)"
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
        assert not overflow
        assert _serious(page) == []

        context.set_offline(False)  # back online: "Try again" loads the page asked for
        page.get_by_role("link", name=says("Try again")).click()
        expect(page.get_by_role("heading", level=1)).not_to_have_text(expected)
        expect(page.locator("[data-testid=offline]")).to_have_count(0)
    finally:
        context.close()
    assert violations == []
