"""Supervisors import in the admin: the upload runs in a Celery task, the page follows its
progress and shows the report; a dry run can then be imported for real; a run survives the
broker being down and its worker dying."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import require_service
from tickets.imports import runs
from tickets.imports.run import import_files
from tickets.models import ImportRun, Ticket
from tickets.tests.importing import HEADER, INSIDE, OUTSIDE, SAMPLES, xlsx

pytestmark = pytest.mark.django_db
ADD = "/admin/tickets/importrun/add/"


def upload(client, name, data, **fields):
    return client.post(
        ADD, {"upload": SimpleUploadedFile(name, data), "format": "", "source": "", **fields}, follow=True
    )


def test_a_supervisor_uploads_a_spreadsheet_and_reads_the_report(
    client, supervisor, django_capture_on_commit_callbacks
):
    client.force_login(supervisor)
    assert client.get("/admin/").content.decode().count("Importaciones") >= 1
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, "SEMAFOROS.xlsx", (SAMPLES / "SEMAFOROS.xlsx").read_bytes())
    assert response.status_code == 200
    run = ImportRun.objects.get()
    assert (run.state, run.created_by, run.content) == (ImportRun.State.DONE, supervisor, b"")  # file dropped
    page = client.get(f"/admin/tickets/importrun/{run.pk}/change/").content.decode()
    assert "Importación de «SEMAFOROS.xlsx»: terminado" in page and 'value="100"' in page
    assert "Atención a semáforo sin funcionar" in page and "585" in page
    assert Ticket.objects.count() == 585
    origin = Ticket.objects.first().events.get(kind="created")
    assert origin.note.startswith("Importado por Sofía Supervisora de «SEMAFOROS.xlsx»")  # who brought it in


def test_a_dry_run_shows_the_report_then_imports_for_real_in_one_click(
    client, supervisor, django_capture_on_commit_callbacks
):
    client.force_login(supervisor)
    rows = [HEADER, [1, "CERRADO", "ATENCION DE BACHEO", "03/01/2025", *INSIDE]]
    rows += [
        [2, "CERRADO", "ATENCION A OVNIS", "03/01/2025", *INSIDE],
        [3, "CERRADO", "BACHES", "03/01/2025", *OUTSIDE],
    ]
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, "BACHEO.xlsx", xlsx({"Hoja1": rows}), dry_run="on")
    dry = ImportRun.objects.get()
    page = client.get(f"/admin/tickets/importrun/{dry.pk}/change/").content.decode()
    assert "revisión: no se guardó nada" in page and "Importar este archivo" in page
    assert "asunto desconocido «ATENCION A OVNIS»" in page and "fuera del municipio" in page
    assert not Ticket.objects.exists()

    issues = client.get(f"/admin/tickets/importrun/{dry.pk}/observaciones.csv")
    lines = issues.content.decode().splitlines()
    assert lines[0] == "archivo,hoja,fila,numero,resultado,motivo" and len(lines) == 3
    assert lines[1].startswith("BACHEO.xlsx,Hoja1,3,2,rechazado,asunto desconocido")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/tickets/importrun/{dry.pk}/importar/", follow=True)
    real = ImportRun.objects.exclude(pk=dry.pk).get()
    assert response.redirect_chain[-1][0] == f"/admin/tickets/importrun/{real.pk}/change/"
    assert real.state == ImportRun.State.DONE and not real.dry_run
    assert set(Ticket.objects.values_list("legacy_folio", flat=True)) == {"1", "3"}


def test_only_those_allowed_may_import(client, obras_staff, supervisor):
    client.force_login(obras_staff)
    assert client.get(ADD).status_code == 403
    client.force_login(supervisor)
    assert client.get(ADD).status_code == 200
    run = ImportRun.objects.create(filename="a.xlsx", content=b"", state=ImportRun.State.DONE, dry_run=False)
    assert client.post(f"/admin/tickets/importrun/{run.pk}/change/", {}).status_code == 403  # a record, not edited


def test_a_file_that_cannot_be_read_is_refused_at_once_in_spanish(client, supervisor):
    client.force_login(supervisor)
    response = upload(client, "notas.txt", b"hola")
    assert "Suba un archivo .xlsx, .csv, .json o .xml." in response.content.decode()
    response = upload(client, "lista.csv", b"nombre,edad\nAna,3\n", source="gerencia")
    body = response.content.decode()
    assert "No se reconoce el formato de «lista.csv»" in body
    assert 'value="gerencia"' in body  # what was typed is kept
    assert not ImportRun.objects.exists()


def test_an_upload_saved_while_the_broker_is_down_is_started_by_the_sweep(
    client, supervisor, monkeypatch, django_capture_on_commit_callbacks, time_machine
):
    from tickets import tasks

    def broker_down(**kwargs):
        raise ConnectionError("Error 111 connecting to redis:6379. Connection refused.")

    client.force_login(supervisor)
    monkeypatch.setattr(tasks.run_import, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, "RECOLECCION.xlsx", (SAMPLES / "RECOLECCION.xlsx").read_bytes())
    assert response.status_code == 200 and "la importación empieza en unos segundos" in response.content.decode()
    run = ImportRun.objects.get()
    assert run.state == ImportRun.State.PENDING and run.content  # saved, nothing lost
    page = client.get(f"/admin/tickets/importrun/{run.pk}/change/").content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page  # the page follows the run by itself

    monkeypatch.undo()  # the broker is back
    assert runs.sweep() == 0  # too early: its own task may still arrive
    time_machine.move_to(timezone.now() + timedelta(minutes=2))
    assert runs.sweep() == 1
    run.refresh_from_db()
    assert run.state == ImportRun.State.DONE and Ticket.objects.count() == 562


def test_a_run_whose_worker_died_is_started_again_and_goes_on_where_it_stopped(time_machine):
    data = (SAMPLES / "SEMAFOROS.xlsx").read_bytes()
    # The worker imported the first rows (whole batches) and died: its heartbeat stopped.
    half = xlsx(
        {
            "semaforo": [
                HEADER,
                *[[73108 + n, "CERRADO", "ATENCION A SEMAFORO SIN FUNCIONAR", "02/01/2025"] for n in range(3)],
            ]
        }
    )
    import_files([("SEMAFOROS.xlsx", half)])
    stale = timezone.now() - timedelta(minutes=10)
    run = ImportRun.objects.create(
        filename="SEMAFOROS.xlsx", content=data, state=ImportRun.State.RUNNING, heartbeat_at=stale, attempts=1
    )
    imported_before = Ticket.objects.count()

    assert runs.sweep() == 1
    run.refresh_from_db()
    assert run.state == ImportRun.State.DONE and run.attempts == 2
    assert Ticket.objects.count() == imported_before + run.report["outcomes"]["importado"]
    assert run.report["outcomes"]["ya_existia"] == 1  # 73108 was already there
    assert Ticket.objects.values("legacy_folio").distinct().count() == Ticket.objects.count()


def test_a_run_interrupted_too_often_is_marked_failed_not_retried_for_ever():
    stale = timezone.now() - timedelta(minutes=10)
    run = ImportRun.objects.create(
        filename="x.xlsx", content=b"x", state=ImportRun.State.RUNNING, heartbeat_at=stale, attempts=runs.MAX_ATTEMPTS
    )
    runs.sweep()
    run.refresh_from_db()
    assert run.state == ImportRun.State.FAILED and "se interrumpió 3 veces" in run.error


@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_imports_an_upload_and_the_page_shows_its_progress(client, supervisor, monkeypatch):
    require_service("redis", bool(settings.REDIS_URL), "run with REDIS_URL=redis://127.0.0.1:6379/0")
    from metepec7311.testing.celery_worker import new_queue, start_worker, stop_worker
    from tickets.tasks import run_import

    queue = new_queue()
    monkeypatch.setattr(runs, "_request", lambda pk: run_import.apply_async(kwargs={"run_id": pk}, queue=queue))
    worker = start_worker(queue)
    try:
        client.force_login(supervisor)
        upload(client, "SEMAFOROS.xlsx", (SAMPLES / "SEMAFOROS.xlsx").read_bytes())
        run = ImportRun.objects.get()
        deadline = time.monotonic() + 90
        while run.state != ImportRun.State.DONE and time.monotonic() < deadline:
            time.sleep(0.3)
            run.refresh_from_db()
    finally:
        stop_worker(worker)
    assert run.state == ImportRun.State.DONE and run.rows_done == 585
    assert Ticket.objects.count() == 585
    page = client.get(f"/admin/tickets/importrun/{run.pk}/change/").content.decode()
    assert "terminado" in page and "585" in page
