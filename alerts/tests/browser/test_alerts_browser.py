"""A resident asks for alerts of her colonia on a phone, confirms them from the e-mail, gets
the digest of the next day and unsubscribes with one click — in a real browser."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from alerts import digests
from alerts.models import Subscription
from metepec7311.testing.browser import check_accessibility, check_fits_the_screen, screenshot
from tickets import outbox
from tickets.models import Colonia

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def look(page, name):
    check_accessibility(page)
    check_fits_the_screen(page)
    screenshot(page, name)


def link_in(message, path):
    return re.search(rf"http://127\.0\.0\.1:8000({path}[^\s]+/)", message.body).group(1)


def test_subscribe_confirm_get_the_digest_and_unsubscribe(phone, make_ticket):
    page = phone
    coaxustenco = Colonia.objects.get(name="Coaxustenco")
    page.goto("/avisos/")
    assert page.locator("h1").inner_text() == "Avisos por correo"
    look(page, "avisos-01-formulario")

    # Sent empty first: the errors say what is missing, accessibly.
    page.get_by_role("button", name="Quiero recibir avisos").click()
    expect(page.locator(".error-summary")).to_contain_text("Elija la colonia que quiere seguir.")
    look(page, "avisos-02-errores")

    page.get_by_label("Una colonia").check()
    option = page.locator("#id_colonia option", has_text="Coaxustenco (").first
    page.select_option("#id_colonia", value=option.get_attribute("value"))
    page.select_option("#id_service", value="bacheo")
    page.fill("#id_email", "rosa@example.com")
    page.get_by_role("button", name="Quiero recibir avisos").click()
    page.wait_for_url("**/avisos/revise-su-correo/")
    expect(page.locator("h1")).to_have_text("Revise su correo")
    look(page, "avisos-03-revise-su-correo")

    outbox.deliver_due()  # the confirmation, if the request's own drain has not sent it yet
    [confirmation] = [m for m in mail.outbox if m.subject == "Confirme sus avisos de Metepec *7311"]
    assert confirmation.to == ["rosa@example.com"]
    page.goto(link_in(confirmation, "/avisos/confirmar/"))
    look(page, "avisos-04-confirmar")
    page.get_by_role("button", name="Sí, quiero recibir avisos").click()
    expect(page.locator(".lead")).to_contain_text("Listo: recibirá avisos de los reportes de atención de bacheo")
    look(page, "avisos-05-confirmado")
    subscription = Subscription.objects.get()
    assert subscription.state == Subscription.State.ACTIVE and subscription.colonia == coaxustenco

    # A pothole and a leak are reported in her colonia; the next day's job sends one digest.
    pothole = make_ticket("bacheo", colonia=coaxustenco)
    leak = make_ticket("fuga-agua", colonia=coaxustenco)
    tomorrow = timezone.now() + timedelta(hours=24, minutes=15)
    assert digests.send_digests(now=tomorrow) == 1
    outbox.deliver_due(now=tomorrow)
    [digest] = [m for m in mail.outbox if m.subject.startswith("Avisos de")]
    assert digest.to == ["rosa@example.com"]
    assert pothole.folio in digest.body and leak.folio not in digest.body
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert digests.send_digests(now=tomorrow + timedelta(minutes=15)) == 0  # no second one that day

    # The report's page link from the digest, then the unsubscribe link.
    page.goto(link_in(digest, "/seguimiento/"))
    expect(page.locator("h1")).to_contain_text(pothole.folio)
    page.goto(link_in(digest, "/avisos/baja/"))
    look(page, "avisos-06-baja")
    page.get_by_role("button", name="Sí, no quiero más avisos").click()
    expect(page.locator(".lead")).to_contain_text("ya no le enviaremos avisos")
    look(page, "avisos-07-baja-lista")
    assert Subscription.objects.get().state == Subscription.State.ENDED


def test_follow_a_report_and_the_other_pages(phone, make_ticket):
    page = phone
    ticket = make_ticket("bacheo")
    page.goto(f"/avisos/reporte/{ticket.folio}/")
    look(page, "avisos-08-seguir-reporte")
    page.fill("#id_email", "vecino@example.com")
    page.get_by_role("button", name="Avisarme de este reporte").click()
    page.wait_for_url("**/avisos/revise-su-correo/")
    assert Subscription.objects.get().ticket == ticket

    page.goto("/avisos/?lat=19.2524&lon=-99.6045")  # a link from a map: a circle around the point
    expect(page.get_by_label("Alrededor de un punto (latitud y longitud)")).to_be_checked()
    assert page.input_value("#id_latitude") == "19.2524"
    page.goto("/avisos/baja/no-existe/")
    look(page, "avisos-09-enlace-no-valido")
