"""A resident reports a pothole on a phone and follows it — in a real browser."""

import io
import re

import pytest
from django.core import mail
from PIL import Image
from playwright.sync_api import expect

from metepec7311.testing.browser import check_accessibility, check_fits_the_screen, screenshot
from tickets import lifecycle
from tickets.models import Ticket
from tickets.tests import images

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "bache.jpg"
    path.write_bytes(images.jpeg_bytes(3000, 2000))
    return path


def fill_report(
    page,
    *,
    colonia="Coaxustenco",
    address="Calle Hidalgo 12, frente a la panadería",
    description="Bache de medio metro; ya se ponchó una llanta.",
):
    if page.locator("#buscar-colonia").count():
        page.fill("#buscar-colonia", colonia)
    option = page.locator("#id_colonia option", has_text=f"{colonia} (").first
    page.select_option("#id_colonia", value=option.get_attribute("value"))
    page.fill("#id_address", address)
    page.fill("#id_description", description)


def test_report_with_a_photo_then_confirmation_then_tracking(phone, desktop, photo, live_server):
    page = phone
    page.goto("/")
    page.get_by_role("link", name="Reportar").first.click()
    screenshot(page, "01-servicios")
    page.get_by_role("link", name=re.compile("Atención de bacheo")).click()
    assert page.locator("h1").inner_text() == "Atención de bacheo"
    check_accessibility(page)
    check_fits_the_screen(page)
    fill_report(page)
    page.get_by_label("Mediano (30 cm a 1 m)").check()
    left = 4000 - len(page.input_value("#id_description"))
    expect(page.locator("#contador-descripcion")).to_have_text(f"Quedan {left:,} de 4,000 caracteres.")
    page.set_input_files("#id_photos", str(photo))
    page.fill("#id_reporter_name", "Rosa Vecina")
    page.fill("#id_reporter_email", "rosa@example.com")
    screenshot(page, "02-formulario")
    page.get_by_role("button", name="Enviar reporte").click()

    page.wait_for_url(re.compile(r"/reportar/recibido/"))
    ticket = Ticket.objects.get()
    assert page.locator("#folio").inner_text() == ticket.folio
    assert "a más tardar el" in page.locator(".lead").inner_text()
    check_accessibility(page)
    screenshot(page, "03-confirmacion")
    assert any(ticket.folio in m.subject for m in mail.outbox)

    page.get_by_role("link", name="Ver el avance de mi reporte").click()
    page.wait_for_url(re.compile(rf"/seguimiento/{ticket.folio}/$"))
    assert "Nuevo" in page.locator(".status").inner_text()
    assert "Atención de bacheo" in page.locator(".facts").inner_text()
    image = page.locator(".photos img").first
    image.scroll_into_view_if_needed()  # the photo loads lazily
    page.wait_for_function(
        "() => { const i = document.querySelector('.photos img'); return i.complete && i.naturalWidth; }"
    )
    assert image.evaluate("img => img.naturalWidth") == 1600
    assert "Rosa" not in page.content()
    check_accessibility(page)
    screenshot(page, "04-seguimiento")

    # The stored photo: resized, no EXIF, no GPS.
    stored = Image.open(io.BytesIO(ticket.photos.get().image.read()))
    assert stored.size == (1600, 1067) and not stored.getexif()

    desktop.goto(f"/seguimiento/{ticket.folio}/")
    screenshot(desktop, "04-seguimiento")
    desktop.goto("/reportar/bacheo/")
    screenshot(desktop, "02-formulario")


def test_invalid_input_shows_errors_and_keeps_what_was_typed(phone, photo):
    page = phone
    page.goto("/reportar/bacheo/")
    page.fill("#id_address", "Calle Morelos 45")
    page.fill("#id_description", "Luminaria y bache en la misma esquina.")
    page.fill("#id_reporter_phone", "12345")
    page.set_input_files("#id_photos", str(photo))
    page.get_by_role("button", name="Enviar reporte").click()

    summary = page.locator("#resumen-errores")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.id") == "resumen-errores"  # focus moved to the summary
    assert "Elija la colonia donde está el problema." in summary.inner_text()
    assert "Escriba su teléfono a 10 dígitos" in summary.inner_text()
    assert page.input_value("#id_address") == "Calle Morelos 45"
    assert page.input_value("#id_description") == "Luminaria y bache en la misma esquina."
    assert page.locator("input[name=pending_photos]").is_checked()  # the photo is kept
    check_accessibility(page)
    screenshot(page, "05-errores")

    summary.get_by_role("link", name=re.compile("Colonia")).click()
    assert page.evaluate("document.activeElement.id") == "id_colonia"
    fill_report(page, address="Calle Morelos 45", description="Luminaria y bache en la misma esquina.")
    page.fill("#id_reporter_phone", "722 555 1234")
    page.get_by_role("button", name="Enviar reporte").click()
    page.wait_for_url(re.compile(r"/reportar/recibido/"))
    ticket = Ticket.objects.get()
    assert ticket.photos.count() == 1 and ticket.reporter_phone == "7225551234"


def test_a_double_submit_creates_one_ticket(phone_without_js):
    page = phone_without_js  # no client-side guard: the server alone must hold
    page.goto("/reportar/bacheo/")
    fill_report(page)
    page.locator("button[type=submit]").dblclick()
    # The second click aborts the first navigation: poll the URL instead of waiting on one.
    expect(page).to_have_url(re.compile(r"/reportar/recibido/"))
    expect(page.locator("#folio")).to_be_visible()
    folio = page.locator("#folio").inner_text()
    assert Ticket.objects.count() == 1

    # Back and send again: the form is a new one, but the resident's own report is offered.
    page.go_back()
    page.locator("button[type=submit]").click()
    expect(page.get_by_role("button", name=f"Es el mismo: sumarme a {folio}")).to_be_visible()
    assert Ticket.objects.count() == 1


def test_a_network_retry_of_the_same_form_creates_one_ticket(phone):
    page = phone
    page.goto("/reportar/alumbrado/")
    fill_report(page, colonia="Arcos del Prado", description="Luminaria apagada.")
    # A flaky connection sends the very same form twice, at the same moment.
    statuses = page.evaluate("""async () => {
        const form = document.querySelector(".report-form");
        const send = () => fetch(form.action || location.href, {method: "POST", body: new FormData(form),
                                                               redirect: "manual"});
        const replies = await Promise.all([send(), send()]);
        return replies.map(r => r.type);
    }""")
    assert statuses == ["opaqueredirect", "opaqueredirect"]  # both answered with the confirmation
    assert Ticket.objects.count() == 1


def test_the_reporter_reopens_a_resolved_ticket(phone, make_ticket, supervisor):
    ticket = make_ticket("fuga-agua", description="Fuga en la toma de la esquina.")
    lifecycle.ticket_resolve(ticket=ticket, actor=supervisor, public_note="Se cambió la toma.")
    page = phone
    page.goto(f"/seguimiento/{ticket.folio}/{ticket.reporter_token}/")
    assert "Resuelto" in page.locator(".status").inner_text()
    check_accessibility(page)
    screenshot(page, "06-privado-resuelto")
    page.get_by_role("link", name="No se resolvió").click()
    page.get_by_label("¿Qué sigue mal?").fill("Sigue saliendo agua por la banqueta.")
    page.get_by_role("button", name="No se resolvió: reabrir").click()
    assert "Reabrimos su reporte" in page.locator(".messages").inner_text()
    assert "En proceso" in page.locator(".status").inner_text()
    assert "Sigue saliendo agua por la banqueta." in page.locator(".timeline").inner_text()
    ticket.refresh_from_db()
    assert ticket.status == "en_proceso" and ticket.reopened_count == 1


def test_the_whole_report_works_without_javascript(phone_without_js, photo):
    page = phone_without_js
    page.goto("/reportar/")
    page.get_by_role("link", name=re.compile("Atención inmediata a fuga de agua")).click()
    assert page.locator("[data-map]").is_hidden()  # the map is an enhancement only
    assert page.locator("#buscar-colonia").count() == 0
    fill_report(page, colonia="Arcos del Prado", description="Fuga de agua limpia desde ayer.")
    page.set_input_files("#id_photos", str(photo))
    page.get_by_role("button", name="Enviar reporte").click()
    page.wait_for_url(re.compile(r"/reportar/recibido/"))
    folio = page.locator("#folio").inner_text()
    screenshot(page, "07-sin-javascript")
    page.goto("/seguimiento/")
    page.get_by_label("Folio").fill(folio.lower().replace("-", " "))
    page.get_by_role("button", name="Buscar").click()
    page.wait_for_url(re.compile(rf"/seguimiento/{folio}/$"))
    assert Ticket.objects.get(folio=folio).photos.count() == 1


def test_the_map_sets_a_point_inside_metepec(phone):
    page = phone
    page.goto("/reportar/alumbrado/")
    page.get_by_role("button", name="Marcar en el mapa").click()
    canvas = page.locator("[data-map-canvas]")
    canvas.wait_for(state="visible")
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert page.input_value("#id_latitude").startswith("19.24")
    fill_report(page, description="Luminaria apagada.")
    screenshot(page, "08-mapa")
    page.get_by_role("button", name="Enviar reporte").click()
    page.wait_for_url(re.compile(r"/reportar/recibido/"))
    assert Ticket.objects.get().locality is not None


def test_typing_a_colonia_or_its_postal_code_chooses_it(phone):
    """Issue #14: the search box used to narrow the list while the resident still had to pick,
    and a report bounced for it. Typing now chooses, and says what it chose."""
    from tickets.models import Colonia

    page = phone
    page.goto("/reportar/bacheo/")
    page.fill("#buscar-colonia", "coaxus")
    coaxustenco = Colonia.objects.get(name="Coaxustenco")
    expect(page.locator("#id_colonia")).to_have_value(str(coaxustenco.pk))
    expect(page.locator("#colonia-elegida")).to_contain_text("Colonia elegida: Coaxustenco")
    check_accessibility(page)
    # A postal code chooses a colonia of it; several share one: it says how many.
    same_code = Colonia.objects.filter(postal_code=coaxustenco.postal_code).order_by("name")
    page.fill("#buscar-colonia", "")
    page.select_option("#id_colonia", index=0)
    page.fill("#buscar-colonia", coaxustenco.postal_code)
    chosen = page.input_value("#id_colonia")
    assert int(chosen) in set(same_code.values_list("pk", flat=True))
    if same_code.count() > 1:
        expect(page.locator("#colonia-elegida")).to_contain_text(f"Coinciden {same_code.count()}")
    page.fill("#buscar-colonia", "zzzz")
    expect(page.locator("#colonia-elegida")).to_have_text("Ninguna colonia coincide con «zzzz».")
    # Typed, not picked, and the report goes through.
    page.fill("#buscar-colonia", "coaxustenco")
    page.fill("#id_address", "Calle Hidalgo 12")
    page.fill("#id_description", "Bache de medio metro.")
    page.get_by_role("button", name="Enviar reporte").click()
    page.wait_for_url(re.compile(r"/reportar/recibido/"))
    assert Ticket.objects.get().colonia == coaxustenco
