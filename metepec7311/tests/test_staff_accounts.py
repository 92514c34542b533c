"""Staff accounts against an attacker (issue #10): the admin's login locks after repeated
failures (django-axes, recorded in the database), wrong staff API tokens are counted per
address, passwords follow rules, sessions end."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

LOGIN = "/admin/login/?next=/admin/"


def attempt(client, password, username="sofia"):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"})


def test_wrong_passwords_then_the_right_one_is_locked_out(supervisor, frozen):
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(attacker, "adivinanza").status_code == 200  # the login form again
    response = attempt(attacker, "adivinanza")
    assert response.status_code == 429 and "Acceso bloqueado temporalmente" in response.text
    response = attempt(attacker, "secreto-123")  # the right password, too late
    assert response.status_code == 429
    assert "_auth_user_id" not in attacker.session
    record = AccessAttempt.objects.get(username="sofia")
    # Recorded for staff to see in the admin; the right password tried while locked counts too.
    assert record.ip_address == "203.0.113.7" and record.failures_since_start == settings.AXES_FAILURE_LIMIT + 1

    office = Client(REMOTE_ADDR="10.1.1.20")  # Sofía at her desk is not locked out
    assert attempt(office, "secreto-123").status_code == 302

    frozen.shift(settings.AXES_COOLOFF_TIME + timedelta(minutes=1))
    assert attempt(attacker, "secreto-123").status_code == 302  # after the cool-off


def test_wrong_staff_tokens_are_refused_for_a_while_after_a_few(client, supervisor, settings):
    settings.STAFF_TOKEN_FAILURE_RATE = "3/10m"
    from api.models import StaffToken

    _, key = StaffToken.objects.create_key(name="Tableta", user=supervisor)
    for _ in range(4):  # more than three wrong tokens from one address
        assert client.get("/api/v1/staff/me/", HTTP_AUTHORIZATION="Token abc.def").status_code in (401, 403)
    response = client.get("/api/v1/staff/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 429
    assert "Demasiados tokens inválidos" in response.json()["detail"]
    other = Client(REMOTE_ADDR="10.1.1.20")
    assert other.get("/api/v1/staff/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


@pytest.mark.parametrize("password", ["corta123", "password1234", "123456789012", "sofia-supervisora"])
def test_weak_passwords_are_refused(supervisor, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=supervisor)


def test_a_long_uncommon_password_is_accepted(supervisor):
    validate_password("bache-luminaria-7311-metepec", user=supervisor)


def test_sessions_end_after_a_working_day():
    assert settings.SESSION_COOKIE_AGE == 9 * 3600
