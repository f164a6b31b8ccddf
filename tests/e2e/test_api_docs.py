"""Swagger UI at /api/docs/ works with every other host unreachable: its code is ours."""
import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.django_db, pytest.mark.e2e]


def test_api_docs_render_from_our_own_files(page, site_url):
    elsewhere = []

    def only_ours(route):
        if route.request.url.startswith(site_url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_ours)
    page.goto(site_url + "/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Guichet API")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    assert not elsewhere
    assert not page.js_errors
