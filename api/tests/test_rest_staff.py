"""Staff through the API: a personal token (a crew's tablet) or the admin session; exactly the
admin's scope (a department sees its own tickets) and the lifecycle's moves."""

import pytest

from api.models import StaffToken
from tickets import actions
from tickets.models import Ticket, TicketEvent
from tickets.tests import images

STAFF = "/api/v1/staff/tickets/"


def auth(key):
    return {"Authorization": f"Token {key}"}


@pytest.fixture
def pothole(make_ticket, frozen):
    return make_ticket(
        "bacheo", reporter_name="Rosa Vecina", reporter_phone="7225551234", reporter_email="rosa@example.com"
    )


@pytest.fixture
def leak(make_ticket, frozen):
    return make_ticket("fuga-agua")


def test_a_token_sees_its_departments_tickets_with_contact_data(api, token_for, obras_staff, pothole, leak):
    key = token_for(obras_staff)
    listed = api.get(STAFF, headers=auth(key)).json()["results"]
    assert [t["folio"] for t in listed] == [pothole.folio]
    assert listed[0]["reporter_phone"] == "7225551234" and listed[0]["reporter_email"] == "rosa@example.com"
    assert listed[0]["allowed_actions"] == actions.available(obras_staff, pothole)
    assert api.get(f"{STAFF}{leak.folio}/", headers=auth(key)).status_code == 404  # OPDAPAS' ticket


def test_a_supervisor_sees_every_department(api, token_for, supervisor, pothole, leak):
    listed = api.get(STAFF, headers=auth(token_for(supervisor))).json()["results"]
    assert {t["folio"] for t in listed} == {pothole.folio, leak.folio}


def test_the_detail_has_the_internal_trail(api, token_for, obras_staff, pothole):
    key = token_for(obras_staff)
    api.post(
        f"{STAFF}{pothole.folio}/actions/",
        {"action": "note", "note": "Llamar a Pepe"},
        format="json",
        headers=auth(key),
    )
    detail = api.get(f"{STAFF}{pothole.folio}/", headers=auth(key)).json()
    notes = [e for e in detail["events"] if e["kind"] == "note"]
    assert notes[0]["note"] == "Llamar a Pepe" and notes[0]["is_public"] is False and notes[0]["via"] == "api"
    assert notes[0]["actor"] == "Óscar"
    assert any(person["username"] == "oscar" for person in detail["assignable"])


@pytest.mark.parametrize("header", [None, "Token nada.nada", "Token ", "Bearer x", "Basic b3NjYXI6eA=="])
def test_without_a_valid_token_it_is_401_and_never_500(api, db, header):
    headers = {"Authorization": header} if header else {}
    response = api.get(STAFF, headers=headers)
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"detail", "code", "errors"}


def test_a_revoked_token_and_a_deactivated_person_are_refused(api, token_for, obras_staff, pothole):
    key = token_for(obras_staff)
    assert api.get(STAFF, headers=auth(key)).status_code == 200
    assert StaffToken.objects.get().last_used_at is not None
    obras_staff.is_active = False
    obras_staff.save()
    assert api.get(STAFF, headers=auth(key)).status_code == 401
    obras_staff.is_active = True
    obras_staff.save()
    StaffToken.objects.get().revoke()
    assert api.get(STAFF, headers=auth(key)).status_code == 401


def test_the_admin_session_works_too_and_an_operator_only_adds_notes(api, operator, pothole):
    api.force_login(operator)
    detail = api.get(f"{STAFF}{pothole.folio}/").json()
    assert detail["allowed_actions"] == ["note"]
    refused = api.post(f"{STAFF}{pothole.folio}/actions/", {"action": "resolve", "note": "Listo"}, format="json")
    assert refused.status_code == 403


def test_a_crew_works_a_ticket_from_the_tablet(api, token_for, obras_staff, pothole):
    key = token_for(obras_staff)

    def act(**data):
        return api.post(f"{STAFF}{pothole.folio}/actions/", data, headers=auth(key), format="multipart")

    assert act(action="assign_me").json()["ticket"]["status"] == "asignado"
    assert act(action="start").json()["ticket"]["status"] == "en_proceso"
    unanswered = act(action="wait", note="Esperamos asfalto")  # public or internal: it must say
    assert unanswered.status_code == 400 and "motivo de la espera es público" in unanswered.text
    assert act(action="wait", note="Esperamos asfalto", public="false").json()["ticket"]["status"] == "en_espera"
    assert act(action="start").status_code == 200
    photo = act(action="photo", public="true", photos=[images.upload()])
    assert photo.status_code == 200 and photo.json()["message"] == "Fotos agregadas."
    done = act(action="resolve", note="Se bacheó.")
    assert done.json()["ticket"]["status"] == "resuelto"
    assert done.json()["ticket"]["allowed_actions"] == ["note", "reopen", "photo", "tags"]
    vias = set(TicketEvent.objects.filter(ticket=pothole, kind=TicketEvent.Kind.STATUS).values_list("via", flat=True))
    assert vias == {"api"}


def test_a_refused_move_is_409_with_the_lifecycles_reason(api, token_for, obras_staff, pothole):
    key = token_for(obras_staff)
    response = api.post(f"{STAFF}{pothole.folio}/actions/", {"action": "start"}, format="json", headers=auth(key))
    body = response.json()
    assert response.status_code == 409 and body["code"] == "conflict"
    assert "Asígnelo primero" in body["detail"]
    missing_note = api.post(f"{STAFF}{pothole.folio}/actions/", {"action": "resolve"}, format="json", headers=auth(key))
    assert missing_note.status_code == 400 and "note" in missing_note.json()["errors"]
    unknown = api.post(f"{STAFF}{pothole.folio}/actions/", {"action": "borrar"}, format="json", headers=auth(key))
    assert unknown.status_code == 400 and "action" in unknown.json()["errors"]


def test_duplicates_name_a_folio_the_person_may_see(api, token_for, obras_staff, pothole, leak, make_ticket):
    key = token_for(obras_staff)
    hidden = api.post(
        f"{STAFF}{pothole.folio}/actions/",
        {"action": "duplicate", "parent": leak.folio},
        format="json",
        headers=auth(key),
    )
    assert hidden.status_code == 400 and "parent" in hidden.json()["errors"]
    principal = make_ticket("bacheo")
    merged = api.post(
        f"{STAFF}{pothole.folio}/actions/",
        {"action": "duplicate", "parent": principal.folio},
        format="json",
        headers=auth(key),
    )
    assert merged.status_code == 200 and merged.json()["ticket"]["parent"] == principal.folio


def test_corrections_through_patch_are_events_and_routing_needs_the_gerencia(api, token_for, obras_staff, pothole):
    key = token_for(obras_staff)
    response = api.patch(
        f"{STAFF}{pothole.folio}/", {"priority": "alta", "address": "Calle 2"}, format="json", headers=auth(key)
    )
    assert response.status_code == 200 and response.json()["ticket"]["priority"] == "alta"
    assert Ticket.objects.get().events.filter(kind=TicketEvent.Kind.UPDATED).count() == 2
    routed = api.patch(f"{STAFF}{pothole.folio}/", {"service": "fuga-agua"}, format="json", headers=auth(key))
    assert routed.status_code == 403 and "Gerencia" in routed.json()["detail"]
    empty = api.patch(f"{STAFF}{pothole.folio}/", {}, format="json", headers=auth(key))
    assert empty.status_code == 400


def test_another_departments_ticket_cannot_be_changed_through_any_url(api, token_for, opdapas_staff, pothole):
    key = token_for(opdapas_staff)
    for method, url, data in [
        ("get", f"{STAFF}{pothole.folio}/", None),
        ("patch", f"{STAFF}{pothole.folio}/", {"priority": "alta"}),
        ("post", f"{STAFF}{pothole.folio}/actions/", {"action": "note", "note": "x"}),
        ("post", f"{STAFF}{pothole.folio}/actions/", {"action": "resolve", "note": "x"}),
    ]:
        response = getattr(api, method)(url, data, format="json", headers=auth(key))
        assert response.status_code == 404, (method, url)
    assert api.get(STAFF, {"service": "bacheo"}, headers=auth(key)).json()["results"] == []
    assert not Ticket.objects.get().events.exclude(kind=TicketEvent.Kind.CREATED).exists()


def test_assignee_me_and_who_am_i(api, token_for, obras_staff, pothole, make_ticket):
    key = token_for(obras_staff)
    make_ticket("bacheo")
    api.post(f"{STAFF}{pothole.folio}/actions/", {"action": "assign_me"}, format="json", headers=auth(key))
    mine = api.get(STAFF, {"assignee": "me"}, headers=auth(key)).json()["results"]
    assert [t["folio"] for t in mine] == [pothole.folio]
    me = api.get("/api/v1/staff/me/", headers=auth(key)).json()
    assert me["department"]["name"] == "Dirección de Obras Públicas" and me["sees_all_departments"] is False


def test_staff_set_tags_by_name(api, token_for, obras_staff, opdapas_staff, pothole):
    from tickets.models import Tag

    Tag.objects.create(name="escuela")
    url = f"{STAFF}{pothole.folio}/actions/"
    done = api.post(url, {"action": "tags", "tags": ["escuela"]}, headers=auth(token_for(obras_staff)), format="json")
    assert done.status_code == 200 and done.json()["message"] == "Etiquetas actualizadas."
    assert list(pothole.tags.values_list("name", flat=True)) == ["escuela"]
    bad = api.post(url, {"action": "tags", "tags": ["inventada"]}, headers=auth(token_for(obras_staff)), format="json")
    assert bad.status_code == 400 and "No existe la etiqueta «inventada»." in bad.text
    other = api.post(url, {"action": "tags", "tags": []}, headers=auth(token_for(opdapas_staff)), format="json")
    assert other.status_code == 404  # another department's ticket does not exist for Paula
