"""Makes the app's PNG icons (core/static/core/icons/) from icon.svg, drawn by Debian's Chromium
through Playwright (the test suite's browser: nothing else to install). Run it after changing
the SVG (`make icons`) and commit the PNGs it writes:

- icon-192.png, icon-512.png: the manifest's "any" icons, the SVG as drawn (rounded corners,
  transparent outside them);
- icon-maskable-512.png: the manifest's "maskable" icon, full-bleed (the corners filled with
  the background colour: the launcher cuts its own shape; the drawing keeps to the safe circle);
- apple-touch-icon.png: 180 x 180, opaque and full-bleed, as iOS wants it (it rounds it)."""
import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parents[1] / "core" / "static" / "core" / "icons"
CHROMIUM = os.environ.get("GUICHET_CHROMIUM", "/usr/bin/chromium")
BACKGROUND = "#1e3a8a"  # the site header's colour, the SVG's own background
ICONS = [  # file, size in pixels, full-bleed
    ("icon-192.png", 192, False),
    ("icon-512.png", 512, False),
    ("icon-maskable-512.png", 512, True),
    ("apple-touch-icon.png", 180, True),
]
PAGE = """<!DOCTYPE html><html><head><style>
html, body {{ margin: 0; background: transparent; }}
div {{ width: {size}px; height: {size}px; background: {background}; }}
img {{ display: block; width: 100%; height: 100%; }}
</style></head><body><div><img src="data:image/svg+xml;base64,{svg}"></div></body></html>"""


def main() -> int:
    import base64

    svg = base64.b64encode((HERE / "icon.svg").read_bytes()).decode()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])
        for name, size, full_bleed in ICONS:
            page = browser.new_page(viewport={"width": size, "height": size},
                                    device_scale_factor=1)
            page.set_content(PAGE.format(size=size, svg=svg,
                                         background=BACKGROUND if full_bleed else "transparent"))
            page.locator("img").evaluate("img => img.decode()")
            page.locator("div").screenshot(path=str(HERE / name), omit_background=not full_bleed)
            page.close()
            print(f"{name}: {size} x {size}")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
