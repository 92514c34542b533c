"""The digest (issue #14): at most one e-mail per subscription per ALERTS_DIGEST_HOURS,
with the public changes of what it follows since the last one; never a private note, never
who reported, never another area's reports; through the outbox, keyed so no job promises
twice; bounded queries whatever the number of subscriptions."""

from datetime import timedelta
from decimal import Decimal

import pytest

from alerts import digests, subscriptions
from alerts.models import Subscription
from alerts.tests.helpers import subscribed, to
from tickets import lifecycle, outbox
from tickets.models import Colonia, Notification

Kind = Notification.Kind
CABECERA = (Decimal("19.2524"), Decimal("-99.6045"))
DAY = timedelta(hours=24)
RUN = timedelta(minutes=15)  # the beat's period


@pytest.fixture
def coaxustenco(db):
    return Colonia.objects.get(name="Coaxustenco")


@pytest.fixture
def arcos(db):
    return Colonia.objects.get(name="Arcos del Prado")


def digest_mails(mailoutbox, address):
    return [m for m in to(mailoutbox, address) if m.subject.startswith("Avisos de")]


def run(frozen, after=timedelta(0)):
    """The beat's job, then the outbox's delivery."""
    frozen.shift(after)
    promised = digests.send_digests()
    outbox.deliver_due()
    return promised


def test_a_colonia_gets_one_digest_a_day_with_its_public_changes(
    make_ticket, coaxustenco, arcos, supervisor, obras_staff, frozen, mailoutbox
):
    subscribed("rosa@example.com", scope="colonia", colonia=coaxustenco)  # Monday 10:00
    frozen.shift(timedelta(hours=1))
    here = make_ticket(
        "bacheo", colonia=coaxustenco, reporter_name="Juana Pérez", reporter_email="juana@example.com",
        reporter_phone="7221234567", description="Frente a la casa de la señora Juana.",
    )  # fmt: skip
    there = make_ticket("bacheo", colonia=arcos)
    lifecycle.ticket_assign(ticket=here, actor=supervisor, assignee=obras_staff)
    lifecycle.ticket_add_note(ticket=here, actor=obras_staff, text="Proveedor Asfaltos SA", public=False)
    frozen.shift(timedelta(hours=3))
    lifecycle.ticket_resolve(ticket=here, actor=obras_staff, public_note="Bache cubierto.")

    assert run(frozen, RUN) == 0  # the day has not passed: nothing yet
    assert digest_mails(mailoutbox, "rosa@example.com") == []

    assert run(frozen, timedelta(hours=20)) == 1  # Tuesday 10:15
    [mail] = digest_mails(mailoutbox, "rosa@example.com")
    assert mail.subject == "Avisos de los reportes en la colonia Coaxustenco: 3 cambios"
    body = mail.body
    assert here.folio in body and there.folio not in body
    assert "Reporte recibido" in body and "Estado: Asignado" in body and "Estado: Resuelto" in body
    assert "Estado actual: Resuelto" in body
    # Nothing private, nobody named: no reporter, no description, no staff, no internal note.
    for secret in ("Juana", "juana@example.com", "7221234567", "Asfaltos", "Óscar", "oscar", "Bache cubierto"):
        assert secret not in body
    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail.extra_headers["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/avisos/baja/")

    # No flood: runs later the same day promise nothing, even with news.
    lifecycle.ticket_reopen(ticket=here, actor=supervisor, reason="Se volvió a hundir.")
    for _ in range(4):
        assert run(frozen, RUN) == 0
    assert len(digest_mails(mailoutbox, "rosa@example.com")) == 1
    # The next day: one more e-mail, with only what is new.
    assert run(frozen, DAY) == 1
    second = digest_mails(mailoutbox, "rosa@example.com")[1]
    assert "Reabierto" in second.body and "Reporte recibido" not in second.body
    assert "Estado: Asignado" not in second.body
    # A quiet day: no e-mail at all.
    assert run(frozen, DAY) == 0
    assert len(digest_mails(mailoutbox, "rosa@example.com")) == 2


def test_a_service_narrows_the_area(make_ticket, coaxustenco, frozen, mailoutbox):
    subscribed("agua@example.com", scope="colonia", colonia=coaxustenco, service=_service("fuga-agua"))
    subscribed("todo@example.com", scope="colonia", colonia=coaxustenco)
    frozen.shift(timedelta(minutes=1))
    pothole = make_ticket("bacheo", colonia=coaxustenco)
    leak = make_ticket("fuga-agua", colonia=coaxustenco)
    assert run(frozen, DAY + RUN) == 2
    [water] = digest_mails(mailoutbox, "agua@example.com")
    assert leak.folio in water.body and pothole.folio not in water.body
    [everything] = digest_mails(mailoutbox, "todo@example.com")
    assert leak.folio in everything.body and pothole.folio in everything.body


def _service(code):
    from tickets.models import Service

    return Service.objects.get(code=code)


def test_a_circle_hears_what_is_inside_it_and_a_locality_what_is_in_it(make_ticket, arcos, frozen, mailoutbox):
    subscribed("circulo@example.com", scope="circulo", latitude=CABECERA[0], longitude=CABECERA[1], radius_m=500)
    frozen.shift(timedelta(minutes=1))
    centre = make_ticket("bacheo", latitude=CABECERA[0], longitude=CABECERA[1])
    near = make_ticket("bacheo", latitude=Decimal("19.2560"), longitude=CABECERA[1])  # ~400 m north
    far = make_ticket("bacheo", latitude=Decimal("19.2580"), longitude=CABECERA[1])  # ~620 m north
    corner = make_ticket("bacheo", latitude=Decimal("19.2558"), longitude=Decimal("-99.6010"))  # in the box, ~520 m
    no_point = make_ticket("bacheo", colonia=arcos)
    subscribed("localidad@example.com", scope="localidad", locality=centre.locality)
    frozen.shift(timedelta(minutes=1))
    later = make_ticket("bacheo", latitude=CABECERA[0], longitude=CABECERA[1])
    assert run(frozen, DAY + RUN) == 2
    [circle] = digest_mails(mailoutbox, "circulo@example.com")
    assert centre.folio in circle.body and near.folio in circle.body and later.folio in circle.body
    assert far.folio not in circle.body and corner.folio not in circle.body and no_point.folio not in circle.body
    [locality] = digest_mails(mailoutbox, "localidad@example.com")
    assert later.folio in locality.body  # what came after it was confirmed
    assert centre.folio not in locality.body and no_point.folio not in locality.body


def test_who_follows_a_report_hears_its_public_story(make_ticket, supervisor, obras_staff, frozen, mailoutbox):
    ticket = make_ticket("bacheo", reporter_email="rosa@example.com")
    other = make_ticket("bacheo")
    subscribed("vecino@example.com", scope="reporte", ticket=ticket)
    frozen.shift(timedelta(minutes=1))
    lifecycle.ticket_assign(ticket=ticket, actor=supervisor, assignee=obras_staff)
    lifecycle.ticket_add_note(ticket=ticket, actor=obras_staff, text="La cuadrilla va el jueves.", public=True)
    lifecycle.ticket_add_note(ticket=ticket, actor=obras_staff, text="Proveedor Asfaltos SA", public=False)
    lifecycle.ticket_assign(ticket=other, actor=supervisor, assignee=obras_staff)
    assert run(frozen, DAY + RUN) == 1
    [mail] = digest_mails(mailoutbox, "vecino@example.com")
    assert mail.subject.startswith(f"Avisos del reporte {ticket.folio}")
    assert "La cuadrilla va el jueves." in mail.body and "Asfaltos" not in mail.body
    assert other.folio not in mail.body and "rosa@example.com" not in mail.body
    # The reporter's own e-mails are the reporter's; the follower is someone else.
    assert all("vecino@example.com" not in m.to for m in mailoutbox if m.subject.startswith("Avance"))


def test_ending_the_subscription_skips_a_digest_already_promised(make_ticket, coaxustenco, frozen, mailoutbox):
    subscription = subscribed("rosa@example.com", scope="colonia", colonia=coaxustenco)
    frozen.shift(timedelta(minutes=1))
    make_ticket("bacheo", colonia=coaxustenco)
    frozen.shift(DAY + RUN)
    assert digests.send_digests() == 1
    subscriptions.end(subscription)
    outbox.deliver_due()
    assert digest_mails(mailoutbox, "rosa@example.com") == []
    assert Notification.objects.get(kind=Kind.ALERT_DIGEST).state == Notification.State.SKIPPED
    assert run(frozen, DAY) == 0


def test_events_no_longer_public_are_left_out_when_delivered(make_ticket, coaxustenco, frozen, mailoutbox):
    subscribed("rosa@example.com", scope="colonia", colonia=coaxustenco)
    frozen.shift(timedelta(minutes=1))
    ticket = make_ticket("bacheo", colonia=coaxustenco)
    frozen.shift(DAY + RUN)
    assert digests.send_digests() == 1
    ticket.events.update(is_public=False)  # e.g. corrected by staff before the e-mail left
    outbox.deliver_due()
    assert digest_mails(mailoutbox, "rosa@example.com") == []


def test_a_second_worker_on_the_same_window_promises_nothing(make_ticket, coaxustenco, frozen):
    subscription = subscribed("rosa@example.com", scope="colonia", colonia=coaxustenco)
    frozen.shift(timedelta(minutes=1))
    make_ticket("bacheo", colonia=coaxustenco)
    frozen.shift(DAY + RUN)
    before = Subscription.objects.filter(pk=subscription.pk).values("covered_until", "next_digest_at").get()
    assert digests.send_digests() == 1
    # A worker that read the subscription before the first one committed (the same window).
    Subscription.objects.filter(pk=subscription.pk).update(**before)
    assert digests.send_digests() == 0
    assert Notification.objects.filter(kind=Kind.ALERT_DIGEST).count() == 1


def test_the_digest_interval_is_a_setting(make_ticket, coaxustenco, frozen, mailoutbox, settings):
    settings.ALERTS_DIGEST_HOURS = 6
    subscribed("rosa@example.com", scope="colonia", colonia=coaxustenco)
    frozen.shift(timedelta(minutes=1))
    make_ticket("bacheo", colonia=coaxustenco)
    assert run(frozen, timedelta(hours=6) + RUN) == 1
    make_ticket("bacheo", colonia=coaxustenco)
    assert run(frozen, timedelta(hours=3)) == 0
    assert run(frozen, timedelta(hours=3)) == 1


@pytest.mark.parametrize("count", [5, 40])
def test_the_job_reads_a_bounded_number_of_queries(
    count, make_ticket, coaxustenco, arcos, frozen, django_assert_max_num_queries
):
    """The same few queries for 5 or 40 subscriptions of every kind (one read of the window's
    events, a batch of subscriptions, the outbox rows), never one per subscription."""
    tickets = [make_ticket("bacheo", colonia=coaxustenco, latitude=CABECERA[0], longitude=CABECERA[1])]
    expected = 0
    for n in range(count):
        kind = n % 4
        expected += kind != 0 or n % 8 == 0  # the colonias of Arcos del Prado hear nothing
        target = (
            {"scope": "colonia", "colonia": coaxustenco if n % 8 == 0 else arcos},
            {"scope": "reporte", "ticket": tickets[0]},
            {"scope": "circulo", "latitude": CABECERA[0], "longitude": CABECERA[1], "radius_m": 250 + n},
            {"scope": "localidad", "locality": tickets[0].locality},
        )[kind]
        subscribed(f"vecino{n}@example.com", **target)
    frozen.shift(timedelta(minutes=1))
    for _ in range(3):
        make_ticket("bacheo", colonia=coaxustenco, latitude=CABECERA[0], longitude=CABECERA[1])
    lifecycle.ticket_add_note(ticket=tickets[0], actor=None, text="Nota pública.", public=True, via="sistema")
    frozen.shift(DAY + RUN)
    # The window's events, one batch (lock, outbox keys, rows, window moved on), the empty batch.
    with django_assert_max_num_queries(13):
        promised = digests.send_digests()
    assert promised == expected
    assert Subscription.objects.filter(next_digest_at__lte=frozen_now()).count() == 0


def frozen_now():
    from django.utils import timezone

    return timezone.now()


def test_imported_history_is_not_news(make_ticket, coaxustenco, frozen, mailoutbox):
    subscribed("rosa@example.com", scope="colonia", colonia=coaxustenco)
    frozen.shift(timedelta(minutes=1))
    ticket = make_ticket("bacheo", colonia=coaxustenco)
    ticket.events.update(via="importado")
    assert run(frozen, DAY + RUN) == 0


def test_who_gets_what(make_ticket, coaxustenco, arcos, supervisor, obras_staff, frozen, mailoutbox):
    """One day in Coaxustenco and Arcos del Prado, and the e-mails each person gets."""
    ticket = make_ticket("bacheo", colonia=coaxustenco, reporter_email="juana@example.com")
    outbox.deliver_due()
    subscribed("rosa@example.com", scope="colonia", colonia=coaxustenco)
    subscribed("rosa@example.com", scope="reporte", ticket=ticket)  # the same person, two targets
    subscribed("pedro@example.com", scope="colonia", colonia=arcos)
    subscribed("agua@example.com", scope="colonia", colonia=coaxustenco, service=_service("fuga-agua"))
    subscriptions.subscribe(email="pendiente@example.com", scope="colonia", colonia=coaxustenco)  # never confirmed
    ended = subscribed("baja@example.com", scope="colonia", colonia=coaxustenco)
    subscriptions.end(ended)
    frozen.shift(timedelta(minutes=1))
    new = make_ticket("bacheo", colonia=coaxustenco)
    lifecycle.ticket_assign(ticket=ticket, actor=supervisor, assignee=obras_staff)
    mailoutbox.clear()
    assert run(frozen, DAY + RUN) == 2
    got = sorted((m.to[0], m.subject) for m in mailoutbox)
    assert got == [
        ("juana@example.com", f"Avance de su reporte {ticket.folio}: Asignado"),  # the reporter's own update
        ("oscar@metepec.example", f"Se le asignó el ticket {ticket.folio}"),  # the staff's own alert
        ("rosa@example.com", "Avisos de los reportes en la colonia Coaxustenco: 2 cambios"),
        ("rosa@example.com", f"Avisos del reporte {ticket.folio}: 1 cambio"),
    ]
    area = next(m for m in mailoutbox if "colonia Coaxustenco" in m.subject)
    assert new.folio in area.body and "Estado: Asignado" in area.body
    rows = Notification.objects.filter(kind=Kind.ALERT_DIGEST).values_list("alert__subscription__email", "state")
    assert sorted(rows) == [("rosa@example.com", "enviado"), ("rosa@example.com", "enviado")]
