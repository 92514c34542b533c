"""A department agent's morning in a real browser: the home page's queues, the unassigned
queue, take a ticket, start it, attach a photo of the work, see a colleague's change
announced, resolve with a respuesta predefinida; then the resident's page shows it."""

import re

import pytest
from playwright.sync_api import expect

from metepec7311.testing.browser import check_accessibility, screenshot
from metepec7311.testing.staff import StaffClient
from tickets import lifecycle
from tickets.models import Macro, Priority, Service, Status, Ticket
from tickets.tests import images

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(page, user, live_server):
    """The browser carries the session a real login (password and second step) would give."""
    client = StaffClient()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.fixture
def work(make_ticket, obras_staff, supervisor):
    pothole = make_ticket("bacheo", address="Calle Hidalgo 12", description="Bache de medio metro frente a la escuela.")
    Macro.objects.create(
        name="Bache tapado",
        kind=Macro.Kind.PUBLIC,
        action=Macro.Action.RESOLVE,
        body="Se tapó el bache del folio {folio} en {direccion} con mezcla asfáltica.",
        service=Service.objects.get(code="bacheo"),
    )
    return pothole


def test_an_agent_takes_a_ticket_works_it_and_resolves_it_with_a_macro(
    desktop, live_server, obras_staff, supervisor, work, tmp_path
):
    page = desktop
    signed_in(page, obras_staff, live_server)
    page.goto("/admin/")
    queue = page.get_by_role("link", name=re.compile("Sin asignar de mi dependencia"))
    expect(queue.locator(".queue-count")).to_have_text("1")
    check_accessibility(page)
    screenshot(page, "60-inicio-mi-trabajo")

    queue.click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    screenshot(page, "61-cola-sin-asignar")
    page.get_by_role("link", name=work.folio).click()

    def act(label):
        page.get_by_label(label, exact=True).check()
        page.get_by_role("button", name="Aplicar").click()

    act("Asignármelo")
    expect(page.locator(".messagelist")).to_contain_text("Ticket asignado a usted.")
    act("Iniciar o reanudar la atención")
    expect(page.locator(".messagelist")).to_contain_text("Atención iniciada.")

    # The panel shows the fields of the chosen move: the hold's question only for a hold.
    question = page.get_by_text("¿El motivo de la espera es público?")
    expect(question).to_be_visible()  # nothing chosen yet: every field shows
    page.get_by_label("Poner en espera (pausa el plazo)", exact=True).check()
    expect(question).to_be_visible()
    expect(page.locator("#id_photos")).to_be_hidden()
    page.get_by_label("Agregar nota", exact=True).check()
    expect(question).to_be_hidden()

    photo = tmp_path / "despues.jpg"
    photo.write_bytes(images.jpeg_bytes(1600, 1200))
    page.get_by_label("Agregar fotos del trabajo", exact=True).check()
    page.set_input_files("#id_photos", str(photo))
    page.fill("#id_note", "Después de bachear.")
    page.get_by_label("Nota o fotos públicas (visibles en la página de seguimiento)").check()
    page.get_by_role("button", name="Aplicar").click()
    expect(page.locator(".messagelist")).to_contain_text("Fotos agregadas.")

    # Meanwhile the supervisor raises the priority: the open page says so before the agent acts.
    lifecycle.ticket_update_details(ticket=work, actor=supervisor, priority=Priority.ALTA)
    page.evaluate("window.metepecCheckCollisions()")
    notice = page.locator(".collision")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Sofía Supervisora cambió este ticket")
    screenshot(page, "62-aviso-de-cambio")
    notice.get_by_role("link", name="Recargar el ticket").click()

    page.select_option("#id_macro", label="Bache tapado")
    expect(page.locator("#id_note")).to_have_value(
        re.compile(rf"Se tapó el bache del folio {work.folio} en Calle Hidalgo 12")
    )
    expect(page.get_by_label("Resolver (con nota pública)", exact=True)).to_be_checked()
    check_accessibility(page)
    screenshot(page, "63-respuesta-predefinida")
    page.get_by_role("button", name="Aplicar").click()
    expect(page.locator(".messagelist")).to_contain_text("Ticket resuelto.")
    screenshot(page, "64-resuelto")

    work.refresh_from_db()
    assert work.status == Status.RESUELTO and work.assignee == obras_staff
    public = page.context.new_page()
    public.goto(f"/seguimiento/{work.folio}/")
    expect(public.locator("body")).to_contain_text(f"Se tapó el bache del folio {work.folio}")
    assert public.locator("img[src*='/media/']").count() == 1  # the public photo of the work
    assert Ticket.objects.get(pk=work.pk).photos.get().is_public


def test_the_supervisors_dashboard_in_the_browser(desktop, live_server, supervisor, work):
    signed_in(desktop, supervisor, live_server)
    desktop.goto("/admin/tickets/ticket/tablero/")
    expect(desktop.locator("h1")).to_have_text("Tablero de supervisión")
    check_accessibility(desktop)
    screenshot(desktop, "65-tablero")
    with desktop.expect_download() as download:
        desktop.get_by_role("link", name="Descargar CSV").click()
    assert re.fullmatch(r"tablero-\d{8}-\d{8}\.csv", download.value.suggested_filename)
