"""The public map of reports (/mapa/) in a real browser: clusters, a click to a report's page,
the list without JavaScript, and axe-core."""

import math
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from metepec7311.testing.browser import check_accessibility, check_fits_the_screen, screenshot
from stats import publicmap

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def neighbourhood(make_ticket):
    """Twelve potholes a couple of hundred metres apart, inside one cell of the clusters' grid at
    the city's zoom (13) near the centre, and one light far away."""
    size = publicmap.cell_size(13)
    middle = [(math.floor(Decimal(v) / size) + Decimal("0.5")) * size for v in ("19.2470", "-99.5880")]
    lat0, lon0 = (v.quantize(Decimal("0.000001")) for v in middle)
    block = [
        make_ticket(
            "bacheo",
            latitude=lat0 + Decimal("0.002") * (i // 4 - 1),
            longitude=lon0 + Decimal("0.002") * (i % 4 - 2) + Decimal("0.001"),
        )
        for i in range(12)
    ]
    alone = make_ticket("alumbrado", latitude=Decimal("19.2290"), longitude=Decimal("-99.5620"))
    return block, alone


def test_the_map_clusters_then_a_click_opens_the_report(phone, desktop, neighbourhood):
    block, alone = neighbourhood
    for page in (desktop, phone):
        page.goto("/mapa/")
        cluster = page.locator(".map-cluster", has_text="12")
        expect(cluster).to_be_visible()
        expect(page.locator("[data-map-status]")).to_contain_text("13 reportes en esta vista")
        check_accessibility(page)
        check_fits_the_screen(page)
        screenshot(page, "20-mapa")
    page = phone
    cluster.click()  # zooms in on the group: now every report is its own point
    expect(page.locator(".map-cluster")).to_have_count(0)
    points = page.locator(".leaflet-marker-icon:has(.map-point)")
    expect(points.first).to_be_visible()
    screenshot(page, "21-mapa-acercado")
    title = points.first.get_attribute("title")
    folio = re.search(r"7311-\d{4}-\d{6}", title).group(0)
    assert folio in {t.folio for t in block}
    points.first.click()
    page.wait_for_url(f"**/seguimiento/{folio}/")
    expect(page.locator("h1")).to_contain_text(folio)


def test_the_list_has_the_same_reports_without_javascript(phone_without_js, neighbourhood):
    block, alone = neighbourhood
    page = phone_without_js
    page.goto("/mapa/")
    expect(page.locator("[data-map-noscript]")).to_be_visible()
    links = page.locator(".report-list a")
    expect(links).to_have_count(13)
    page.select_option("#f-servicio", "alumbrado")
    page.get_by_role("button", name="Aplicar").click()
    expect(links).to_have_count(1)
    links.first.click()
    page.wait_for_url(f"**/seguimiento/{alone.folio}/")
    # (axe-core needs JavaScript: it ran on this page in the test above, and on the filtered
    # page in the next one.)


def test_the_filtered_map_passes_the_accessibility_check(desktop, neighbourhood):
    page = desktop
    page.goto("/mapa/?servicio=bacheo&estado=nuevo")
    expect(page.locator(".map-cluster", has_text="12")).to_be_visible()
    expect(page.locator(".report-list a")).to_have_count(12)
    check_accessibility(page)
    screenshot(page, "22-mapa-filtrado")
