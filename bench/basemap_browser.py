"""The basemap in Debian's headless Chromium (issue 14, point 1): for each renderer, the time from
navigation and from the page's load event to the first frame showing street names and parcels
(the performance mark "basemap-ready", map_ui/static/map_ui/basemap.js) and the bytes the page
transferred, median of RUNS fresh browser contexts (cold cache).

    .venv/bin/python bench/basemap_browser.py http://127.0.0.1:8000 [PATH] [--runs 5]

Serve the site as in production (gunicorn, after `make static`: compressed static files).
docs/basemap.md records the figures and the choice they made."""
import argparse
import statistics

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage"]
MODES = [("canvas (the default)", [], "?basemap=canvas"),
         ("maplibre (WebGL: SwiftShader)", [], "?basemap=maplibre"),
         ("canvas, --disable-webgl", ["--disable-webgl"], "?basemap=maplibre")]
TIMING = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const ready = performance.getEntriesByName("basemap-ready")[0].startTime;
  return [ready, ready - nav.loadEventEnd];
}"""


def measure(base: str, path: str, runs: int) -> list[tuple[str, float, float, float]]:
    out = []
    page_path, _, view = path.partition("#")
    with sync_playwright() as p:
        for name, flags, query in MODES:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                        args=ARGS + flags)
            rows = []
            for _ in range(runs):
                context = browser.new_context(viewport={"width": 1280, "height": 900},
                                              locale="fr-CA")
                page = context.new_page()
                sizes = []
                page.on("requestfinished", lambda r, sizes=sizes: sizes.append(
                    r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"]))
                page.goto(base + page_path + query + (f"#{view}" if view else ""))
                page.wait_for_selector("[data-basemap-ready]", state="attached", timeout=30000)
                ready, after_load = page.evaluate(TIMING)
                page.wait_for_timeout(1500)  # the rest of the view's tiles, for the bytes
                rows.append((ready, after_load, sum(sizes)))
                context.close()
            browser.close()
            out.append((name, *(statistics.median(r[i] for r in rows) for i in range(3))))
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("path", nargs="?", default="/")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"{args.path}: median of {args.runs}")
    for name, ready, after_load, size in measure(args.base, args.path, args.runs):
        print(f"  {name:32s} {ready:6.0f} ms from navigation, {after_load:6.0f} ms after load, "
              f"{size / 1024:6.0f} KiB")


if __name__ == "__main__":
    main()
