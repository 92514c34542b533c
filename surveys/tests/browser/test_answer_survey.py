"""A resident answers encuesta_7311 in a real browser and sees the results change."""

import re

import pytest
from playwright.sync_api import expect

from metepec7311.testing.browser import check_accessibility, screenshot
from surveys.models import Response

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def yes_count(page):
    row = page.locator("section.survey-result").first.locator("tbody tr", has_text="Sí")
    return int(row.locator("td").first.inner_text())


def test_answering_the_survey_moves_the_results(phone, desktop):
    page = phone
    page.goto("/encuesta_7311/resultados/")
    before = yes_count(page)
    page.goto("/encuesta_7311/")
    check_accessibility(page)
    # Guardar with nothing chosen: clear messages, nothing saved.
    page.get_by_role("button", name="Guardar").click()
    expect(page.locator("#resumen-errores")).to_be_visible()
    assert Response.objects.count() == 0
    questions = page.locator("fieldset.field")
    questions.nth(0).get_by_label("Sí").check()
    questions.nth(1).get_by_label("Atención de bacheo").check()
    questions.nth(1).get_by_label("Atención inmediata a fuga de agua").check()
    questions.nth(2).get_by_label("No").check()
    questions.nth(3).get_by_label("Mucho").check()
    screenshot(page, "09-encuesta")
    page.get_by_role("button", name="Guardar").click()
    page.wait_for_url(re.compile(r"/encuesta_7311/gracias/$"))
    check_accessibility(page)
    page.get_by_role("link", name="Ver los resultados").click()
    page.wait_for_url(re.compile(r"/encuesta_7311/resultados/$"))
    assert yes_count(page) == before + 1
    assert "1 respuesta" in page.locator(".lead").inner_text()
    check_accessibility(page)
    screenshot(page, "10-resultados")
    desktop.goto("/encuesta_7311/resultados/")
    screenshot(desktop, "10-resultados")
