"""Reflow (WCAG 2.2 1.4.10) and phones (issue 14): on a 390 px phone (a mobile browser, which
zooms a page out when it is wider than the screen) and at 320 px (400 % zoom of a 1280 px
window), the main pages never scroll sideways, the header spans the screen, and the tables
become stacked lists that screen readers still read as tables; at 1280 px the tables stay
tables. axe finds nothing serious or critical on them, in normal and in high contrast (and, in
high contrast, no text under 7:1). In French and English."""
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import watch_csp
from tests.e2e.people import LONG_ADDRESS, people, sign_in  # noqa: F401 (the fixture)
from tests.e2e.test_display import WORDS, _accessibility

pytestmark = [pytest.mark.django_db, pytest.mark.e2e]

# scrollWidth of the page, the window's width, the header's width, the screen's: equal unless
# something is too wide (then the page scrolls sideways, or a phone zooms it out).
WIDTHS = """() => ({page: document.scrollingElement.scrollWidth, window: window.innerWidth,
  header: Math.round(document.querySelector(".site-header").getBoundingClientRect().width),
  screen: screen.width})"""
# The elements that reach past the window's right edge (to say what is too wide).
TOO_WIDE = """() => [...document.querySelectorAll("body *")]
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1
                 && !e.closest(".leaflet-container, .visually-hidden, thead"))
  .slice(0, 5).map((e) => `${e.tagName}.${e.className} ${(e.textContent || "").slice(0, 40)}`)"""


def _citizen_pages(who):
    yield "home", "/"
    yield "property", f"/propriete/{who.property_id}/"
    yield "reports", "/signalements/"
    yield "report form", "/signaler/"
    yield "dashboard", "/mon-compte/"
    yield "taxes", f"/mon-compte/taxes/{who.link_id}/"
    yield "my requests", "/mon-compte/demandes/"


def _staff_pages(who):
    yield "queue", "/personnel/demandes/"


def _phone(browser, lang, width):
    """A phone's browser: it honours the viewport meta and zooms out a page wider than it."""
    if width == 1280:
        options = {"viewport": {"width": 1280, "height": 900}}
    else:
        options = {"viewport": {"width": width, "height": 844}, "is_mobile": True,
                   "has_touch": True, "device_scale_factor": 3}
    context = browser.new_context(locale=WORDS[lang]["locale"], **options)
    context.csp_violations = watch_csp(context)
    return context


def _fits(page, width, label):
    widths = page.evaluate(WIDTHS)
    expected = {"page": width, "window": width, "header": width, "screen": width}
    assert widths == expected, (label, widths, page.evaluate(TOO_WIDE))


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_main_pages_fit_the_screen_and_pass_axe_in_both_contrasts(
        browser, site_url, people, lang, width):  # noqa: F811
    prefix = WORDS[lang]["prefix"]
    for email, pages in ((people.citizen, _citizen_pages(people)),
                         (people.clerk, _staff_pages(people))):
        context = _phone(browser, lang, width)
        page = context.new_page()
        errors = page.js_errors = []
        page.on("pageerror", lambda exc, page=page: page.js_errors.append(str(exc)))
        sign_in(page, site_url, email, prefix)
        for name, path in pages:
            for contrast in ("normal", "high"):
                # The browser's choice (a cookie, as the header's button leaves it).
                context.add_cookies([{"name": "guichet_display", "value": f"normal.{contrast}",
                                      "url": site_url}])
                page.goto(f"{site_url}{prefix}{path}")
                page.wait_for_load_state("networkidle")
                label = f"{name} ({lang}, {width} px, {contrast} contrast)"
                assert page.locator("html").get_attribute("data-contrast") == contrast
                _fits(page, width, label)
                assert _accessibility(page, high_contrast=contrast == "high") == [], label
            if width == 390:  # 400 % zoom of a 1280 px window: 320 px
                page.set_viewport_size({"width": 320, "height": 640})
                widths = page.evaluate(WIDTHS)
                assert widths["page"] == widths["window"] == 320, (name, widths,
                                                                   page.evaluate(TOO_WIDE))
                page.set_viewport_size({"width": 390, "height": 844})
        assert not errors and not context.csp_violations
        context.close()


def test_the_largest_text_on_a_small_phone_still_fits(browser, site_url, people):  # noqa: F811
    """The reader's largest text (150 %) on a 320 px phone: 213 px of 16 px text."""
    context = _phone(browser, "fr", 320)
    context.add_cookies([{"name": "guichet_display", "value": "larger.auto", "url": site_url}])
    page = context.new_page()
    sign_in(page, site_url, people.citizen)
    for name, path in _citizen_pages(people):
        page.goto(site_url + path)
        page.wait_for_load_state("networkidle")
        _fits(page, 320, name)
    context.close()


# The browser's accessibility tree (what a screen reader gets), through the DevTools protocol:
# the roles of a table's nodes, and the text of its first data cell.
def _table_as_read(page, selector):
    cdp = page.context.new_cdp_session(page)
    document = cdp.send("DOM.getDocument", {"depth": 0})
    table = cdp.send("DOM.querySelector", {"nodeId": document["root"]["nodeId"],
                                           "selector": selector})
    tree = cdp.send("Accessibility.getPartialAXTree", {"nodeId": table["nodeId"],
                                                       "fetchRelatives": False})["nodes"]
    roles = {tree[0]["role"]["value"]}
    nodes = cdp.send("Accessibility.queryAXTree", {"nodeId": table["nodeId"]})["nodes"]
    roles |= {n["role"]["value"] for n in nodes}
    cell = cdp.send("DOM.querySelector", {"nodeId": table["nodeId"], "selector": "tbody td"})
    [cell_node, *_] = cdp.send("Accessibility.getPartialAXTree",
                               {"nodeId": cell["nodeId"], "fetchRelatives": False})["nodes"]
    cdp.detach()
    return roles, cell_node.get("name", {}).get("value", "")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_table_is_a_list_on_a_phone_and_still_a_table_to_a_screen_reader(
        browser, site_url, people, lang):  # noqa: F811
    words = {"fr": ("Catégorie", "Adresse"), "en": ("Category", "Address")}[lang]
    context = _phone(browser, lang, 390)
    page = context.new_page()
    page.goto(f"{site_url}{WORDS[lang]['prefix']}/signalements/")
    table = page.get_by_test_id("reports")
    row = table.locator("tbody tr").first
    # Stacked: the cells one under the other, each after its column's name; no header row.
    expect(table.locator("thead")).to_have_css("position", "absolute")
    boxes = [c.bounding_box() for c in row.locator("th, td").all()[:3]]
    assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]
    assert all(b["x"] == boxes[0]["x"] for b in boxes)
    labels = row.locator("td").evaluate_all(
        "(cells) => cells.map((td) => getComputedStyle(td, '::before').content)")
    assert labels[0].startswith(f'"{words[0]}') and labels[1].startswith(f'"{words[1]}')
    assert LONG_ADDRESS in row.inner_text()

    roles, first_cell = _table_as_read(page, "[data-testid=reports]")
    assert {"table", "row", "columnheader", "rowheader", "cell"} <= roles, roles
    # The column's name drawn before the cell is a picture only: not read twice.
    assert words[0] not in first_cell and first_cell, first_cell

    page.set_viewport_size({"width": 1280, "height": 900})  # a table again
    expect(table.locator("thead")).not_to_have_css("position", "absolute")
    boxes = [c.bounding_box() for c in row.locator("th, td").all()[:3]]
    assert boxes[0]["y"] == boxes[1]["y"] == boxes[2]["y"]
    assert row.locator("td").first.evaluate(
        "(td) => getComputedStyle(td, '::before').content") == "none"
    context.close()


def _other_pages_with_tables(who):
    """Per person, the other pages that hold tables."""
    yield who.citizen, ["/mon-compte/menage/", "/mon-compte/journal/", "/mon-compte/alertes/",
                        f"/collectes/propriete/{who.property_id}/2026/"]
    yield who.clerk, ["/personnel/liens/", "/personnel/collectes/", "/personnel/alertes/"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_other_pages_with_tables_fit_a_small_phone(browser, site_url, people,  # noqa: F811
                                                       lang):
    prefix = WORDS[lang]["prefix"]
    for email, paths in _other_pages_with_tables(people):
        context = _phone(browser, lang, 320)
        page = context.new_page()
        sign_in(page, site_url, email, prefix)
        for path in paths:
            page.goto(f"{site_url}{prefix}{path}")
            _fits(page, 320, path)
        assert not context.csp_violations
        context.close()
