"""After resolution: "¿Se resolvió el problema?", then a 1–5 rating, once per ticket."""

import pytest
from django.urls import reverse

from conftest import local
from stats import numbers, rollups, snapshot
from surveys.models import TicketSatisfaction
from tickets import lifecycle
from tickets.models import Ticket


@pytest.fixture
def resolved(make_ticket, obras_staff, frozen, mailoutbox, django_capture_on_commit_callbacks):
    ticket = make_ticket("bacheo", reporter_email="rosa@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.ticket_resolve(ticket=ticket, actor=obras_staff, public_note="Bache cubierto con mezcla.")
    return ticket


def private(ticket):
    return reverse("ticket_private", args=[ticket.folio, ticket.reporter_token])


def test_the_resolution_email_asks_whether_it_was_solved(resolved, mailoutbox):
    mail = mailoutbox[-1]
    assert mail.to == ["rosa@example.com"] and resolved.folio in mail.subject
    assert "¿Se resolvió el problema?" in mail.body and "Bache cubierto con mezcla." in mail.body
    assert f"{private(resolved)}?resuelto=si" in mail.body
    assert f"{private(resolved)}?resuelto=no" in mail.body


def test_no_email_no_message(make_ticket, obras_staff, frozen, mailoutbox, django_capture_on_commit_callbacks):
    ticket = make_ticket("bacheo")
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.ticket_resolve(ticket=ticket, actor=obras_staff, public_note="Listo")
    assert mailoutbox == []


def test_yes_leads_to_a_rating_accepted_once(client, resolved):
    page = client.get(private(resolved)).text
    assert "¿Se resolvió el problema?" in page and "Califique la atención" not in page
    page = client.get(private(resolved), {"resuelto": "si"}).text
    assert "Califique la atención" in page
    missing = client.post(private(resolved), {"rate": "1", "resuelto": "si"})
    assert missing.status_code == 400 and "Elija una calificación del 1 al 5." in missing.text
    done = client.post(
        private(resolved), {"rate": "1", "rate-rating": "4", "rate-comment": "Rápido y bien."}, follow=True
    )
    assert "Gracias por calificar" in done.text and "calificó la atención con 4 de 5" in done.text
    again = client.post(private(resolved), {"rate": "1", "rate-rating": "1"}, follow=True)
    assert "Ya nos había dado su calificación" in again.text
    satisfaction = TicketSatisfaction.objects.get()
    assert satisfaction.rating == 4 and satisfaction.comment == "Rápido y bien."
    assert satisfaction.service.code == "bacheo" and satisfaction.ticket_month.isoformat() == "2026-12-01"
    assert "¿Se resolvió el problema?" not in client.get(private(resolved)).text


def test_no_reopens_the_ticket_through_the_lifecycle(client, resolved, mailoutbox, django_capture_on_commit_callbacks):
    page = client.get(private(resolved), {"resuelto": "no"}).text
    assert "¿Qué sigue mal?" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(private(resolved), {"reopen": "1", "resuelto": "no", "reopen-comment": "Se volvió a abrir."})
    resolved.refresh_from_db()
    assert resolved.status == "en_proceso" and resolved.reopened_count == 1
    assert resolved.events.filter(kind="reopened", actor__isnull=True).exists()
    assert not TicketSatisfaction.objects.exists()


def test_after_no_the_unhappy_resident_rates_too(client, resolved, django_capture_on_commit_callbacks):
    """Otherwise the published satisfaction would only hear from residents whose problem was fixed."""
    with django_capture_on_commit_callbacks(execute=True):
        reopened = client.post(
            private(resolved), {"reopen": "1", "resuelto": "no", "reopen-comment": "Sigue el bache."}, follow=True
        )
    assert "Reabrimos su reporte" in reopened.text and "Califique la atención" in reopened.text
    assert "su calificación de la atención recibida" in reopened.text
    done = client.post(
        private(resolved),
        {"rate": "1", "resuelto": "no", "rate-rating": "1", "rate-comment": "Nadie vino."},
        follow=True,
    )
    assert "Gracias por calificar" in done.text
    rating = TicketSatisfaction.objects.get()
    assert (rating.rating, rating.solved, rating.comment) == (1, False, "Nadie vino.")
    again = client.post(private(resolved), {"rate": "1", "resuelto": "no", "rate-rating": "5"}, follow=True)
    assert "Ya nos había dado su calificación" in again.text and TicketSatisfaction.objects.get().rating == 1
    snapshot.recompute()
    assert snapshot.latest()["estadisticas"]["satisfaccion_total"]["calificaciones"] == 1


def test_only_resolved_or_reporter_reopened_tickets_are_rated(client, make_ticket, obras_staff, frozen):
    ticket = make_ticket("bacheo")
    client.post(private(ticket), {"rate": "1", "rate-rating": "5"})
    client.post(private(ticket), {"rate": "1", "resuelto": "no", "rate-rating": "1"})  # never resolved
    lifecycle.ticket_resolve(ticket=ticket, actor=obras_staff, public_note="Listo")
    lifecycle.ticket_reopen(ticket=ticket, actor=obras_staff, reason="Revisión interna")  # staff, not the resident
    client.post(private(ticket), {"rate": "1", "resuelto": "no", "rate-rating": "1"})
    assert not TicketSatisfaction.objects.exists()


def rate_many(make_ticket, actor, code, ratings):
    from surveys.satisfaction import rate

    for value in ratings:
        ticket = make_ticket(code, at=local(2026, 11, 3, 10))
        lifecycle.ticket_resolve(ticket=ticket, actor=actor, public_note="Listo", at=local(2026, 11, 4, 10))
        rate(ticket=Ticket.objects.get(pk=ticket.pk), rating=value)


def test_results_per_service_and_department_on_the_statistics(client, make_ticket, supervisor, frozen):
    rate_many(make_ticket, supervisor, "bacheo", [5] * 20 + [4] * 10 + [1] * 10)  # 40 ratings
    rate_many(make_ticket, supervisor, "fuga-agua", [2, 3])  # too few to average
    snapshot.recompute()
    stats = snapshot.latest()["estadisticas"]
    by_service = {row["name"]: row for row in stats["satisfaccion_por_servicio"]}
    assert by_service["Atención de bacheo"] == {
        "name": "Atención de bacheo",
        "calificaciones": 40,
        "promedio": 3.75,
        "pct_buena": 75.0,
    }
    assert by_service["Atención inmediata a fuga de agua"]["promedio"] is None
    by_department = {row["name"]: row for row in stats["satisfaccion_por_dependencia"]}
    assert by_department["Dirección de Obras Públicas"]["calificaciones"] == 40
    assert stats["satisfaccion_total"]["calificaciones"] == 42
    html = client.get("/estadisticas/").text
    assert "Satisfacción de quienes reportan" in html and "3.75" in html
    csv_text = client.get("/estadisticas/satisfaccion-servicios.csv").content.decode()
    assert "Atención de bacheo,40,3.75,75.0" in csv_text
    rollups.fold_all()
    october = numbers.statistics(numbers.Filter(start=local(2026, 10, 1).date(), end=local(2026, 10, 1).date()))
    assert october["satisfaccion_total"]["calificaciones"] == 0


def test_supervisors_see_ratings_with_averages_in_the_admin(client, resolved, supervisor):
    from surveys.satisfaction import rate

    rate(ticket=resolved, rating=5, comment="Excelente")
    client.force_login(supervisor)
    html = client.get(reverse("admin:surveys_ticketsatisfaction_changelist")).text
    assert resolved.folio in html and "promedio <strong>5.00</strong>" in html
