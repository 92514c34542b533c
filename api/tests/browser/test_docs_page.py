"""The API's browsable docs work in a real browser under the site's Content-Security-Policy,
with nothing loaded from other sites, and can call the API ("Try it out")."""

import pytest

from metepec7311.testing.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_renders_and_tries_an_endpoint(desktop, live_server):
    blocked, outside = [], []
    desktop.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    desktop.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
    desktop.goto("/api/docs/")
    desktop.wait_for_selector(".opblock-tag", timeout=20000)
    assert desktop.locator(".opblock").count() >= 20  # every operation listed
    banner = desktop.locator(".opblock-summary-path", has_text="/api/v1/stats/banner").first
    banner.click()
    desktop.get_by_role("button", name="Try it out").first.click()
    desktop.get_by_role("button", name="Execute").first.click()
    desktop.wait_for_selector(".responses-table .response-col_status", timeout=20000)
    screenshot(desktop, "40-api-docs")
    assert blocked == [] and outside == []
