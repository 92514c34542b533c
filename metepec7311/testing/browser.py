"""Pytest plugin: Playwright driving Debian's Chromium against a live server.

Skipped with a one-line reason when Chromium, Playwright or axe-core are missing, unless
REQUIRE_SERVICES names chromium (CI). Screenshots go to test-artifacts/screenshots/.
"""

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture(scope="session")
def chromium():
    from conftest import require_service  # the root conftest (imported lazily: it loads this plugin)

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    available = sync_playwright is not None and (Path(CHROMIUM).exists() or shutil.which(CHROMIUM))
    require_service("chromium", available, "apt-get install chromium (and pip install -r requirements.txt)")
    require_service("chromium", AXE.exists(), "npm ci (axe-core for the accessibility checks)")
    # Playwright's sync API keeps an event loop running in this thread; the tests' own ORM
    # calls are synchronous and safe, so Django's async guard is lifted for them.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_settings(settings):
    settings.SERVE_MEDIA = True
    # No internet here: tiles would only produce failed requests in the console.
    settings.MAP_TILE_URL = "/static/tickets/tile.png?{z}/{x}/{y}"
    # The worker would fetch every report form in the background of each test; the app's
    # own tests (tickets/tests/browser/test_resident_app.py) turn it on.
    settings.SERVICE_WORKER = False


def _new_page(chromium, live_server, viewport, javascript):
    context = chromium.new_context(
        viewport=viewport, locale="es-MX", java_script_enabled=javascript, base_url=live_server.url
    )
    context.set_default_timeout(15000)
    return context, context.new_page()


@pytest.fixture
def phone(chromium, live_server, browser_settings):
    """A resident's phone."""
    context, page = _new_page(chromium, live_server, PHONE, javascript=True)
    yield page
    context.close()


@pytest.fixture
def phone_without_js(chromium, live_server, browser_settings):
    context, page = _new_page(chromium, live_server, PHONE, javascript=False)
    yield page
    context.close()


@pytest.fixture
def desktop(chromium, live_server, browser_settings):
    context, page = _new_page(chromium, live_server, DESKTOP, javascript=True)
    yield page
    context.close()


def screenshot(page, name):
    """Save a full-page screenshot to the git-ignored artifacts folder."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    label = "telefono" if page.viewport_size["width"] < 600 else "escritorio"
    page.screenshot(path=SCREENSHOTS / f"{name}-{label}.png", full_page=True)


def check_accessibility(page):
    """Run axe-core (WCAG 2.1 A and AA rules) on the page; fail with the violations."""
    page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluate is not subject to the page's CSP
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
    assert problems == [], "\n".join(problems)


def check_fits_the_screen(page):
    """Nothing pushes the page sideways (tables scroll inside their own frame)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"
