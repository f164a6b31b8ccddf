"""The header's text size and contrast buttons in a real browser (issue 14), at 390 px and
1280 px, in French and English: operated with the keyboard, announced as pressed or not, they
change the computed font size and colours at once; a reload keeps them (drawn by the server:
no flash) for a browser without an account, and a signed-in citizen finds them in another
browser. The browser's own settings: prefers-contrast: more turns high contrast on,
prefers-reduced-motion stops the animations, the maps' too. axe finds nothing serious, and in
high contrast no text under 7:1 (WCAG AAA)."""
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import watch_csp
from tests.e2e.people import people, sign_in  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.e2e]

# The words are written out, not taken from the .po file: an untranslated button fails here.
WORDS = {
    "fr": {"prefix": "", "locale": "fr-CA", "panel": "Texte et contraste",
           "group": "Taille du texte", "normal": "Normal", "large": "Grand",
           "larger": "Très grand", "high": "Contraste élevé"},
    "en": {"prefix": "/en", "locale": "en-CA", "panel": "Text and contrast",
           "group": "Text size", "normal": "Normal", "large": "Large", "larger": "Larger",
           "high": "High contrast"},
}
# What the page computes: the body's font size and colours, the header's background.
STYLE = """() => {
  const body = getComputedStyle(document.body);
  const header = getComputedStyle(document.querySelector(".site-header"));
  return {size: body.fontSize, ink: body.color, bg: body.backgroundColor,
          header: header.backgroundColor};
}"""
NORMAL_COLOURS = {"ink": "rgb(15, 23, 42)", "bg": "rgb(248, 250, 252)",
                  "header": "rgb(30, 58, 138)"}
HIGH_COLOURS = {"ink": "rgb(0, 0, 0)", "bg": "rgb(255, 255, 255)", "header": "rgb(0, 0, 0)"}
SIZES = {"normal": "16px", "large": "20px", "larger": "24px"}
BOTH_WIDTHS = [("fr", 390), ("fr", 1280), ("en", 390), ("en", 1280)]


def _context(browser, lang, width, **options):
    context = browser.new_context(locale=WORDS[lang]["locale"],
                                  viewport={"width": width, "height": 900}, **options)
    context.csp_violations = watch_csp(context)
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    return context, page


def _close(context, page):
    assert not page.js_errors and not context.csp_violations
    context.close()


def _looks(page, size, colours):
    style = page.evaluate(STYLE)
    assert style == {"size": SIZES[size], **colours}, style


def _accessibility(page, *, high_contrast):
    """axe's serious and critical violations; in high contrast, any text under 7:1 too."""
    options = {"resultTypes": ["violations"]}
    if high_contrast:
        options["rules"] = {"color-contrast-enhanced": {"enabled": True}}
    violations = Axe().run(page, options=options).response["violations"]
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations
            if v["impact"] in ("serious", "critical") or v["id"] == "color-contrast-enhanced"]


def _saved(page, action):
    """Run `action` (a button press) and wait until the server kept the choice."""
    with page.expect_response(lambda r: "/affichage/" in r.url and r.request.method == "POST") \
            as answer:
        action()
    assert answer.value.ok


def _open(page):
    if page.locator(".display-settings[open]").count() == 0:
        page.locator(".display-settings summary").click()


def _choose(page, words, *, text_size=None, high=False):
    """Open the panel and press the buttons with the mouse."""
    _open(page)
    if text_size:
        _saved(page, page.get_by_role("button", name=words[text_size], exact=True).click)
    if high:
        _saved(page, page.get_by_role("button", name=words["high"], exact=True).click)


@pytest.mark.parametrize("lang,width", BOTH_WIDTHS)
def test_the_keyboard_changes_text_size_and_contrast_and_a_reload_keeps_them(
        browser, site_url, lang, width):
    words = WORDS[lang]
    context, page = _context(browser, lang, width)
    page.goto(f"{site_url}{words['prefix']}/")
    _looks(page, "normal", NORMAL_COLOURS)
    group = page.get_by_role("group", name=words["group"])
    normal = group.get_by_role("button", name=words["normal"], exact=True)
    large = group.get_by_role("button", name=words["large"], exact=True)
    larger = group.get_by_role("button", name=words["larger"], exact=True)
    high = page.get_by_role("button", name=words["high"], exact=True)
    expect(group).to_be_hidden()  # the panel is closed

    # Keyboard only: the summary opens the panel; Tab goes through the buttons in order.
    summary = page.get_by_text(words["panel"], exact=True)
    summary.focus()
    page.keyboard.press("Enter")
    expect(group).to_be_visible()
    expect(normal).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Tab")
    expect(normal).to_be_focused()
    page.keyboard.press("Tab")
    expect(large).to_be_focused()
    _saved(page, lambda: page.keyboard.press("Space"))
    expect(large).to_have_attribute("aria-pressed", "true")
    expect(normal).to_have_attribute("aria-pressed", "false")
    _looks(page, "large", NORMAL_COLOURS)
    page.keyboard.press("Tab")
    expect(larger).to_be_focused()
    _saved(page, lambda: page.keyboard.press("Enter"))
    expect(larger).to_have_attribute("aria-pressed", "true")
    expect(large).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("Tab")
    expect(high).to_be_focused()
    expect(high).to_have_attribute("aria-pressed", "false")
    _saved(page, lambda: page.keyboard.press("Space"))
    expect(high).to_have_attribute("aria-pressed", "true")
    _looks(page, "larger", HIGH_COLOURS)
    assert _accessibility(page, high_contrast=True) == []
    # Escape closes the panel, the focus back on its summary.
    page.keyboard.press("Escape")
    expect(group).to_be_hidden()
    expect(summary).to_be_focused()

    # A reload: drawn so by the server, before any script runs.
    response = page.reload()
    assert 'data-text-size="larger" data-contrast="high"' in response.text()
    _looks(page, "larger", HIGH_COLOURS)
    summary.click()  # the mouse this time
    expect(larger).to_have_attribute("aria-pressed", "true")
    expect(high).to_have_attribute("aria-pressed", "true")
    _choose(page, words, high=True)  # back to normal contrast
    expect(high).to_have_attribute("aria-pressed", "false")
    _looks(page, "larger", NORMAL_COLOURS)
    assert _accessibility(page, high_contrast=False) == []
    _close(context, page)

    # Another browser, without an account, keeps its own (the default).
    context, page = _context(browser, lang, width)
    page.goto(f"{site_url}{words['prefix']}/")
    _looks(page, "normal", NORMAL_COLOURS)
    _close(context, page)


@pytest.mark.parametrize("lang,width", [("fr", 390), ("en", 1280)])
def test_a_signed_in_citizen_finds_the_choice_in_another_browser(
        browser, site_url, people, lang, width):  # noqa: F811
    words = WORDS[lang]
    first, page = _context(browser, lang, width)
    sign_in(page, site_url, people.citizen, words["prefix"])
    _choose(page, words, text_size="larger", high=True)
    _looks(page, "larger", HIGH_COLOURS)

    second, other = _context(browser, lang, width)  # another browser: no cookie in common
    other.goto(f"{site_url}{words['prefix']}/")
    _looks(other, "normal", NORMAL_COLOURS)
    sign_in(other, site_url, people.citizen, words["prefix"])
    _looks(other, "larger", HIGH_COLOURS)
    _open(other)
    expect(other.get_by_role("button", name=words["larger"], exact=True)) \
        .to_have_attribute("aria-pressed", "true")
    assert _accessibility(other, high_contrast=True) == []
    # A change there is the account's too: the first browser sees it on its next page.
    _choose(other, words, text_size="normal")
    page.reload()
    _looks(page, "normal", HIGH_COLOURS)
    _close(second, other)
    _close(first, page)


@pytest.mark.parametrize("lang,width", [("fr", 1280), ("en", 390)])
def test_a_browser_asking_for_more_contrast_gets_high_contrast(browser, site_url, lang, width):
    words = WORDS[lang]
    context, page = _context(browser, lang, width, contrast="more")
    page.goto(f"{site_url}{words['prefix']}/")
    _looks(page, "normal", HIGH_COLOURS)
    _open(page)
    high = page.get_by_role("button", name=words["high"], exact=True)
    expect(high).to_have_attribute("aria-pressed", "true")  # what is drawn, not "auto"
    assert _accessibility(page, high_contrast=True) == []
    # The reader may still choose normal contrast, and keep it.
    _choose(page, words, high=True)
    expect(high).to_have_attribute("aria-pressed", "false")
    _looks(page, "normal", NORMAL_COLOURS)
    page.reload()
    _looks(page, "normal", NORMAL_COLOURS)
    _close(context, page)


# A map made by map_ui/basemap.js (the home page's), and a CSS transition on a new element.
MOTION = """() => {
  const probe = document.createElement("div");
  probe.style.transition = "opacity 1s";
  document.body.append(probe);
  const map = document.querySelector(".leaflet-container");
  return {transition: getComputedStyle(probe).transitionDuration,
          fade: map.classList.contains("leaflet-fade-anim"),
          zoom: map.querySelector(".leaflet-proxy.leaflet-zoom-animated") !== null};
}"""


@pytest.mark.parametrize("lang,width", [("fr", 390), ("en", 1280)])
def test_a_browser_asking_for_less_motion_gets_no_animation(browser, site_url, lang, width):
    prefix = WORDS[lang]["prefix"]
    moving, page = _context(browser, lang, width)
    page.goto(f"{site_url}{prefix}/")
    expect(page.locator(".leaflet-container")).to_be_visible()
    assert page.evaluate(MOTION) == {"transition": "1s", "fade": True, "zoom": True}
    _close(moving, page)

    still, page = _context(browser, lang, width, reduced_motion="reduce")
    page.goto(f"{site_url}{prefix}/")
    expect(page.locator(".leaflet-container")).to_be_visible()
    assert page.evaluate(MOTION) == {"transition": "0s", "fade": False, "zoom": False}
    # The map still zooms (at once).
    page.locator(".leaflet-control-zoom-in").click()
    _close(still, page)
