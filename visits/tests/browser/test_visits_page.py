"""/estadisticas/visitas/ in a real browser, on a phone and a desktop: axe-core passes, nothing
pushes the page sideways, and the charts are there without JavaScript."""

from datetime import timedelta

import pytest
from django.utils import timezone

from metepec7311.testing.browser import check_accessibility, check_fits_the_screen, screenshot
from visits.models import DailyVisits, Dimension

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WEEK = {
    Dimension.COUNTRY: {"México": 0.9, "Estados Unidos": 0.06, "desconocido": 0.04},
    Dimension.CITY: {
        "Metepec (México)": 0.4,
        "Toluca (México)": 0.3,
        "Ciudad de México (México)": 0.15,
        "Zinacantepec (México)": 0.1,
        "desconocido": 0.05,
    },
    Dimension.BROWSER: {"Chrome Mobile": 0.5, "Mobile Safari": 0.2, "Chrome": 0.2, "Firefox": 0.1},
    Dimension.OS: {"Android": 0.55, "iOS": 0.2, "Windows": 0.2, "Mac OS X": 0.05},
    Dimension.DEVICE: {"móvil": 0.75, "escritorio": 0.22, "tableta": 0.03},
    Dimension.REFERRER: {"ninguno": 0.7, "facebook.com": 0.2, "google.com": 0.1},
    Dimension.PAGE: {
        "/": 0.5,
        "/reportar/": 0.2,
        "/reportar/bacheo/": 0.15,
        "/seguimiento/": 0.1,
        "/estadisticas/": 0.05,
    },
}


def seed_week():
    today = timezone.localdate()
    rows = []
    for back in range(7):
        day = today - timedelta(days=back)
        visitors = 120 + 37 * (back % 3) + 11 * back
        rows.append(
            DailyVisits(day=day, dimension=Dimension.TOTAL, value="", pageviews=visitors * 3, visitors=visitors)
        )
        for dimension, shares in WEEK.items():
            for value, share in shares.items():
                v = round(visitors * share)
                rows.append(DailyVisits(day=day, dimension=dimension, value=value, pageviews=v * 3, visitors=v))
    DailyVisits.objects.bulk_create(rows)


def test_the_visits_page_passes_the_accessibility_check_on_a_phone_and_a_desktop(phone, desktop):
    seed_week()
    for page in (phone, desktop):
        page.goto("/estadisticas/visitas/")
        assert page.locator("h1").inner_text() == "Visitas al portal"
        assert page.locator("svg.visits-line polyline").count() == 2
        assert page.locator("svg.visits-bars").count() == 6
        check_accessibility(page)
        check_fits_the_screen(page)
        screenshot(page, "40-visitas")


def test_the_charts_need_no_javascript(phone_without_js):
    seed_week()
    phone_without_js.goto("/estadisticas/visitas/")
    assert phone_without_js.locator("svg.visits-bars rect.bar").count() >= 20
    check_fits_the_screen(phone_without_js)
