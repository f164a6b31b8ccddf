"""A real server on the test database and Debian's headless Chromium driven by Playwright."""
import os
import shutil
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

CHROMIUM = os.environ.get("GUICHET_CHROMIUM", "/usr/bin/chromium")
# Flags for a closed network: without them Chromium keeps calling Google's services.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site_url(django_db_setup, django_db_blocker):
    """The whole Django application (static files through WhiteNoise, as in production) served
    from a thread. Only reads in these tests; the demo was committed by django_db_setup."""
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    call_command("collectstatic", "--noinput", verbosity=0)
    with django_db_blocker.unblock():
        httpd = make_server("127.0.0.1", 0, get_wsgi_application(),
                            server_class=_ThreadingServer, handler_class=_QuietHandler)
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{httpd.server_port}"
        httpd.shutdown()
        # The server threads kept their connections (CONN_MAX_AGE): end them so that the test
        # database can be dropped.
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium.")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop, our ORM
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


# Every page of every e2e test reports its Content-Security-Policy violations (the event, and the
# console's "Refused to ..." line): a test ending with one fails.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolation(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"}`
                        + ` at ${e.sourceFile || e.documentURI}:${e.lineNumber}`);
});
"""


def watch_csp(context):
    """Record `context`'s CSP violations in the returned list (its pages, present and future)."""
    violations = []
    context.expose_function("__cspViolation", lambda text: violations.append(text))
    context.add_init_script(CSP_LISTENER)

    def on_console(message):
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    context.on("console", on_console)
    return violations


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-CA", viewport={"width": 1280, "height": 900})
    violations = watch_csp(context)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    page.csp_violations = violations
    yield page
    context.close()
    assert not violations, f"Content-Security-Policy violations: {violations}"
