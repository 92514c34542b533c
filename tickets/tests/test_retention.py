"""The reporter's contact data is erased a year after the ticket closed (retention.py); the
ticket and its public history stay, the trail says so, and nothing is left in the admin."""

from datetime import timedelta

from conftest import local
from tickets import lifecycle
from tickets.models import Ticket

CONTACT = {"reporter_name": "Rosa Vecina", "reporter_phone": "7225551234", "reporter_email": "rosa@example.com"}


def test_contact_data_is_erased_a_year_after_closing_and_the_history_stays(
    client, make_ticket, obras_staff, supervisor, time_machine
):
    time_machine.move_to(local(2026, 3, 2, 10), tick=False)
    closed = make_ticket(**CONTACT)
    lifecycle.ticket_resolve(ticket=closed, actor=obras_staff, public_note="Bache tapado.")
    still_open = make_ticket("alumbrado", **CONTACT)

    time_machine.move_to(local(2027, 3, 1, 10), tick=False)  # 364 days later
    assert lifecycle.tickets_erase_personal_data() == 0
    time_machine.move_to(local(2027, 3, 3, 10), tick=False)  # a year and a day
    assert lifecycle.tickets_erase_personal_data() == 1
    assert lifecycle.tickets_erase_personal_data() == 0  # once

    closed.refresh_from_db()
    assert (closed.reporter_name, closed.reporter_phone, closed.reporter_email) == ("", "", "")
    assert closed.status == "resuelto" and closed.events.filter(kind="status").exists()
    erased = closed.events.latest("id")
    assert erased.via == "sistema" and not erased.is_public and "borrados" in erased.note
    still_open.refresh_from_db()
    assert still_open.reporter_phone == "7225551234"  # open tickets keep how to reach the resident

    client.force_login(supervisor)
    admin_page = client.get(f"/admin/tickets/ticket/{closed.pk}/change/").text
    assert "7225551234" not in admin_page and "rosa@example.com" not in admin_page and "Rosa Vecina" not in admin_page
    assert client.get(f"/seguimiento/{closed.folio}/").status_code == 200  # the public story stays


def test_the_retention_is_configurable(make_ticket, obras_staff, time_machine, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    time_machine.move_to(local(2026, 12, 1, 10), tick=False)
    ticket = make_ticket(**CONTACT)
    lifecycle.ticket_close_no_procede(ticket=ticket, actor=obras_staff, reason="No es de competencia municipal.")
    time_machine.shift(timedelta(days=31))
    assert lifecycle.tickets_erase_personal_data() == 1
    assert Ticket.objects.get(pk=ticket.pk).reporter_email == ""


def test_the_daily_task_erases_every_due_ticket(make_ticket, obras_staff, time_machine):
    from tickets.tasks import erase_personal_data

    time_machine.move_to(local(2026, 1, 5, 10), tick=False)
    for _ in range(2):
        lifecycle.ticket_resolve(ticket=make_ticket(**CONTACT), actor=obras_staff, public_note="Listo.")
    time_machine.shift(timedelta(days=400))
    assert erase_personal_data() == 2
    assert not Ticket.objects.exclude(reporter_phone="").exists()
