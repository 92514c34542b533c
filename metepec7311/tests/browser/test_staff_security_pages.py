"""A supervisor's first login in a real browser: the two-factor set-up (QR code drawn under
the site's CSP, the code typed, the recovery codes shown), then a moderation."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from metepec7311.testing.browser import check_accessibility, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_sets_up_two_factor_and_moderates_a_description(desktop, supervisor, make_ticket):
    ticket = make_ticket("bacheo", description="Bache frente a la casa de Don Anselmo, tel 7221234567.")
    blocked = []
    desktop.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)

    desktop.goto("/admin/")
    desktop.fill("#id_username", "sofia")
    desktop.fill("#id_password", "secreto-123")
    desktop.click("input[type=submit]")
    desktop.wait_for_url("**/admin/dos-pasos/**")
    qr = desktop.locator(".two-factor-qr svg")
    assert qr.is_visible() and qr.bounding_box()["width"] > 100
    check_accessibility(desktop)
    screenshot(desktop, "50-dos-pasos-configurar")

    device = TOTPDevice.objects.get(user=supervisor, confirmed=False)
    desktop.fill("#id_token", f"{totp(device.bin_key):06d}")
    desktop.click("input[value=Activar]")
    desktop.wait_for_selector(".two-factor-codes")
    assert desktop.locator(".two-factor-codes li").count() == 10
    screenshot(desktop, "51-dos-pasos-codigos")
    desktop.click("text=Continuar")
    desktop.wait_for_url("**/admin/")

    desktop.goto(f"/admin/tickets/ticket/{ticket.pk}/moderar/")
    first = desktop.locator("form").filter(has=desktop.locator("textarea[name=replacement]")).first
    first.locator("textarea[name=replacement]").fill("Bache frente a una casa.")
    first.locator("select[name=reason]").select_option("datos_personales")
    first.locator("textarea[name=explanation]").fill("Nombre y teléfono de un tercero.")
    check_accessibility(desktop)
    screenshot(desktop, "52-moderar")
    first.locator("input[type=submit]").click()
    desktop.wait_for_url(f"**/admin/tickets/ticket/{ticket.pk}/change/")
    assert "Contenido moderado" in desktop.content()
    assert blocked == []
    ticket.refresh_from_db()
    assert ticket.description == "Bache frente a una casa."
