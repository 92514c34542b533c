"""The pages the public and the press read, checked with axe-core in a real browser."""

import pytest
from django.core.management import call_command

from metepec7311.testing.browser import check_accessibility, check_fits_the_screen, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    "url, name",
    [
        ("/", "11-inicio"),
        ("/estadisticas/", "12-estadisticas"),
        ("/estadisticas/?desde=2026-01&hasta=2026-12&servicio=bacheo", "13-estadisticas-filtradas"),
        ("/datos/", "14-datos"),
        ("/mapa/", "23-mapa-demo"),
        ("/noticias/", "15-noticias"),
        ("/noticias/programa-bacheo-2026/", "16-noticia"),
        ("/encuesta_7311/", "17-encuesta"),
        ("/encuesta_7311/resultados/", "18-resultados-encuesta"),
        ("/reportar/", "19-servicios"),
    ],
)
def test_public_pages_pass_the_accessibility_check(phone, desktop, url, name):
    call_command("seed_demo", tickets=300, verbosity=0)
    call_command("recompute_stats", verbosity=0)
    for page in (phone, desktop):
        page.goto(url)
        check_accessibility(page)
        check_fits_the_screen(page)
        screenshot(page, name)
