"""Importing Zendesk exports and Open311 documents, and finding an old ticket by its number."""

import json

import pytest

from conftest import local
from tickets.models import Status, Ticket, TicketEvent
from tickets.tests.importing import HEADER, INSIDE, run_command, write, xlsx

pytestmark = pytest.mark.django_db
SERVICE_FIELD = 360001  # the custom field that held the service in the Gerencia's Zendesk
OTHER_FIELD = 360002  # a field of numbers (neighbours affected) that must not be taken for it


def zendesk_ticket(number, status, *, service="atencion_de_bacheo", via="web", **extra):
    return {
        "id": number,
        "subject": "Reporte ciudadano",
        "description": "Bache grande frente a la escuela.\nLleva semanas.",
        "status": status,
        "created_at": "2025-03-03T16:20:00Z",
        "updated_at": "2025-03-06T18:00:00Z",
        "via": {"channel": via, "source": {}},
        "custom_fields": [{"id": SERVICE_FIELD, "value": service}, {"id": OTHER_FIELD, "value": "3"}],
        **extra,
    }


def zendesk_export():
    return {
        "tickets": [
            zendesk_ticket(80001, "solved"),
            zendesk_ticket(80002, "closed", service="atencion_a_semaforo_sin_funcionar", via="voice"),
            zendesk_ticket(80003, "new", via="mobile_sdk"),
            zendesk_ticket(80004, "open", service=None, subject="Fuga de agua en la calle", via="email"),
            zendesk_ticket(80005, "pending"),
            zendesk_ticket(80006, "hold"),
            zendesk_ticket(80007, "deleted"),
        ],
        "metric_sets": [{"ticket_id": 80001, "solved_at": "2025-03-05T17:00:00Z"}],
        "end_of_stream": True,
    }


def test_a_zendesk_incremental_export_maps_statuses_channels_and_the_service_field(tmp_path):
    report = run_command(write(tmp_path, "tickets.json", json.dumps(zendesk_export())))

    tickets = {t.legacy_folio: t for t in Ticket.objects.select_related("service")}
    assert {n: t.status for n, t in tickets.items()} == {
        "80001": Status.RESUELTO,
        "80002": Status.RESUELTO,
        "80003": Status.NUEVO,
        "80004": Status.EN_PROCESO,
        "80005": Status.EN_ESPERA,
        "80006": Status.EN_ESPERA,
    }
    assert "el ticket está borrado en Zendesk" in report and "Rechazados: 1" in report
    assert tickets["80001"].service.code == "bacheo" and tickets["80002"].service.code == "semaforo"
    assert tickets["80004"].service.code == "fuga-agua"  # without the field, by its subject
    assert tickets["80001"].resolved_at == local(2025, 3, 5, 11)  # solved_at from the metric set
    assert tickets["80002"].closed_at == local(2025, 3, 6, 12)  # closed: at its last update
    assert tickets["80001"].description.startswith("Bache grande") and "\n" in tickets["80001"].description
    assert {t.legacy_source for t in tickets.values()} == {"gerencia"}  # one numbering with the spreadsheets
    origin = tickets["80002"].events.get(kind=TicketEvent.Kind.CREATED)
    assert "Canal en el origen: Teléfono." in origin.note
    resolved = tickets["80001"].events.get(kind=TicketEvent.Kind.STATUS)
    assert resolved.is_public and resolved.created_at == tickets["80001"].resolved_at


def test_zendesk_and_the_gerencia_spreadsheets_share_one_numbering(tmp_path):
    """The spreadsheets are exports of the same Zendesk tickets: the same number is one ticket."""
    run_command(write(tmp_path, "tickets.json", json.dumps(zendesk_export())))
    sheet = xlsx({"Bacheo": [HEADER, [80001, "CERRADO", "ATENCION DE BACHEO", "03/03/2025", *INSIDE]]})
    report = run_command(write(tmp_path, "BACHEO.xlsx", sheet))
    assert "Ya existían (mismo número anterior): 1" in report
    assert Ticket.objects.filter(legacy_folio="80001").count() == 1


def test_a_zendesk_view_export_as_csv(tmp_path):
    text = (
        "ID,Asunto,Solicitado,Resuelto,Actualizado,Estado,Canal,Servicio [list]\n"
        "81001,Luminaria apagada,2025-04-01 10:00,2025-04-02 11:30,2025-04-02 11:30,Resuelto,Teléfono,"
        "Atención al mantenimiento de alumbrado público\n"
        "81002,Bache,02/04/2025 09:15,,02/04/2025 09:15,Abierto,Formulario web,Atención de bacheo\n"
    )
    report = run_command(write(tmp_path, "vista.csv", text))
    assert "formato zendesk" in report and "Importados: 2" in report
    first, second = Ticket.objects.get(legacy_folio="81001"), Ticket.objects.get(legacy_folio="81002")
    assert (first.service.code, first.status, first.resolved_at) == ("alumbrado", "resuelto", local(2025, 4, 2, 11, 30))
    assert (second.service.code, second.status, second.created_at) == ("bacheo", "en_proceso", local(2025, 4, 2, 9, 15))


OPEN311 = [
    {
        "service_request_id": "638344",
        "status": "closed",
        "status_notes": "Duplicate request.",
        "service_name": "Bacheo",
        "service_code": "bacheo",
        "description": "Bache en la esquina.",
        "requested_datetime": "2025-05-04T14:02:00-06:00",
        "updated_datetime": "2025-05-06T09:00:00-06:00",
        "address": "Av. Tecnológico 100",
        "zipcode": "52140",
        "lat": INSIDE[1],
        "long": INSIDE[0],
        "media_url": "http://example.org/foto.jpg",
    },
    {
        "service_request_id": "638345",
        "status": "open",
        "service_name": "Semáforo sin funcionar",
        "service_code": "TRAFFIC_LIGHT",
        "requested_datetime": "2025-05-05T08:00:00-06:00",
        "lat": 40.0,
        "long": -3.7,
    },
    {"status": "open", "service_name": "Bacheo", "requested_datetime": "2025-05-05T08:00:00-06:00"},
]


def test_an_open311_requests_json(tmp_path):
    report = run_command(write(tmp_path, "requests.json", json.dumps(OPEN311)))
    assert "formato open311, origen «open311»" in report
    assert "Importados: 1\n" in report and "Importados con dudas: 1" in report and "Rechazados: 1" in report
    closed, open_ = Ticket.objects.get(legacy_folio="638344"), Ticket.objects.get(legacy_folio="638345")
    assert (closed.service.code, closed.status, closed.resolved_at) == ("bacheo", "resuelto", local(2025, 5, 6, 9))
    assert closed.address == "Av. Tecnológico 100" and closed.latitude is not None
    assert (open_.service.code, open_.status, open_.latitude) == ("semaforo", "nuevo", None)  # Madrid: no point
    assert "falta el número de ticket" in report


def test_an_open311_requests_xml_with_its_own_source_name(tmp_path):
    xml = (
        '<?xml version="1.0" encoding="utf-8"?><service_requests><request>'
        "<service_request_id>77</service_request_id><status>closed</status><service_code>alumbrado</service_code>"
        "<service_name>Alumbrado</service_name><requested_datetime>2025-06-01T10:00:00-06:00</requested_datetime>"
        "<updated_datetime>2025-06-02T10:00:00-06:00</updated_datetime><description>Poste apagado</description>"
        f"<lat>{INSIDE[1]}</lat><long>{INSIDE[0]}</long></request></service_requests>"
    )
    run_command(write(tmp_path, "requests.xml", xml), source="toluca")
    ticket = Ticket.objects.get(legacy_folio="77")
    assert (ticket.legacy_source, ticket.service.code, ticket.description) == ("toluca", "alumbrado", "Poste apagado")


def test_the_tracking_box_finds_a_ticket_by_its_old_number(client, tmp_path):
    run_command(
        write(tmp_path, "a.xlsx", xlsx({"Hoja1": [HEADER, [73207, "CERRADO", "ATENCION DE BACHEO", "03/01/2025"]]}))
    )
    ticket = Ticket.objects.get(legacy_folio="73207")
    for typed in ("73207", " # 73 207 ", "073207"):
        response = client.get("/seguimiento/", {"folio": typed})
        assert response.status_code == 302 and response["Location"] == f"/seguimiento/{ticket.folio}/", typed
    page = client.get(f"/seguimiento/{ticket.folio}/")
    assert page.status_code == 200
    assert "Registrado en el sistema anterior" in page.content.decode()
    # Where it came from is for staff: not on the public page, nor in the public APIs.
    for url in (
        f"/seguimiento/{ticket.folio}/",
        f"/api/v1/tickets/{ticket.folio}/",
        f"/open311/v2/requests/{ticket.folio}.json",
    ):
        body = client.get(url).content.decode()
        assert "a.xlsx" not in body and "Hoja1" not in body, url

    missing = client.get("/seguimiento/", {"folio": "99999"})
    assert missing.status_code == 404 and "número de su reporte anterior" in missing.content.decode()


def test_the_same_old_number_in_two_systems_offers_both(client, tmp_path):
    row = [HEADER, [500, "CERRADO", "ATENCION DE BACHEO", "03/01/2025"]]
    run_command(write(tmp_path, "a.xlsx", xlsx({"Hoja1": row})))
    run_command(write(tmp_path, "requests.json", json.dumps([dict(OPEN311[0], service_request_id="500")])))
    response = client.get("/seguimiento/", {"folio": "500"})
    body = response.content.decode()
    assert response.status_code == 200 and "Ese número corresponde a 2 reportes" in body
    for folio in Ticket.objects.values_list("folio", flat=True):
        assert f'href="/seguimiento/{folio}/"' in body


def test_a_file_of_an_unknown_kind_is_refused_with_the_reason(tmp_path):
    from django.core.management.base import CommandError

    report = run_command(write(tmp_path, "notas.csv", "hola,mundo\n1,2\n"))
    assert "No se reconoce el formato de «notas.csv»" in report
    with pytest.raises(CommandError, match="No existe el archivo"):
        run_command(tmp_path / "no-existe.xlsx")
    old_excel = run_command(write(tmp_path, "viejo.xls", b"\xd0\xcf\x11\xe0"))
    assert "el formato .xls (Excel 97) no se lee" in old_excel


def test_staff_find_an_imported_ticket_by_its_old_number_in_the_admin(client, supervisor, tmp_path):
    rows = [HEADER, [73207, "CERRADO", "ATENCION DE BACHEO", "03/01/2025"], [73208, "CERRADO", "BACHES", "04/01/2025"]]
    run_command(write(tmp_path, "a.xlsx", xlsx({"Hoja1": rows})))
    wanted, other = Ticket.objects.get(legacy_folio="73207"), Ticket.objects.get(legacy_folio="73208")
    client.force_login(supervisor)
    listing = client.get("/admin/tickets/ticket/", {"q": "73207"}).content.decode()
    assert wanted.folio in listing and other.folio not in listing
    page = client.get(f"/admin/tickets/ticket/{wanted.pk}/change/").content.decode()
    assert "Historial importado" in page and "73207" in page and "gerencia" in page
