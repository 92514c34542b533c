"""Each rule has one home, and every door reads it (issue: "one definition of each rule").

The expectations are written out here from DESIGN.md, independently of the code: the
public bucket and Open311 status of each status, the on-time rule, the moves each persona
is offered in each status, the reopen window, and that the web form, the phone intake and
the lifecycle refuse a report with the same words.
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.db import DatabaseError
from django.urls import reverse
from PIL import Image

from conftest import local, make_staff
from stats import opendata, rollups
from tickets import actions, lifecycle
from tickets.admin.forms import TicketActionForm
from tickets.models import Colonia, Service, Status, Tag, Ticket, TicketEvent
from tickets.models.status import open311_status, public_bucket, public_bucket_expression, resolved_on_time_q
from tickets.permissions import DEPARTMENT_GROUP
from tickets.tests import images
from tickets.tests.test_status_moves import move

BUCKET = {
    "nuevo": "en_proceso",
    "asignado": "en_proceso",
    "en_proceso": "en_proceso",
    "en_espera": "en_proceso",
    "resuelto": "resuelto",
    "no_procede": "cerrado_sin_atencion",
    "duplicado": "cerrado_sin_atencion",
}
OPEN311 = {status: "open" if bucket == "en_proceso" else "closed" for status, bucket in BUCKET.items()}

PATHS = {
    "nuevo": [],
    "asignado": ["assign"],
    "en_proceso": ["assign", "start"],
    "en_espera": ["assign", "start", "wait"],
    "resuelto": ["assign", "start", "resolve"],
    "no_procede": ["close"],
    "duplicado": ["duplicate"],
}


@pytest.fixture
def one_of_each(make_ticket, supervisor, frozen):
    tickets = {}
    parent = make_ticket()
    for status, path in PATHS.items():
        ticket = make_ticket()
        for step in path:
            move(ticket, step, supervisor, parent)
        tickets[status] = ticket
    return tickets


def test_the_bucket_and_open311_status_of_each_status_in_python_and_sql(one_of_each):
    for status in Status:
        assert public_bucket(status) == BUCKET[status]
        assert open311_status(status) == OPEN311[status]
    in_sql = dict(
        Ticket.objects.filter(pk__in=[t.pk for t in one_of_each.values()])
        .annotate(bucket=public_bucket_expression())
        .values_list("status", "bucket")
    )
    assert in_sql == {status: BUCKET[status] for status in one_of_each}
    exported = {row[4]: row[5] for row in opendata.ticket_rows() if row[0] in {t.folio for t in one_of_each.values()}}
    assert exported == {status: BUCKET[status] for status in one_of_each}


@pytest.mark.parametrize(
    "resolved_after, expected",
    [(timedelta(hours=-1), True), (timedelta(0), True), (timedelta(minutes=1), False)],
)
def test_resolved_on_time_means_by_the_due_date_in_python_and_sql(
    make_ticket, supervisor, frozen, resolved_after, expected
):
    ticket = make_ticket()
    lifecycle.ticket_resolve(ticket=ticket, actor=supervisor, public_note="Listo", at=ticket.due_at + resolved_after)
    ticket.refresh_from_db()
    assert ticket.resolved_on_time is expected
    assert Ticket.objects.filter(resolved_on_time_q(True), pk=ticket.pk).exists() is expected
    assert Ticket.objects.filter(resolved_on_time_q(False), pk=ticket.pk).exists() is not expected
    assert rollups.contribution(ticket).sla_met == int(expected)
    row = next(row for row in opendata.ticket_rows() if row[0] == ticket.folio)
    assert row[opendata.HEADER.index("en_plazo")] == ("si" if expected else "no")


def test_open_and_unmeasured_tickets_have_no_on_time_verdict(one_of_each):
    for status, ticket in one_of_each.items():
        ticket.refresh_from_db()
        if status != "resuelto":
            assert ticket.resolved_on_time is None
            assert rollups.contribution(ticket).sla_measured == 0


# What each persona is offered, per status (supervisor Sofía; Óscar of Obras Públicas on his
# own department's ticket; Paula of OPDAPAS on it; Olga the operator).
WORKER_MOVES = {
    "nuevo": {"note", "assign_me", "assign", "resolve", "no_procede", "duplicate", "photo", "tags"},
    "asignado": {"note", "assign_me", "assign", "start", "resolve", "no_procede", "duplicate", "photo", "tags"},
    "en_proceso": {"note", "assign_me", "assign", "wait", "resolve", "no_procede", "duplicate", "photo", "tags"},
    "en_espera": {"note", "assign_me", "assign", "start", "resolve", "no_procede", "duplicate", "photo", "tags"},
    "resuelto": {"note", "reopen", "photo", "tags"},
    "no_procede": {"note", "photo", "tags"},
    "duplicado": {"note", "photo", "tags"},
}


@pytest.mark.parametrize("status", list(PATHS))
def test_the_moves_each_persona_is_offered(one_of_each, supervisor, obras_staff, opdapas_staff, operator, status):
    ticket = Ticket.objects.get(pk=one_of_each[status].pk)
    # Sofía moved these tickets and assigned them to herself: "assign to me" is not offered.
    hers = {"assign_me"} if ticket.assignee_id == supervisor.pk else set()
    assert set(actions.available(supervisor, ticket)) == WORKER_MOVES[status] - hers
    assert set(actions.available(obras_staff, ticket)) == WORKER_MOVES[status]
    assert actions.available(opdapas_staff, ticket) == []  # another department's ticket
    assert actions.available(operator, ticket) == ["note"]  # sees everything, works nothing


def test_the_admin_panel_offers_exactly_the_table(one_of_each, obras_staff):
    for ticket in one_of_each.values():
        form = TicketActionForm(user=obras_staff, ticket=ticket)
        assert [code for code, _ in form.fields["action"].choices] == actions.available(obras_staff, ticket)


def test_every_offered_move_is_accepted_by_the_lifecycle(make_ticket, obras_staff, operator, frozen):
    """The table never offers what the lifecycle would refuse (the lifecycle checks again)."""
    inputs = {
        "note": {"note": "Revisado."},
        "assign": {"assignee": obras_staff},
        "wait": {"note": "Esperamos material.", "public": False},
        "resolve": {"note": "Se bacheó."},
        "no_procede": {"note": "No es municipal."},
        "reopen": {"note": "Volvió a fallar."},
        "photo": {"photos": [images.cleaned()]},
        "tags": {"tags": [Tag.objects.create(name="escuela")]},
    }
    colleague = make_staff("omar", DEPARTMENT_GROUP, "Dirección de Obras Públicas")
    performed = set()
    for path in PATHS.values():
        probe = make_ticket()
        parent = make_ticket()
        for step in path:
            move(probe, step, obras_staff, parent)
        for code in actions.available(obras_staff, Ticket.objects.get(pk=probe.pk)):
            ticket = make_ticket()
            for step in path:
                move(ticket, step, obras_staff, parent)
            ticket = Ticket.objects.get(pk=ticket.pk)
            extra = {"parent": parent} if code == "duplicate" else inputs.get(code, {})
            if code == "assign":
                extra = {"assignee": colleague if ticket.assignee_id == obras_staff.pk else obras_staff}
            actions.perform(code, ticket=ticket, actor=obras_staff, **extra)
            performed.add(code)
    assert performed == set(actions.ACTIONS)  # every move was exercised


def test_the_reporter_may_reopen_for_30_days_and_staff_at_any_time(make_ticket, obras_staff, opdapas_staff, frozen):
    ticket = make_ticket()
    lifecycle.ticket_resolve(ticket=ticket, actor=obras_staff, public_note="Listo", at=local(2026, 12, 7, 10))
    ticket.refresh_from_db()
    assert lifecycle.may_reopen(ticket, at=local(2027, 1, 6, 10))  # day 30
    assert not lifecycle.may_reopen(ticket, at=local(2027, 1, 6, 10, 1))
    assert "30 días" in lifecycle.reopen_refusal(ticket, at=local(2027, 1, 7))
    assert lifecycle.may_reopen(ticket, actor=obras_staff, at=local(2027, 6, 1))
    assert not lifecycle.may_reopen(ticket, actor=opdapas_staff)
    assert "reopen" in actions.available(obras_staff, ticket)


def test_staff_edit_exactly_the_editable_details(rf, obras_staff, make_ticket, frozen):
    from django.contrib.admin.sites import site

    ticket = make_ticket()
    model_admin = site._registry[Ticket]
    request = rf.get("/")
    request.user = obras_staff
    every = {name for _, options in model_admin.fieldsets for name in options["fields"]}
    editable = every - set(model_admin.get_readonly_fields(request, ticket))
    assert editable == set(lifecycle.EDITABLE_DETAILS) == {"service", "priority", "colonia", "address"}


# --- a new report: the same refusals in the same words, whatever the door ------------------


def _web_errors(client, code, data):
    from tickets.forms import ReportForm

    response = client.post(
        reverse("report_form", args=[code]), {"submission_key": ReportForm.new_key(), "confirm_new": "1", **data}
    )
    assert response.status_code == 400
    return response.context["form"]


def _lifecycle_messages(**report):
    with pytest.raises(lifecycle.Refused) as refusal:
        lifecycle.ticket_create(**report)
    return {message for messages in refusal.value.errors.values() for message in messages}


def test_web_form_and_lifecycle_refuse_a_point_outside_metepec_alike(client, db):
    colonia = Colonia.objects.get(name="Coaxustenco")
    form = _web_errors(
        client,
        "bacheo",
        {
            "colonia": colonia.pk,
            "address": "Calle 1",
            "description": "Bache",
            "latitude": "19.43",
            "longitude": "-99.13",
        },
    )
    web = set(form.non_field_errors())
    core = _lifecycle_messages(
        service=Service.objects.get(code="bacheo"),
        channel="api",
        description="Bache",
        address="Calle 1",
        latitude="19.43",
        longitude="-99.13",
    )
    assert web == core and any("fuera del municipio" in message for message in web)


def test_web_form_and_lifecycle_ask_for_contact_and_photo_alike(client, db):
    colonia = Colonia.objects.get(name="Coaxustenco")
    form = _web_errors(client, "llanta-bache", {"colonia": colonia.pk, "address": "Calle 1", "description": "Ponché"})
    core = _lifecycle_messages(
        service=Service.objects.get(code="llanta-bache"), channel="app", description="Ponché", colonia=colonia
    )
    assert set(form.errors["reporter_phone"]) | set(form.errors["photos"]) == core


def test_phone_intake_web_form_and_lifecycle_ask_for_contact_alike(client, operator, db):
    """A damage claim needs a way to reach the caller: the operator reads the web's words."""
    service = Service.objects.get(code="llanta-bache")
    client.force_login(operator)
    response = client.post(
        reverse("admin:tickets_ticket_intake"),
        {"service": service.pk, "address": "Calle 1", "description": "Ponché", "priority": "normal"},
    )
    expected = "Este servicio requiere un teléfono o correo para darle seguimiento."
    assert response.context["form"].errors["reporter_phone"] == [expected]
    assert not Ticket.objects.exists()
    core = _lifecycle_messages(service=service, channel="telefono", description="Ponché", address="Calle 1")
    assert core == {expected}  # no photo demanded by phone: the caller cannot send one


def test_a_web_report_is_checked_once_and_saved_with_that_check(client, db, monkeypatch, frozen):
    """The form checks the report to show every problem at once; ticket_create() takes that
    check (made for the same arguments) instead of making it again."""
    from tickets.lifecycle import report as report_module

    calls = []
    original = report_module.check_report
    monkeypatch.setattr(report_module, "check_report", lambda **kw: calls.append(kw) or original(**kw))
    colonia = Colonia.objects.get(name="Coaxustenco")
    sent = {
        "submission_key": "c" * 32,
        "colonia": colonia.pk,
        "address": "  Calle Hidalgo 12  ",
        "description": "Bache profundo",
        "attribute_tamano": "grande",
        "reporter_phone": "+52 (722) 555-1234",
        "confirm_new": "1",
    }
    assert client.post(reverse("report_form", args=["bacheo"]), sent).status_code == 302
    assert len(calls) == 1
    ticket = Ticket.objects.get()
    # The check's cleaned values are what was stored.
    assert (ticket.address, ticket.reporter_phone, ticket.attributes) == (
        "Calle Hidalgo 12",
        "7225551234",
        {"tamano": "grande"},
    )


def test_a_check_made_for_other_arguments_is_not_taken(db, frozen):
    """ticket_create() checks again whenever any argument differs from the ones checked:
    a check of a harmless report never lets another one through."""
    service = Service.objects.get(code="bacheo")
    checked = lifecycle.checked(service=service, channel="web", description="Bache", address="Calle 1",
                                colonia=None, latitude=None, longitude=None, reporter_name="",
                                reporter_phone="", reporter_email="", attributes={}, photos=0, actor=None)  # fmt: skip
    with pytest.raises(lifecycle.Refused) as refusal:
        lifecycle.ticket_create(service=service, channel="web", description="", address="Calle 1", checked=checked)
    assert refusal.value.errors["description"] == ["Describa el problema."]
    ticket = lifecycle.ticket_create(
        service=service, channel="web", description="Bache", address="Calle 1", attributes={}, checked=checked
    )
    assert ticket.description == "Bache" and not Ticket.objects.filter(description="").exists()


def test_photos_added_later_go_through_the_lifecycle_and_write_their_event(make_ticket, obras_staff, frozen):
    ticket = make_ticket()
    lifecycle.ticket_add_photos(ticket=ticket, photos=[images.cleaned()], actor=obras_staff, public=False)
    lifecycle.ticket_add_reporter_info(ticket=ticket, text="Ahora es más grande.", photos=[images.cleaned()])
    photo_events = TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.PHOTO).order_by("id")
    assert [(e.is_public, e.actor_id) for e in photo_events] == [(False, obras_staff.pk), (True, None)]
    assert sorted(ticket.photos.values_list("is_public", flat=True)) == [False, True]


def test_a_closed_ticket_takes_no_photos_from_the_reporter(make_ticket, obras_staff, settings, tmp_path, frozen):
    settings.MEDIA_ROOT = str(tmp_path)
    ticket = make_ticket()
    lifecycle.ticket_resolve(ticket=ticket, actor=obras_staff, public_note="Listo")
    with pytest.raises(lifecycle.Refused, match="cerrado"):
        lifecycle.ticket_add_photos(ticket=ticket, photos=[images.cleaned()])
    assert stored_files(settings.MEDIA_ROOT) == []  # the refused photo left no file behind


def test_a_report_that_fails_to_save_leaves_no_photo_files(
    transactional_db, make_ticket, settings, tmp_path, monkeypatch, frozen
):
    settings.MEDIA_ROOT = str(tmp_path)

    def counter_down(year):
        raise DatabaseError("the folio counter is unreachable")

    monkeypatch.setattr("tickets.lifecycle.report.folio_to_insert", counter_down)
    with pytest.raises(DatabaseError):
        make_ticket(reporter_phone="7221234567", photos=[images.cleaned(), images.cleaned()])
    assert Ticket.objects.count() == 0
    assert stored_files(settings.MEDIA_ROOT) == []


def test_a_saved_report_keeps_its_photo_files_with_their_size(make_ticket, settings, tmp_path, frozen):
    settings.MEDIA_ROOT = str(tmp_path)
    ticket = make_ticket(reporter_phone="7221234567", photos=[images.cleaned()])
    photo = ticket.photos.get()
    assert stored_files(settings.MEDIA_ROOT) == [Path(settings.MEDIA_ROOT, photo.image.name)]
    assert (photo.width, photo.height) == Image.open(photo.image.path).size


def stored_files(root):
    return sorted(path for path in Path(root).rglob("*") if path.is_file())


def test_reports_read_the_catalogue_once_and_see_a_change_at_once(db, django_assert_num_queries):
    from tickets import catalogue

    assert catalogue.service("bacheo").attributes.all()[0].code == "tamano"
    with django_assert_num_queries(0):
        assert list(catalogue.service("bacheo").attributes.all())
    service = Service.objects.get(code="bacheo")
    service.contact_required = True
    service.save()
    assert catalogue.service("bacheo").contact_required is True
    service.attributes.first().delete()
    assert list(catalogue.service("bacheo").attributes.all()) == []
    assert catalogue.service("no-existe") is None


def test_another_process_sees_a_catalogue_change_within_a_second(db, monkeypatch, django_assert_num_queries):
    from django.core.cache import cache

    from tickets import catalogue

    now = [1000.0]
    monkeypatch.setattr(catalogue, "_clock", lambda: now[0])
    assert catalogue.service("bacheo").contact_required is False
    # Another process changes the service: its row, and the shared version it forgets.
    Service.objects.filter(code="bacheo").update(contact_required=True)
    cache.delete(catalogue.VERSION_KEY)
    with django_assert_num_queries(0):  # within the second, this process keeps its copy
        assert catalogue.service("bacheo").contact_required is False
    now[0] += catalogue.RECHECK_SECONDS
    assert catalogue.service("bacheo").contact_required is True
