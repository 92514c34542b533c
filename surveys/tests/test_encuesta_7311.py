"""encuesta_7311: the city's exact questions, validation that keeps answers, results arithmetic."""

import csv
import io
import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from surveys.models import Answer, Response, Survey
from tickets.models import Service

URL = "/encuesta_7311/"


@pytest.fixture
def survey(db):
    return Survey.objects.get(slug="encuesta_7311")


def keys(survey):
    return {q.order: f"pregunta_{q.pk}" for q in survey.questions.all()}


@pytest.fixture
def answers(survey):
    """A complete, valid set of answers."""
    k = keys(survey)
    return {k[1]: "si", k[2]: ["bacheo", "alumbrado"], k[3]: "no", k[4]: "mucho"}


def test_it_has_exactly_the_citys_questions_in_order(survey):
    assert survey.intro == (
        "Nos interesa conocer su opinión sobre el reporte de las solicitudes ingresadas a través del Sistema "
        'Integral "Metepec *7311", en relación al número de tickets totales, en proceso y resueltos.'
    )
    assert survey.button_label == "Guardar"
    questions = list(survey.questions.order_by("order"))
    assert [q.text for q in questions] == [
        '¿Conoce nuestro servicio de reporte a través del Sistema Integral "Metepec *7311"?',
        "Basado en su experiencia, ¿Qué servicios públicos se deben atender como prioritarios?",
        "¿Considera la aplicación digital como un vínculo de comunicación eficaz y cercana entre el ciudadano y el "
        "municipio?",
        "Desde su perspectiva, la información publicada en la página oficial del Ayuntamiento de Metepec, relacionada "
        "a las solicitudes en materia de servicios públicos, ¿Es una práctica de rendición de cuentas?",
    ]
    assert [q.kind for q in questions] == ["yes_no", "multiple", "yes_no", "single"]
    assert [c.label for c in questions[0].choices.all()] == ["Sí", "No"]
    assert [c.label for c in questions[2].choices.all()] == ["Sí", "No"]
    assert [c.label for c in questions[3].choices.all()] == ["Mucho", "Poco", "Nada"]
    services = [c.label for c in questions[1].choices.all()]
    assert len(services) == 27 and questions[1].other_label == "Otro"
    assert set(services) == set(Service.objects.reportable_by_residents().values_list("name", flat=True))


def test_the_page_shows_intro_questions_and_the_guardar_button(client, survey):
    html = unescape(client.get(URL).text)
    assert survey.intro in html
    assert ">Guardar</button>" in html
    assert "Atención de bacheo" in html and re.search(r'value="__otro__"[^>]*>\s*Otro</label>', html)
    for personal in ("nombre", "correo", "teléfono", "Teléfono"):
        assert f'name="{personal}' not in html


def test_a_complete_answer_is_saved_and_thanked(client, survey, answers):
    response = client.post(URL, answers)
    assert response.status_code == 302 and response.url == "/encuesta_7311/gracias/"
    assert "Gracias por su opinión" in client.get(response.url).text
    saved = Response.objects.get()
    q2 = survey.questions.get(order=2)
    assert set(Answer.objects.get(response=saved, question=q2).choices.values_list("value", flat=True)) == {
        "bacheo",
        "alumbrado",
    }


def test_required_answers_are_enforced_and_choices_are_kept(client, survey, answers):
    k = keys(survey)
    partial = {k[1]: "si", k[2]: ["bacheo"]}
    response = client.post(URL, partial)
    assert response.status_code == 400
    html = response.text
    assert html.count("Responda esta pregunta.") >= 2  # listed in the summary and at each question
    assert re.search(rf'name="{k[1]}" value="si"[^>]*checked', html), "the chosen answer is kept"
    assert re.search(rf'name="{k[2]}" value="bacheo"[^>]*checked', html)
    assert not re.search(rf'name="{k[2]}" value="escombro"[^>]*checked', html)
    assert not Response.objects.exists()
    empty_multiple = client.post(URL, {**answers, k[2]: []})
    assert "Elija al menos una opción." in empty_multiple.text


def test_otro_needs_its_text(client, survey, answers):
    k = keys(survey)
    response = client.post(URL, {**answers, k[2]: ["__otro__"]})
    assert "Escriba cuál es la otra opción." in response.text
    client.post(URL, {**answers, k[2]: ["__otro__", "bacheo"], f"{k[2]}_otro": "Ciclovías"})
    answer = Answer.objects.get(question__order=2)
    assert answer.other and answer.text == "Ciclovías"


def test_bots_are_kept_out(client, survey, answers, settings):
    assert client.post(URL, {**answers, "website": "http://spam"}).status_code == 400
    settings.SURVEY_RATE_LIMIT = "2/h"
    for _ in range(2):
        client.post(URL, answers)
    limited = client.post(URL, answers)
    assert limited.status_code == 429 and "Recibimos muchas respuestas" in limited.text
    assert Response.objects.count() == 2
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(URL, answers).status_code == 403


def test_results_count_and_percentages(client, survey):
    k = keys(survey)
    sent = [
        {k[1]: "si", k[2]: ["bacheo", "alumbrado"], k[3]: "si", k[4]: "mucho"},
        {k[1]: "si", k[2]: ["bacheo"], k[3]: "no", k[4]: "poco"},
        {k[1]: "no", k[2]: ["fuga-agua", "__otro__"], f"{k[2]}_otro": "Seguridad", k[3]: "si", k[4]: "mucho"},
        {k[1]: "si", k[2]: ["bacheo"], k[3]: "si", k[4]: "nada"},
    ]
    for number, data in enumerate(sent):
        Client(REMOTE_ADDR=f"10.0.0.{number}").post(URL, data)
    from surveys.responses import results

    result = results(survey)
    assert result["total"] == 4
    by_question = {item["question"].order: item for item in result["questions"]}
    q1 = {row["label"]: (row["count"], row["pct"]) for row in by_question[1]["rows"]}
    assert q1 == {"Sí": (3, 75.0), "No": (1, 25.0)}
    q2 = {row["label"]: (row["count"], row["pct"]) for row in by_question[2]["rows"]}
    assert q2["Atención de bacheo"] == (3, 75.0)
    assert q2["Atención al mantenimiento de alumbrado público"] == (1, 25.0)
    assert q2["Otro"] == (1, 25.0)
    q4 = {row["label"]: row["count"] for row in by_question[4]["rows"]}
    assert q4 == {"Mucho": 2, "Poco": 1, "Nada": 1}
    html = client.get("/encuesta_7311/resultados/").text
    assert "4 respuestas" in html and "75.0&nbsp;%" in html and "Seguridad" not in html


def test_results_are_counted_once_and_refreshed_by_each_new_response(
    client, survey, answers, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, answers)
    assert "1 respuesta" in client.get("/encuesta_7311/resultados/").text
    with django_assert_max_num_queries(3):  # the survey row (and session/user), no counting
        client.get("/encuesta_7311/resultados/")
    with django_capture_on_commit_callbacks(execute=True):
        Client(REMOTE_ADDR="10.0.0.9").post(URL, answers)
    assert "2 respuestas" in client.get("/encuesta_7311/resultados/").text


def test_staff_export_responses_as_csv(client, survey, answers, supervisor):
    client.post(URL, answers)
    client.force_login(supervisor)
    response = client.post(
        reverse("admin:surveys_survey_changelist"),
        {
            "action": "export_responses",
            "_selected_action": [survey.pk],
        },
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][3].startswith("1. ¿Conoce nuestro servicio")
    assert rows[1][3] == "Sí" and "Atención de bacheo" in rows[1][4] and rows[1][6] == "Mucho"
