"""Supervisors create and revoke Open311 keys and staff tokens in the admin: shown once,
stored hashed, revoked rather than deleted; nobody else may see them."""

import re

from django.urls import reverse

from api.models import ApiClient, StaffToken

KEY = re.compile(r"es: ([A-Za-z0-9]{8}\.[A-Za-z0-9]{32})")


def test_a_supervisor_creates_a_key_that_is_shown_once_and_stored_hashed(client, supervisor):
    client.force_login(supervisor)
    response = client.post(
        reverse("admin:api_apiclient_add"),
        {"name": "FixMyStreet", "contact": "fms@example.org", "rate": "60/m"},
        follow=True,
    )
    shown = KEY.search(response.content.decode()).group(1)
    credential = ApiClient.objects.get()
    assert credential.created_by == supervisor and shown.startswith(credential.prefix)
    assert shown not in credential.hashed_key and shown not in credential.id
    page = client.get(reverse("admin:api_apiclient_change", args=[credential.pk])).content.decode()
    assert shown not in page  # never again
    assert ApiClient.objects.authenticate(shown) == credential


def test_an_invalid_rate_is_refused_with_a_message(client, supervisor):
    client.force_login(supervisor)
    response = client.post(reverse("admin:api_apiclient_add"), {"name": "X", "rate": "muchos"})
    assert "Use la forma 60/m" in response.content.decode() and not ApiClient.objects.exists()


def test_revoking_is_an_action_and_keys_are_never_deleted(client, supervisor):
    credential, key = ApiClient.objects.create_key(name="Vieja")
    client.force_login(supervisor)
    client.post(
        reverse("admin:api_apiclient_changelist"),
        {"action": "revoke", "_selected_action": [credential.pk]},
        follow=True,
    )
    credential.refresh_from_db()
    assert credential.revoked and credential.revoked_at is not None
    assert ApiClient.objects.authenticate(key) is None
    assert client.get(reverse("admin:api_apiclient_delete", args=[credential.pk])).status_code == 403


def test_a_staff_token_for_a_crew_member(client, supervisor, obras_staff):
    client.force_login(supervisor)
    response = client.post(
        reverse("admin:api_stafftoken_add"), {"user": obras_staff.pk, "name": "Tableta cuadrilla 3"}, follow=True
    )
    shown = KEY.search(response.content.decode()).group(1)
    assert StaffToken.objects.authenticate(shown).user == obras_staff


def test_department_staff_and_operators_cannot_see_keys(client, obras_staff, operator):
    for person in (obras_staff, operator):
        client.force_login(person)
        assert client.get(reverse("admin:api_apiclient_changelist")).status_code == 403
        assert client.get(reverse("admin:api_stafftoken_changelist")).status_code == 403
