"""Bad input is a 4xx with a Spanish message, never a 500 (issue #10's reproductions)."""

import pytest

from tickets.models import Ticket

NUL_URLS = [
    "/reportar/recibido/%00/",
    "/seguimiento/7311-2026-000001%00/",
    "/seguimiento/?folio=%00",
    "/datos/tickets.csv?service=%00",
    "/noticias/?q=%00",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", NUL_URLS)
def test_a_nul_byte_anywhere_in_a_public_address_is_a_400_page_in_spanish(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "caracteres no válidos" in response.text
    assert '<html lang="es-MX">' in response.text  # the portal's own page


@pytest.mark.django_db
def test_a_nul_byte_in_a_rest_api_filter_is_a_json_400(client):
    response = client.get("/api/v1/tickets/?service=%00")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "La dirección contiene caracteres no válidos.",
        "code": "invalid_characters",
        "errors": {},
    }


@pytest.mark.django_db
def test_open311_keeps_answering_nul_bytes_in_its_own_error_format(client):
    response = client.get("/open311/v2/requests.json?service_code=%00")
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400


@pytest.mark.django_db
def test_a_nul_byte_in_a_submitted_form_is_refused_without_losing_the_rest(client, bacheo):
    response = client.post("/reportar/bacheo/", {"description": "Bache\x00 enorme", "address": "Calle 1"})
    assert response.status_code in (200, 400)
    assert Ticket.objects.count() == 0
    if response.status_code == 200:  # the form again, with what was typed
        assert "Calle 1" in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["status__exact=%00", "q=%00", "_facets=1", "delegacion=1", "delegacion=abc", "_facets=1&delegacion=1"],
)
def test_the_admin_ticket_list_answers_any_filter_without_a_500(client, supervisor, make_ticket, query):
    make_ticket()
    client.force_login(supervisor)
    response = client.get(f"/admin/tickets/ticket/?{query}")
    assert response.status_code in (200, 302, 400), response.status_code
    if "%00" in query:
        assert response.status_code == 400
    else:
        assert response.status_code == 200
