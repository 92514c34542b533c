"""The database unreachable: downloads answer 503 before their first byte, pages the portal's
own Spanish 503, never a 500 or a server's English page. The database is made unreachable
for real (its port, or its file, moved away), not mocked."""

import pytest
from django.db import OperationalError, connection

from metepec7311.testing.redis_server import free_port
from stats import opendata

DOWNLOADS = [
    "/datos/tickets.csv",
    "/datos/tickets.json",
    "/datos/tickets.geojson",
    "/datos/agregados-diarios.csv",
    "/datos/calificaciones-mensuales.csv",
]


@pytest.fixture
def database_unreachable(transactional_db):
    settings_dict = connection.settings_dict
    saved = dict(settings_dict)
    connection.close()
    if connection.vendor == "postgresql":
        settings_dict["PORT"] = str(free_port())  # nothing listens there
    else:
        settings_dict["NAME"] = "/nonexistent-directory/db.sqlite3"
    yield
    connection.close()
    settings_dict.clear()
    settings_dict.update(saved)


@pytest.mark.parametrize("url", DOWNLOADS)
def test_a_download_answers_503_before_its_first_byte(database_unreachable, client, url):
    response = client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert not response.streaming  # no header line of a file that never comes
    assert "No podemos consultar los datos" in response.content.decode()


@pytest.mark.parametrize("url", ["/seguimiento/7311-2026-000001/", "/estadisticas/", "/noticias/"])
def test_pages_answer_the_portals_own_503(database_unreachable, client, url):
    response = client.get(url)
    assert response.status_code == 503
    assert '<html lang="es-MX">' in response.content.decode()


def test_the_rest_api_answers_a_json_503(database_unreachable, client):
    response = client.get("/api/v1/tickets/")
    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"


@pytest.mark.django_db
def test_a_download_that_breaks_midway_never_ends_like_a_complete_file(client, make_ticket, monkeypatch):
    make_ticket()
    make_ticket()

    # The connection drops after the first row: in the ORM's rows (SQLite) or in COPY's
    # output (PostgreSQL), whichever the export reads.
    def breaking(source):
        def broken(*args):
            iterator = source(*args)
            try:
                yield next(iterator)
            finally:
                iterator.close()  # as a dropped connection ends the COPY: nothing left half-read
            raise OperationalError("server closed the connection unexpectedly")

        return broken

    monkeypatch.setattr(opendata, "BATCH_BYTES", 1)
    monkeypatch.setattr(opendata, "ticket_rows", breaking(opendata.ticket_rows))
    monkeypatch.setattr(opendata, "_copy_batches", breaking(opendata._copy_batches))
    response = client.get("/datos/tickets.json")
    assert response.status_code == 200  # the first bytes were already sent
    received = []
    with pytest.raises(OperationalError):  # the server aborts the transfer…
        for chunk in response.streaming_content:
            received.append(chunk)
    assert b"".join(received).startswith(b"[") and not b"".join(received).rstrip().endswith(b"]")  # …unclosed


def test_open311_answers_its_own_error_document(database_unreachable, client):
    response = client.get("/open311/v2/requests.json")
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert response.json()[0]["code"] == 503
