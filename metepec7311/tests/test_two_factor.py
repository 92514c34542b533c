"""Two-factor authentication for staff (issue #10): required for supervisors, offered to
everyone; a wrong code counts as a failed login; recovery codes work once; the staff API's
session access needs the same second step."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from metepec7311.testing.staff import StaffClient, authenticator_app

LOGIN = "/admin/login/?next=/admin/tickets/ticket/"


def code_of(device):
    return f"{totp(device.bin_key):06d}"


def sign_in(user, address="10.1.1.20"):
    """Sofía (or anyone) types her password at the admin's login page."""
    browser = StaffClient(REMOTE_ADDR=address)
    response = browser.post(LOGIN, {"username": user.username, "password": "secreto-123"}, follow=True)
    return browser, response


def test_a_supervisor_must_set_up_an_app_before_working(supervisor, frozen):
    browser, response = sign_in(supervisor)
    assert response.request["PATH_INFO"] == "/admin/dos-pasos/"
    assert "Su cuenta debe usar verificación en dos pasos" in response.text
    assert "<svg" in response.text and "otpauth" not in response.text  # the QR code, drawn inline
    device = TOTPDevice.objects.get(user=supervisor, confirmed=False)
    # Until then, nothing of the admin opens; it sends her back to the set-up.
    response = browser.get("/admin/tickets/ticket/", follow=True)
    assert response.request["PATH_INFO"] == "/admin/dos-pasos/"
    assert browser.get("/api/v1/staff/me/").status_code == 403

    response = browser.post("/admin/dos-pasos/", {"action": "confirm", "token": "000000", "next": "/admin/"})
    assert "El código no coincide" in response.text
    assert browser.get("/admin/").status_code == 302

    frozen.shift(timedelta(seconds=2))  # django-otp slows a device down after each wrong code
    response = browser.post("/admin/dos-pasos/", {"action": "confirm", "token": code_of(device), "next": "/admin/"})
    assert "Sus códigos de recuperación" in response.text
    codes = response.context["codes"]
    assert len(codes) == 10 and all(code in response.text for code in codes)
    device.refresh_from_db()
    assert device.confirmed
    assert browser.get("/admin/tickets/ticket/").status_code == 200
    assert browser.get("/api/v1/staff/me/").status_code == 200


def test_with_an_app_the_password_is_followed_by_a_code(supervisor, frozen):
    device = authenticator_app(supervisor)
    browser, response = sign_in(supervisor)
    assert response.request["PATH_INFO"] == "/admin/verificar/"
    assert "escriba el código" in response.text
    assert browser.get("/admin/tickets/ticket/").status_code == 302

    response = browser.post("/admin/verificar/", {"token": "123456", "next": "/admin/tickets/ticket/"})
    assert "El código no es válido" in response.text
    assert AccessAttempt.objects.get(username="sofia").failures_since_start == 1  # recorded as a failed login

    frozen.shift(timedelta(seconds=31))  # django-otp slows a device down after a failure
    response = browser.post("/admin/verificar/", {"token": code_of(device), "next": "/admin/tickets/ticket/"})
    assert response.status_code == 302 and response.url == "/admin/tickets/ticket/"
    assert browser.get("/admin/tickets/ticket/").status_code == 200


def test_the_code_page_does_not_send_anyone_elsewhere(supervisor, frozen):
    device = authenticator_app(supervisor)
    browser, _ = sign_in(supervisor)
    response = browser.post("/admin/verificar/", {"token": code_of(device), "next": "https://evil.example/"})
    assert response.url == "/admin/"


def test_guessing_codes_locks_the_account_like_guessing_passwords(supervisor, frozen):
    device = authenticator_app(supervisor)
    browser, _ = sign_in(supervisor, address="203.0.113.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        frozen.shift(timedelta(minutes=2))  # past django-otp's own delay, to reach the lockout
        browser.post("/admin/verificar/", {"token": "999999"})
    frozen.shift(timedelta(minutes=2))
    response = browser.post("/admin/verificar/", {"token": code_of(device)})  # right code, too late
    assert "Acceso bloqueado temporalmente" in response.text
    assert "_auth_user_id" not in browser.session  # signed out
    again, response = sign_in(supervisor, address="203.0.113.7")
    assert response.status_code == 429


def test_a_recovery_code_lets_in_once(supervisor, frozen):
    authenticator_app(supervisor)
    from metepec7311.two_factor import enrollment

    code = enrollment.new_recovery_codes(supervisor)[0]
    browser, _ = sign_in(supervisor)
    response = browser.post("/admin/verificar/", {"token": code.upper(), "next": "/admin/"}, follow=True)
    assert response.request["PATH_INFO"] == "/admin/"
    assert "le quedan 9" in response.text
    assert not StaticToken.objects.filter(token=code).exists()

    browser.post("/admin/logout/")
    browser, _ = sign_in(supervisor)
    response = browser.post("/admin/verificar/", {"token": code, "next": "/admin/"})
    assert "El código no es válido" in response.text


def test_department_staff_may_work_without_it_and_turn_it_on_and_off(obras_staff, frozen):
    browser, response = sign_in(obras_staff)
    assert response.request["PATH_INFO"] == "/admin/tickets/ticket/"  # offered, not required
    assert "Verificación en dos pasos" in response.text  # the link in the user tools

    page = browser.get("/admin/dos-pasos/")
    assert "Proteja su cuenta" in page.text
    device = TOTPDevice.objects.get(user=obras_staff, confirmed=False)
    browser.post("/admin/dos-pasos/", {"action": "confirm", "token": code_of(device)})
    assert TOTPDevice.objects.get(user=obras_staff).confirmed

    # Turned on, his next session needs it too.
    frozen.shift(timedelta(minutes=1))
    other, response = sign_in(obras_staff, address="10.1.1.21")
    assert response.request["PATH_INFO"] == "/admin/verificar/"

    frozen.shift(timedelta(minutes=1))
    response = browser.post("/admin/dos-pasos/", {"action": "off", "token": "000000"})
    assert "la verificación sigue activa" in response.text
    frozen.shift(timedelta(seconds=2))
    response = browser.post("/admin/dos-pasos/", {"action": "off", "token": code_of(device)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=obras_staff).exists()


def test_a_supervisor_cannot_turn_it_off(client, supervisor, frozen):
    client.force_login(supervisor)
    device = TOTPDevice.objects.get(user=supervisor)
    page = client.get("/admin/dos-pasos/")
    assert "Generar nuevos códigos" in page.text and "Desactivar" not in page.text
    frozen.shift(timedelta(minutes=1))
    client.post("/admin/dos-pasos/", {"action": "off", "token": code_of(device)})
    assert TOTPDevice.objects.filter(user=supervisor, confirmed=True).exists()


def test_the_city_can_require_it_of_everyone(obras_staff, settings):
    settings.TWO_FACTOR_REQUIRED_FOR_ALL = True
    _, response = sign_in(obras_staff)
    assert response.request["PATH_INFO"] == "/admin/dos-pasos/"
    assert "Su cuenta debe usar verificación en dos pasos" in response.text


def test_staff_tokens_work_without_a_session_step(supervisor):
    from api.models import StaffToken
    from metepec7311.testing.staff import StaffAPIClient

    api = StaffAPIClient()
    api.password_only_login(supervisor)
    assert api.get("/api/v1/staff/me/").status_code == 403  # the session alone is not enough
    api.logout()
    _, key = StaffToken.objects.create_key(user=supervisor, name="Tableta")
    response = api.get("/api/v1/staff/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200


@pytest.fixture
def administrator(db):
    from django.contrib.auth.models import User

    return User.objects.create_superuser("admin", "admin@metepec.example", "secreto-123")


def test_an_administrator_resets_a_lost_phone_and_never_sees_a_secret(client, administrator, obras_staff):
    authenticator_app(obras_staff)
    client.force_login(administrator)
    listing = client.get("/admin/auth/user/")
    assert "dos pasos" in listing.text
    response = client.post(
        "/admin/auth/user/", {"action": "reset_two_factor", "_selected_action": [obras_staff.pk]}, follow=True
    )
    assert "reiniciada para 1 cuenta" in response.text
    assert not TOTPDevice.objects.filter(user=obras_staff).exists()
    assert LogEntry.objects.filter(object_id=str(obras_staff.pk), change_message__contains="reiniciada").exists()
    # django-otp's device pages (which show each key) are not in this admin.
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404


def test_developers_without_a_phone_read_the_code_from_the_command(supervisor, settings, frozen):
    from io import StringIO

    from django.core.management import call_command

    settings.DEBUG = True
    browser, _ = sign_in(supervisor)  # the set-up page creates her pending app
    out = StringIO()
    call_command("demo_users", "--code", "sofia", stdout=out)
    response = browser.post("/admin/dos-pasos/", {"action": "confirm", "token": out.getvalue().strip()})
    assert "Sus códigos de recuperación" in response.text
