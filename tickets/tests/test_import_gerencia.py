"""Importing the Gerencia's spreadsheets: the two real samples end to end, and each messy
case by rule (headers, dates, sheet names, subjects) with files the tests write."""

from collections import Counter
from datetime import date, datetime

import openpyxl
import pytest

from conftest import local
from stats import rollups
from stats.models import RollupChange
from tickets.models import Channel, FolioCounter, Status, Ticket, TicketEvent
from tickets.tests.importing import HEADER, INSIDE, OUTSIDE, SAMPLES, run_command, write, xlsx

pytestmark = pytest.mark.django_db

# What the samples' subjects mean: the catalogue's names, upper case and without accents.
SAMPLE_SUBJECTS = {
    "ATENCION A RECOLECCION DE ESCOMBRO": "escombro",
    "ATENCION A SERVICIO DE DESAZOLVE": "desazolve",
    "ATENCION A SEMAFORO SIN FUNCIONAR": "semaforo",
}


def sample_rows():
    """(number, subject) of every data row of both samples, read independently of the importer."""
    rows = []
    for path in sorted(SAMPLES.glob("*.xlsx")):
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        for sheet in book.worksheets:
            for values in list(sheet.iter_rows(values_only=True))[1:]:
                if values and values[0] is not None:
                    rows.append((str(values[0]), values[2]))
    return rows


def test_both_samples_import_whole_with_one_ticket_per_row(client):
    rows = sample_rows()
    assert len(rows) == 1147  # 119 + 443 in RECOLECCION, 585 in SEMAFOROS

    report = run_command(*sorted(SAMPLES.glob("*.xlsx")))

    expected = Counter(SAMPLE_SUBJECTS[subject] for _, subject in rows)
    assert dict(Counter(Ticket.objects.values_list("service__code", flat=True))) == expected
    assert "Importados: 1,147" in report and "Rechazados: 0" in report
    assert set(Ticket.objects.values_list("legacy_folio", flat=True)) == {number for number, _ in rows}
    assert set(Ticket.objects.values_list("channel", "status", "legacy_source").distinct()) == {
        (Channel.IMPORTADO, Status.RESUELTO, "gerencia")
    }
    # Outside the SLA: no due date, and the figures leave them out.
    assert not Ticket.objects.filter(due_at__isnull=False).exists()
    banner = client.get("/api/v1/stats/banner").json()
    assert banner["total"] == banner["resueltos"] == 1147
    assert banner["servicio_mas_demandado"]["code"] == "semaforo" and banner["servicio_mas_demandado"]["tickets"] == 585


def test_an_imported_ticket_keeps_its_number_date_point_and_origin():
    run_command(SAMPLES / "RECOLECCION.xlsx")
    ticket = Ticket.objects.get(legacy_folio="73207")  # the Escombro sheet's first row
    assert ticket.created_at == local(2025, 1, 3, 12)  # a date alone is taken at noon in Metepec
    assert ticket.folio.startswith("7311-2025-")
    assert (float(ticket.longitude), float(ticket.latitude)) == (-99.598908, 19.275743)
    assert ticket.locality is not None  # the point gives the INEGI locality
    assert ticket.description == "ATENCION A RECOLECCION DE ESCOMBRO"
    created = ticket.events.get()  # no closing date in the file: no status event
    assert created.kind == TicketEvent.Kind.CREATED and created.created_at == ticket.created_at
    assert "«RECOLECCION.xlsx», hoja «Escombro», fila 2; número anterior 73207" in created.note


def test_folios_of_imported_history_are_gapless_per_year_in_creation_order():
    run_command(SAMPLES / "SEMAFOROS.xlsx")
    folios = list(Ticket.objects.order_by("created_at", "folio").values_list("folio", flat=True))
    assert sorted(folios) == [f"7311-2025-{n:06d}" for n in range(1, 586)]
    assert FolioCounter.objects.get(year=2025).last_number == 585


def test_headers_are_found_by_rule_however_each_file_truncates_them(tmp_path):
    variants = {
        "a.xlsx": ["NUMERO DE", "ESTADO", "ASUNTO", "FECHA DE S", "LONG", "LAT"],
        "b.xlsx": ["TICKET", "ESTATUS", "ASUNTO", "FECHA", "LONGITUD", "LATITUD"],
        "c.xlsx": ["No. de ticket", "Estado", "Asunto", "Fecha de solicitud", "Lon", "Lat"],
    }
    paths = []
    for n, (name, header) in enumerate(variants.items()):
        rows = [header, [90000 + n, "CERRADO", "ATENCION DE BACHEO", "05/02/2025", *INSIDE]]
        paths.append(write(tmp_path, name, xlsx({"Hoja1": rows})))
    # Columns in another order, and a title above the header.
    reordered = [["REPORTE DE TICKETS 2025"], [], ["ASUNTO", "LAT", "LONG", "TICKET", "FECHA"]]
    reordered.append(["ATENCION DE BACHEO", INSIDE[1], INSIDE[0], 90010, "06/02/2025"])
    paths.append(write(tmp_path, "d.xlsx", xlsx({"Hoja1": reordered})))

    report = run_command(*paths)

    assert "Importados: 4" in report and "Rechazados: 0" in report
    for number in ("90000", "90001", "90002", "90010"):
        ticket = Ticket.objects.get(legacy_folio=number)
        assert ticket.service.code == "bacheo" and ticket.latitude is not None
    assert Ticket.objects.get(legacy_folio="90010").created_at == local(2025, 2, 6, 12)


def test_dates_come_as_text_day_first_or_as_real_dates_or_excel_serials(tmp_path):
    rows = [
        HEADER,
        [1, "CERRADO", "ATENCION DE BACHEO", "03/01/2025", *INSIDE],  # 3 January, day first
        [2, "CERRADO", "ATENCION DE BACHEO", datetime(2025, 3, 7, 16, 45), *INSIDE],  # a real date-time
        [3, "CERRADO", "ATENCION DE BACHEO", date(2025, 4, 1), *INSIDE],
        [4, "CERRADO", "ATENCION DE BACHEO", " 9/5/25 ", *INSIDE],  # short year, stray spaces
        [5, "CERRADO", "ATENCION DE BACHEO", 45700, *INSIDE],  # an Excel serial: 2025-02-12
        [6, "CERRADO", "ATENCION DE BACHEO", "12/06/2025 08:30", *INSIDE],
    ]
    run_command(write(tmp_path, "fechas.xlsx", xlsx({"Hoja1": rows})))
    created = dict(Ticket.objects.values_list("legacy_folio", "created_at"))
    assert created == {
        "1": local(2025, 1, 3, 12),
        "2": local(2025, 3, 7, 16, 45),
        "3": local(2025, 4, 1, 12),
        "4": local(2025, 5, 9, 12),
        "5": local(2025, 2, 12, 12),
        "6": local(2025, 6, 12, 8, 30),
    }


def test_sheet_names_with_stray_spaces_and_several_sheets_per_file(tmp_path):
    data = xlsx(
        {
            " Escombro ": [HEADER, [10, "CERRADO", "ATENCION A RECOLECCION DE ESCOMBRO", "03/01/2025", *INSIDE]],
            "Desasolve  ": [["NUMERO DE", "ESTADO", "FECHA DE S"], [11, "CERRADO", "04/01/2025"]],  # no subject
            "Notas": [["Este archivo lo publica la Gerencia de la Ciudad."]],
        }
    )
    report = run_command(write(tmp_path, "RECOLECCION 2.xlsx", data))
    assert Ticket.objects.get(legacy_folio="10").service.code == "escombro"
    # Without a subject column, the sheet's name is the subject ("Desasolve" → desazolve).
    assert Ticket.objects.get(legacy_folio="11").service.code == "desazolve"
    origin = Ticket.objects.get(legacy_folio="10").events.get(kind="created").note
    assert "hoja «Escombro»" in origin
    assert "hoja «Notas», fila 1" in report and "no se encontraron las columnas" in report


def test_subjects_map_by_name_without_accents_synonyms_and_emergency_types(tmp_path):
    subjects = {
        20: ("ATENCION AL MANTENIMIENTO DE ALUMBRADO PUBLICO", "alumbrado"),  # the name, upper case
        21: ("Atención inmediata a fuga de agua", "fuga-agua"),  # with accents
        22: ("BACHES", "bacheo"),  # a synonym of the table staff edit
        23: ("ATENCION A EMERGENCIAS (POLICIA)", "emergencia-policia"),  # emergency types too
        24: ("ATENCION A SERVICIO DE AMBULANCIA", "ambulancia"),
        25: ("ACCIDENTE VEHICULAR", "accidente-vehicular"),
        26: ("SEMAFOROS SIN FUNCIONAR", "semaforo"),  # by resemblance (plural)
    }
    rows = [HEADER] + [[n, "CERRADO", s, "03/01/2025", *INSIDE] for n, (s, _) in subjects.items()]
    report = run_command(write(tmp_path, "asuntos.xlsx", xlsx({"Hoja1": rows})))
    got = dict(Ticket.objects.values_list("legacy_folio", "service__code"))
    assert got == {str(n): code for n, (_, code) in subjects.items()}
    assert "«SEMAFOROS SIN FUNCIONAR» → semaforo (parecido)" in report  # listed for staff to check


def test_a_synonym_added_in_the_admin_makes_an_unknown_subject_importable(tmp_path, client, supervisor):
    path = write(tmp_path, "luz.xlsx", xlsx({"Hoja1": [HEADER, [30, "CERRADO", "LAMPARA FUNDIDA", "03/01/2025"]]}))
    assert "asunto desconocido «LAMPARA FUNDIDA»" in run_command(path)
    assert not Ticket.objects.exists()

    client.force_login(supervisor)
    alumbrado = Ticket._meta.get_field("service").related_model.objects.get(code="alumbrado")
    response = client.post(
        "/admin/tickets/subjectsynonym/add/", {"text": "Lámpara fundida", "service": alumbrado.pk}, follow=True
    )
    assert response.status_code == 200
    assert "Importados: 1" in run_command(path)
    assert Ticket.objects.get(legacy_folio="30").service == alumbrado


def test_every_rejected_or_doubtful_row_is_reported_with_file_sheet_row_and_reason(tmp_path):
    rows = [
        HEADER,
        [40, "CERRADO", "ATENCION DE BACHEO", "03/01/2025", *INSIDE],  # row 2: fine
        [41, "CERRADO", "ATENCION A OVNIS", "03/01/2025", *INSIDE],  # 3: unknown subject
        [42, "CERRADO", "ATENCION DE BACHEO", "31/02/2025", *INSIDE],  # 4: a date that does not exist
        [None, "CERRADO", "ATENCION DE BACHEO", "03/01/2025", *INSIDE],  # 5: no ticket number
        [44, "CERRADO", "ATENCION DE BACHEO", "03/01/2025", *OUTSIDE],  # 6: point outside: doubtful
        [45, "CERRADO", "ATENCION DE BACHEO", "ayer", *INSIDE],  # 7: unreadable date
        [46, "CERRADO", "ATENCION DE BACHEO", "03/01/2025", INSIDE[1], INSIDE[0]],  # 8: swapped point
        [47, "EN REVISION", "ATENCION DE BACHEO", "03/01/2025", *INSIDE],  # 9: unknown status
    ]
    report = run_command(write(tmp_path, "errores.xlsx", xlsx({"Bacheo ": rows})))

    assert "Importados: 1\n" in report and "Importados con dudas: 2" in report and "Rechazados: 5" in report
    lines = report.splitlines()

    def line(row):
        return next(text for text in lines if f"hoja «Bacheo», fila {row}" in text)

    assert "rechazado: asunto desconocido «ATENCION A OVNIS»" in line(3)
    assert "rechazado: fecha de solicitud ilegible" in line(4) and "no existe" in line(4)
    assert "rechazado: falta el número de ticket" in line(5)
    assert "importado_con_dudas: el punto (19.29" in line(6) and "fuera del municipio" in line(6)
    assert "rechazado: fecha de solicitud ilegible: no se entiende la fecha «ayer»" in line(7)
    assert "importado_con_dudas: latitud y longitud venían invertidas" in line(8)
    assert "rechazado: estado desconocido «EN REVISION»" in line(9)
    assert "bacheo: 3 / 0" in report  # per service: 3 imported, none already there
    outside = Ticket.objects.get(legacy_folio="44")
    assert outside.latitude is None and outside.longitude is None  # imported without the point
    swapped = Ticket.objects.get(legacy_folio="46")
    assert (float(swapped.longitude), float(swapped.latitude)) == INSIDE
    assert set(Ticket.objects.values_list("legacy_folio", flat=True)) == {"40", "44", "46"}


def test_a_second_run_and_a_renamed_copy_create_nothing_and_update_nothing(tmp_path):
    original = SAMPLES / "SEMAFOROS.xlsx"
    run_command(original)
    before = list(Ticket.objects.order_by("pk").values_list("pk", "folio", "updated_at"))
    events = TicketEvent.objects.count()

    again = run_command(original)
    copy = write(tmp_path, "SEMAFOROS (1).xlsx", original.read_bytes())  # republished under another name
    both = run_command(copy, original)

    assert "Ya existían (mismo número anterior): 585" in again and "Importados: 0" in again
    assert "Ya existían (mismo número anterior): 1,170" in both
    assert list(Ticket.objects.order_by("pk").values_list("pk", "folio", "updated_at")) == before
    assert TicketEvent.objects.count() == events


def test_a_dry_run_reports_the_same_and_writes_nothing(tmp_path):
    paths = sorted(SAMPLES.glob("*.xlsx"))
    dry = run_command(*paths, dry_run=True)
    assert not Ticket.objects.exists() and not FolioCounter.objects.exists() and not RollupChange.objects.exists()
    real = run_command(*paths)
    assert dry.splitlines()[0] == "Revisión (no se guardó nada):"
    assert dry.splitlines()[1:] == real.splitlines()[1:]


def test_a_crash_mid_file_leaves_no_half_imported_row_and_the_next_run_goes_on(monkeypatch):
    from django.db import OperationalError

    from tickets import bulk

    real_insert = bulk.insert_rows
    calls = Counter()

    def failing(model, rows):
        calls[model] += 1
        if model is TicketEvent and calls[model] == 2:  # the second batch, after its tickets went in
            raise OperationalError("server closed the connection unexpectedly")
        return real_insert(model, rows)

    monkeypatch.setattr(bulk, "insert_rows", failing)
    with pytest.raises(OperationalError):
        run_command(SAMPLES / "SEMAFOROS.xlsx", batch_size=200)
    assert Ticket.objects.count() == 200  # the first batch, whole
    # Its creation, for each (the samples give no closing date: no status event).
    assert TicketEvent.objects.count() == 200
    assert rollups.reconcile(repair=False).cells_drifted == 0  # the first batch's rollups, whole

    monkeypatch.setattr(bulk, "insert_rows", real_insert)
    report = run_command(SAMPLES / "SEMAFOROS.xlsx", batch_size=200)
    assert "Importados: 385" in report and "Ya existían (mismo número anterior): 200" in report
    assert Ticket.objects.count() == 585 == Ticket.objects.values("legacy_folio").distinct().count()
    assert sorted(Ticket.objects.values_list("folio", flat=True)) == [f"7311-2025-{n:06d}" for n in range(1, 586)]


def test_after_importing_the_rollups_equal_a_recount(tmp_path):
    rows = [HEADER] + [
        [500 + n, "CERRADO", "ATENCION DE BACHEO", f"{1 + n % 28:02d}/0{1 + n % 9}/2025", *INSIDE] for n in range(60)
    ]
    run_command(write(tmp_path, "bacheo.xlsx", xlsx({"Hoja1": rows})), *sorted(SAMPLES.glob("*.xlsx")))
    report = rollups.reconcile(repair=False)
    assert report.cells_checked > 0 and report.cells_drifted == 0


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_rows_at_once_make_each_ticket_once_on_postgresql(needs_postgres, tmp_path):
    """An admin upload and a command on the same file, at the same moment, on their own
    connections; residents report meanwhile. One ticket per number, folios without gaps."""
    import threading

    from django.db import connection

    from tickets import lifecycle
    from tickets.models import Service

    copy = write(tmp_path, "SEMAFOROS copia.xlsx", (SAMPLES / "SEMAFOROS.xlsx").read_bytes())
    barrier = threading.Barrier(3)
    errors = []

    def importing(path):
        try:
            barrier.wait()
            run_command(path, batch_size=50)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    def reporting():
        try:
            service = Service.objects.get(code="bacheo")
            barrier.wait()
            for _ in range(10):
                lifecycle.ticket_create(service=service, description="Bache", channel=Channel.WEB, address="Calle 1")
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=importing, args=(p,)) for p in (SAMPLES / "SEMAFOROS.xlsx", copy)]
    threads.append(threading.Thread(target=reporting))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    imported = Ticket.objects.filter(channel=Channel.IMPORTADO)
    assert imported.count() == 585 == imported.values("legacy_folio").distinct().count()
    assert sorted(imported.values_list("folio", flat=True)) == [f"7311-2025-{n:06d}" for n in range(1, 586)]
    assert Ticket.objects.exclude(channel=Channel.IMPORTADO).count() == 10
    assert rollups.reconcile(repair=False).cells_drifted == 0
