"""Who hears what (issue #13): residents about every public change of their report, one
e-mail per change or one for several close together, with an unsubscribe link; staff about
assignments, deadlines about to pass and passed, and a daily digest per department. Every
message goes through the outbox, never twice, never to someone who may not see the ticket,
and is listed on the ticket's page."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from conftest import DEPARTMENT_GROUP, local, make_staff
from tickets import alerts, lifecycle, notifications, outbox
from tickets.messaging import SmsBackend
from tickets.models import Channel, Department, DepartmentAlerts, Notification, Service

Kind = Notification.Kind
State = Notification.State
WINDOW = timedelta(minutes=10)  # settings.RESIDENT_DIGEST_MINUTES


def deliver(frozen, after=WINDOW + timedelta(seconds=1)):
    frozen.shift(after)
    return outbox.deliver_due()


def to(mailoutbox, address):
    return [m for m in mailoutbox if address in m.to]


@pytest.fixture
def rosa_report(make_ticket, frozen):
    """Rosa reported a pothole on the web with her e-mail (Monday 7 December, 10:00)."""
    ticket = make_ticket("bacheo", reporter_email="rosa@example.com", reporter_name="Rosa")
    outbox.deliver_due()  # the confirmation
    return ticket


# --- residents -------------------------------------------------------------------------------


def test_each_public_change_is_one_email_to_the_reporter(rosa_report, supervisor, obras_staff, frozen, mailoutbox):
    lifecycle.ticket_assign(ticket=rosa_report, actor=supervisor, assignee=obras_staff)
    assert deliver(frozen) >= 1
    [first] = [m for m in to(mailoutbox, "rosa@example.com") if "Avance" in m.subject]
    assert first.subject == f"Avance de su reporte {rosa_report.folio}: Asignado"
    assert "Estado: Asignado" in first.body
    unsubscribe = notifications.unsubscribe_url(rosa_report)
    assert unsubscribe in first.body and first.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert first.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "oscar" not in first.body.lower()  # the department speaks as one

    frozen.shift(timedelta(hours=2))
    lifecycle.ticket_start(ticket=rosa_report, actor=obras_staff)
    deliver(frozen)
    updates = [m for m in to(mailoutbox, "rosa@example.com") if "Avance" in m.subject]
    assert [m.subject.rsplit(": ", 1)[1] for m in updates] == ["Asignado", "En proceso"]
    assert "Estado: Asignado" not in updates[1].body  # each tells what is new


def test_changes_close_together_are_one_email(rosa_report, supervisor, obras_staff, frozen, mailoutbox):
    lifecycle.ticket_assign(ticket=rosa_report, actor=supervisor, assignee=obras_staff)
    frozen.shift(timedelta(minutes=2))
    lifecycle.ticket_start(ticket=rosa_report, actor=obras_staff)
    frozen.shift(timedelta(minutes=2))
    lifecycle.ticket_wait(ticket=rosa_report, actor=obras_staff, reason="Llega la mezcla el martes.", public=True)
    lifecycle.ticket_add_note(ticket=rosa_report, actor=obras_staff, text="Proveedor Asfaltos SA", public=False)
    assert rosa_report.notifications.filter(kind=Kind.UPDATE).count() == 1
    deliver(frozen)
    [update] = [m for m in to(mailoutbox, "rosa@example.com") if "Avance" in m.subject]
    assert "Estado: Asignado" in update.body and "Estado: En proceso" in update.body
    assert "Estado: En espera: Llega la mezcla el martes." in update.body
    assert "Proveedor" not in update.body  # internal notes stay internal
    assert outbox.deliver_due() == 0  # never twice


def test_closing_duplicate_and_reopening_say_why(make_ticket, rosa_report, supervisor, frozen, mailoutbox):
    parent = make_ticket("bacheo")
    lifecycle.ticket_mark_duplicate(ticket=rosa_report, parent=parent, actor=supervisor)
    deliver(frozen)
    [dup] = [m for m in to(mailoutbox, "rosa@example.com") if "Avance" in m.subject]
    assert f"Duplicado de {parent.folio}" in dup.body

    other = make_ticket("bacheo", reporter_email="ana@example.com")
    lifecycle.ticket_close_no_procede(ticket=other, actor=supervisor, reason="Es una calle federal.")
    deliver(frozen)
    [closed] = [m for m in to(mailoutbox, "ana@example.com") if "Avance" in m.subject]
    assert "No procede: Es una calle federal." in closed.body


def test_the_resolution_has_its_own_message_and_staff_reopening_is_told(rosa_report, obras_staff, frozen, mailoutbox):
    lifecycle.ticket_assign(ticket=rosa_report, actor=obras_staff, assignee=obras_staff)
    lifecycle.ticket_start(ticket=rosa_report, actor=obras_staff)
    lifecycle.ticket_resolve(ticket=rosa_report, actor=obras_staff, public_note="Bache cubierto.")
    deliver(frozen)
    subjects = [m.subject for m in to(mailoutbox, "rosa@example.com")]
    assert f"Su reporte {rosa_report.folio} fue atendido" in subjects
    [update] = [m for m in to(mailoutbox, "rosa@example.com") if "Avance" in m.subject]
    assert "Resuelto" not in update.body.split("Estado actual")[0]  # told once, by its own message
    lifecycle.ticket_reopen(ticket=rosa_report, actor=obras_staff, reason="La cuadrilla vio que se hundió.")
    deliver(frozen)
    reopened = [m for m in to(mailoutbox, "rosa@example.com") if "Avance" in m.subject][-1]
    assert "Reabierto: La cuadrilla vio que se hundió." in reopened.body


def test_what_the_reporter_did_is_not_sent_back_to_them(rosa_report, obras_staff, frozen, mailoutbox):
    lifecycle.ticket_resolve(ticket=rosa_report, actor=obras_staff, public_note="Listo.")
    deliver(frozen)
    mailoutbox.clear()
    lifecycle.ticket_reopen(ticket=rosa_report, actor=None, via="web", reason="Sigue igual.")
    deliver(frozen)
    assert to(mailoutbox, "rosa@example.com") == []
    assert not rosa_report.notifications.filter(kind=Kind.UPDATE, state=State.PENDING).exists()


def test_unsubscribing_takes_one_click_and_stops_the_updates(rosa_report, supervisor, obras_staff, frozen, mailoutbox):
    url = notifications.unsubscribe_url(rosa_report).removeprefix("http://127.0.0.1:8000")
    strict = Client(enforce_csrf_checks=True)
    page = strict.get(url)
    assert page.status_code == 200 and "¿Dejar de recibir avisos" in page.text
    rosa_report.refresh_from_db()
    assert rosa_report.reporter_unsubscribed_at is None  # a GET (a mail scanner) changes nothing
    lifecycle.ticket_assign(ticket=rosa_report, actor=supervisor, assignee=obras_staff)  # pending
    # The mail program's one-click POST (RFC 8058): no CSRF token, the signature suffices.
    done = strict.post(url, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "ya no le enviaremos avisos" in done.text
    rosa_report.refresh_from_db()
    assert rosa_report.reporter_unsubscribed_at is not None
    assert rosa_report.events.filter(note__startswith="El ciudadano pidió no recibir", is_public=False).exists()
    deliver(frozen)
    lifecycle.ticket_start(ticket=rosa_report, actor=obras_staff)
    deliver(frozen)
    assert [m for m in to(mailoutbox, "rosa@example.com") if "Avance" in m.subject] == []
    assert rosa_report.notifications.get(kind=Kind.UPDATE).state == State.SKIPPED
    assert strict.get(url.replace(url.rsplit("/", 2)[1], "falsa")).status_code == 404


def phone_report(operator, **contact):
    """A call taken by the operator at *7311."""
    return lifecycle.ticket_create(
        service=Service.objects.get(code="bacheo"), description="Bache", channel=Channel.TELEFONO, actor=operator,
        **contact,
    )  # fmt: skip


def test_a_phone_report_with_an_email_gets_the_confirmation(operator, frozen, mailoutbox):
    ticket = phone_report(operator, reporter_phone="7221234567", reporter_email="don.luis@example.com")
    outbox.deliver_due()
    assert [m.subject for m in to(mailoutbox, "don.luis@example.com")] == [
        f"Recibimos su reporte: folio {ticket.folio}"
    ]


class RecordingSms(SmsBackend):
    sent = []

    def send(self, to, text):
        self.sent.append((to, text))


def test_a_phone_report_without_email_gets_the_folio_by_text_message(operator, frozen, settings):
    settings.SMS_BACKEND = f"{__name__}.RecordingSms"
    RecordingSms.sent = []
    ticket = phone_report(operator, reporter_phone="7221234567")
    assert outbox.deliver_due() == 1
    [(number, text)] = RecordingSms.sent
    assert number == "7221234567" and ticket.folio in text
    assert ticket.notifications.get().channel == Notification.Channel.SMS
    settings.SMS_BACKEND = ""  # not configured: no text messages promised
    quiet = phone_report(operator, reporter_phone="7227654321")
    assert not quiet.notifications.exists()


# --- staff -----------------------------------------------------------------------------------


@pytest.fixture
def obras():
    return Department.objects.get(name="Dirección de Obras Públicas")


@pytest.fixture
def carla(obras):
    """Carla coordinates Obras Públicas."""
    user = make_staff("carla", DEPARTMENT_GROUP, "Dirección de Obras Públicas", first_name="Carla")
    alerts_row = DepartmentAlerts.objects.create(department=obras)
    alerts_row.coordinators.add(user)
    return user


def test_the_assignee_hears_when_someone_else_assigns_them(
    make_ticket, frozen, supervisor, obras_staff, mailoutbox, obras
):
    ticket = make_ticket("bacheo")
    lifecycle.ticket_assign(ticket=ticket, actor=supervisor, assignee=obras_staff)
    outbox.deliver_due()
    [mail] = to(mailoutbox, "oscar@metepec.example")
    assert mail.subject == f"Se le asignó el ticket {ticket.folio}" and ticket.folio in mail.body
    # Taking it oneself is not news; a department can turn the alert off.
    mine = make_ticket("bacheo")
    lifecycle.ticket_assign(ticket=mine, actor=obras_staff, assignee=obras_staff)
    DepartmentAlerts.objects.create(department=obras, assignee_on_assign=False)
    quiet = make_ticket("bacheo")
    lifecycle.ticket_assign(ticket=quiet, actor=supervisor, assignee=obras_staff)
    outbox.deliver_due()
    assert len(to(mailoutbox, "oscar@metepec.example")) == 1


def test_por_vencer_tells_the_assignee_and_the_coordinators_once(
    make_ticket, frozen, supervisor, obras_staff, carla, opdapas_staff, mailoutbox, obras
):
    obras.alerts.coordinators.add(opdapas_staff)  # misconfigured: Paula may not see potholes
    ticket = make_ticket("bacheo")
    lifecycle.ticket_assign(ticket=ticket, actor=obras_staff, assignee=obras_staff)
    assert alerts.due_soon() == 0  # not yet
    frozen.move_to(ticket.due_soon_at + timedelta(minutes=1))
    assert alerts.due_soon() == 2
    assert alerts.due_soon() == 0  # a second run promises nothing twice
    outbox.deliver_due()
    due = [m for m in mailoutbox if m.subject == f"Por vencer: {ticket.folio}"]
    assert sorted(m.to[0] for m in due) == ["carla@metepec.example", "oscar@metepec.example"]
    assert "lunes 14 de diciembre a las 13:00" in due[0].body


def test_vencido_tells_coordinators_and_supervisors_and_again_each_working_day(
    make_ticket, frozen, supervisor, obras_staff, carla, mailoutbox, django_assert_max_num_queries
):
    ticket = make_ticket("bacheo")  # due Monday 14 December 13:00
    frozen.move_to(ticket.due_at + timedelta(minutes=5))
    assert lifecycle.tickets_mark_overdue() == 1
    assert lifecycle.tickets_mark_overdue() == 0
    outbox.deliver_due()
    overdue = sorted(m.to[0] for m in mailoutbox if m.subject == f"Vencido: {ticket.folio}")
    assert overdue == ["carla@metepec.example", "sofia@metepec.example"]
    alerts.start_of_day()  # the same day: already told (the keys), whatever the digest does
    assert Notification.objects.filter(kind=Kind.OVERDUE).count() == 2
    # Tuesday at 9:00, still overdue: once more; a second run that morning adds nothing.
    frozen.move_to(local(2026, 12, 15, 9, 1))
    alerts.start_of_day()
    with django_assert_max_num_queries(3):  # the morning is done: the backlog is not read again
        alerts.start_of_day()
    assert Notification.objects.filter(kind=Kind.OVERDUE).count() == 4
    # Saturday is not a working day: nothing.
    frozen.move_to(local(2026, 12, 19, 10))
    alerts.start_of_day()
    assert Notification.objects.filter(kind=Kind.OVERDUE).count() == 4
    # Resolved before the message goes out: nobody is told about a ticket no longer overdue.
    frozen.move_to(local(2026, 12, 21, 9, 1))
    alerts.start_of_day()
    lifecycle.ticket_resolve(ticket=ticket, actor=supervisor, public_note="Listo.")
    mailoutbox.clear()
    outbox.deliver_due()
    assert [m for m in mailoutbox if m.subject.startswith("Vencido")] == []


def test_the_daily_digest_at_the_start_of_the_working_day(
    make_ticket, time_machine, carla, obras_staff, obras, mailoutbox
):
    time_machine.move_to(local(2026, 11, 24, 10), tick=False)
    overdue = make_ticket("bacheo")  # due Tuesday 1 December 13:00
    time_machine.move_to(local(2026, 11, 30, 10), tick=False)
    due_today = make_ticket("bacheo")  # due Monday 7 December 13:00
    time_machine.move_to(local(2026, 12, 4, 16), tick=False)
    new = make_ticket("bacheo")  # Friday 16:00, since the previous working day started
    time_machine.move_to(local(2026, 12, 7, 8, 30), tick=False)  # Monday, before opening
    assert alerts.start_of_day() == 0
    time_machine.move_to(local(2026, 12, 7, 9, 5), tick=False)
    assert alerts.start_of_day() >= 1
    assert alerts.start_of_day() == 0  # once a day
    digest = Notification.objects.get(kind=Kind.DAILY_DIGEST)
    assert (digest.recipient, digest.department) == (carla, obras)
    content = alerts.digest_content(obras, digest.created_at)
    assert overdue in content["overdue"] and content["overdue_count"] == 1
    assert new in content["new"] and overdue not in content["new"]
    assert content["due_today"] == [due_today] and content["new_count"] == 1
    outbox.deliver_due()
    [mail] = [m for m in mailoutbox if m.subject == "Resumen del 07/12/2026: Dirección de Obras Públicas"]
    assert mail.to == ["carla@metepec.example"]
    assert "Vencidos: 1" in mail.body and overdue.folio in mail.body
    assert "Vencen hoy: 1" in mail.body and f"{due_today.folio} · Atención de bacheo · vence 13:00" in mail.body
    # Staff too, when the department says so.
    DepartmentAlerts.objects.filter(department=obras).update(digest_to_staff=True)
    time_machine.move_to(local(2026, 12, 8, 9, 5), tick=False)
    alerts.start_of_day()
    recipients = set(Notification.objects.filter(kind=Kind.DAILY_DIGEST).values_list("recipient__username", flat=True))
    assert recipients == {"carla", "oscar"}


def test_the_ticket_page_lists_every_message_promised(client, make_ticket, frozen, supervisor, obras_staff):
    ticket = make_ticket("bacheo", reporter_email="rosa@example.com")
    lifecycle.ticket_assign(ticket=ticket, actor=supervisor, assignee=obras_staff)
    client.force_login(supervisor)
    html = client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).text
    assert "Confirmación del reporte (al ciudadano)" in html
    assert "Avance del reporte (al ciudadano)" in html
    assert "Ticket asignado (al responsable)" in html and "Óscar" in html
