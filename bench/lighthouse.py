"""Lighthouse on the demo town (issue 14): the home, property, report and dashboard pages in
Lighthouse's mobile setting (its default: a simulated mid-range phone on a slow 4G link),
through gunicorn (2 gthread workers x 4 threads, DEBUG off) on the `guichet` database with the
demo loaded (`make demo-data`), Debian's Chromium, no network beyond loopback.

    make bench-lighthouse            # npm installs Lighthouse 12.2.3 into bench/node_modules

Targets: accessibility 100, best practices >= 95, performance >= 90 on each page. Lighthouse 12
has no PWA category any more (removed in 12.0): the installability check is Chromium's own,
in tests/e2e/test_installable_app.py. Writes bench/work/lighthouse/*.json (the full reports) and
prints a Markdown table for bench/RESULTS.md."""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import benchdb  # noqa: E402
from http_load import HOST, PORT, gunicorn  # noqa: E402

LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("GUICHET_CHROMIUM", "/usr/bin/chromium")
DEMO_URL = f"postgis://postgres@{benchdb.HOST}:{benchdb.PORT}/guichet"
TARGETS = {"accessibility": 100, "best-practices": 95, "performance": 90}
CITIZEN = "lighthouse-bench@example.org"

# A citizen of the demo with the first property linked and verified, signed in: the session
# cookie the dashboard is measured with (a test client's force_login, in a Django child).
SESSION = f"""
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client
from citizens.models import PropertyLink
from properties.models import Property
user, _ = get_user_model().objects.get_or_create(username="lighthouse-bench",
                                                 defaults={{"email": "{CITIZEN}"}})
EmailAddress.objects.get_or_create(user=user, email="{CITIZEN}",
                                   defaults={{"primary": True, "verified": True}})
prop = Property.objects.exclude(address_point=None).exclude(addresses=None).order_by("pk")[5]
PropertyLink.objects.get_or_create(user=user, property=prop, defaults={{
    "role": "owner", "status": "verified", "method": "code"}})
client = Client()
client.force_login(user)
print("COOKIE", client.cookies["sessionid"].value, prop.pk)
"""


def _django(code: str) -> str:
    env = benchdb.django_env(DATABASE_URL=DEMO_URL)
    out = subprocess.run([benchdb.PY, "manage.py", "shell", "-c", code], cwd=benchdb.ROOT,
                         env=env, capture_output=True, text=True, check=True)
    return out.stdout


def _lighthouse(url: str, out: Path, headers: dict | None = None) -> dict:
    cmd = [str(LIGHTHOUSE), url, "--output=json", f"--output-path={out}", "--quiet",
           "--only-categories=performance,accessibility,best-practices",
           "--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run "
           "--disable-background-networking --disable-component-update --disable-sync"]
    if headers:
        cmd.append(f"--extra-headers={json.dumps(headers)}")
    subprocess.run(cmd, check=True, env={**os.environ, "CHROME_PATH": CHROMIUM},
                   timeout=300)
    report = json.loads(out.read_text())
    scores = {key: round(cat["score"] * 100) for key, cat in report["categories"].items()}
    failing = {key: [a["id"] for a in report["audits"].values()
                     if a.get("score") is not None and a["score"] < 1
                     and a["id"] in {r["id"] for r in cat["auditRefs"] if r["weight"] > 0}]
               for key, cat in report["categories"].items()}
    fcp = report["audits"]["first-contentful-paint"]["numericValue"]
    lcp = report["audits"]["largest-contentful-paint"]["numericValue"]
    return {"scores": scores, "failing": failing, "fcp_ms": fcp, "lcp_ms": lcp}


def main() -> int:
    if not LIGHTHOUSE.exists():
        print("Lighthouse is missing: run `make bench-lighthouse` (npm installs it in bench/).")
        return 2
    cookie, prop = _django(SESSION).split("COOKIE ", 1)[1].split()
    work = HERE / "work" / "lighthouse"
    work.mkdir(parents=True, exist_ok=True)
    pages = [("Home `/`", "/", None),
             (f"Property page `/propriete/{prop}/`", f"/propriete/{prop}/", None),
             ("Report a problem `/signaler/`", "/signaler/", None),
             ("Dashboard `/mon-compte/` (signed in)", "/mon-compte/",
              {"Cookie": f"sessionid={cookie}"})]
    rows, ok = [], True
    with tempfile.TemporaryDirectory() as tmp, gunicorn(2, 4, Path(tmp) / "gunicorn.log",
                                                         env={"DATABASE_URL": DEMO_URL}):
        for name, path, headers in pages:
            slug = path.strip("/").replace("/", "-") or "home"
            result = _lighthouse(f"http://{HOST}:{PORT}{path}", work / f"{slug}.json", headers)
            passed = all(result["scores"][k] >= v for k, v in TARGETS.items())
            ok = ok and passed
            rows.append((name, result, passed))
    print("| Page | Performance | Accessibility | Best practices | FCP / LCP (simulated) "
          "| Below 100 | Target |")
    print("|---|---|---|---|---|---|---|")
    for name, r, passed in rows:
        s = r["scores"]
        below = "; ".join(f"{k}: {', '.join(v)}" for k, v in r["failing"].items() if v) or "—"
        print(f"| {name} | {s['performance']} | {s['accessibility']} | {s['best-practices']} "
              f"| {r['fcp_ms'] / 1000:.1f} s / {r['lcp_ms'] / 1000:.1f} s | {below} "
              f"| {'**PASS**' if passed else '**FAIL**'} |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
