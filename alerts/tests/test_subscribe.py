"""Subscribing to alerts (issue #14): double opt-in through the outbox, no duplicates, no
confirmation flood, rate limits, expiry and the deletion of what is no longer needed."""

from datetime import timedelta

import pytest
from django.urls import reverse

from alerts import subscriptions
from alerts.models import AlertMessage, Subscription
from alerts.tests.helpers import to
from tickets import outbox
from tickets.models import Colonia, Notification

Kind = Notification.Kind
State = Subscription.State


@pytest.fixture
def coaxustenco(db):
    return Colonia.objects.get(name="Coaxustenco")


def area_form(colonia, email="vecina@example.com", **extra):
    return {"email": email, "scope": "colonia", "colonia": colonia.pk, "radius_m": 500, **extra}


def test_the_form_asks_for_confirmation_through_the_outbox(client, coaxustenco, bacheo, frozen, mailoutbox):
    page = client.get(reverse("alerts_subscribe"))
    assert page.status_code == 200 and "Avisos por correo" in page.content.decode()

    response = client.post(reverse("alerts_subscribe"), area_form(coaxustenco, service="bacheo"))
    assert response.status_code == 302 and response["Location"] == reverse("alerts_pending")
    subscription = Subscription.objects.get()
    assert (subscription.state, subscription.colonia, subscription.service) == (State.PENDING, coaxustenco, bacheo)
    # Promised in the outbox (not sent from the request), naming the subscription, not the address.
    [promise] = Notification.objects.filter(kind=Kind.ALERT_CONFIRM)
    assert promise.state == Notification.State.PENDING and promise.alert.subscription == subscription
    assert "vecina" not in promise.key and promise.recipient is None and promise.ticket is None

    assert outbox.deliver_due() == 1
    [mail] = to(mailoutbox, "vecina@example.com")
    assert mail.subject == "Confirme sus avisos de Metepec *7311"
    confirm_url = reverse("alerts_confirm", args=[subscription.token])
    assert confirm_url in mail.body and "los reportes de atención de bacheo en la colonia Coaxustenco" in mail.body
    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The link shows a button (mail scanners open links); the button confirms.
    assert "Sí, quiero recibir avisos" in client.get(confirm_url).content.decode()
    subscription.refresh_from_db()
    assert subscription.state == State.PENDING
    done = client.post(confirm_url)
    assert "Listo: recibirá avisos" in done.content.decode()
    subscription.refresh_from_db()
    assert subscription.state == State.ACTIVE and subscription.confirmed_at is not None
    assert subscription.next_digest_at == subscription.confirmed_at + timedelta(hours=24)


def test_the_same_address_and_target_is_one_subscription_and_one_confirmation_a_day(
    client, coaxustenco, frozen, mailoutbox
):
    for _ in range(3):
        client.post(reverse("alerts_subscribe"), area_form(coaxustenco, email="Vecina@Example.com "))
    assert Subscription.objects.count() == 1
    assert Notification.objects.filter(kind=Kind.ALERT_CONFIRM).count() == 1
    outbox.deliver_due()
    assert len(mailoutbox) == 1

    frozen.shift(timedelta(days=1))  # a day later, asking again sends the link again
    client.post(reverse("alerts_subscribe"), area_form(coaxustenco))
    outbox.deliver_due()
    assert Subscription.objects.count() == 1 and len(mailoutbox) == 2
    assert mailoutbox[0].body == mailoutbox[1].body  # the same link

    # Once confirmed, asking again sends nothing and changes nothing.
    subscriptions.confirm(Subscription.objects.get())
    client.post(reverse("alerts_subscribe"), area_form(coaxustenco))
    outbox.deliver_due()
    assert len(mailoutbox) == 2 and Subscription.objects.get().state == State.ACTIVE


def test_one_address_gets_few_confirmations_whatever_is_typed(db, client, frozen, mailoutbox, settings):
    """A stranger typing someone else's address for many colonias cannot flood them."""
    settings.ALERTS_RATE_LIMITS = ["100/m"]
    for colonia in Colonia.objects.order_by("pk")[:8]:
        client.post(reverse("alerts_subscribe"), area_form(colonia, email="victima@example.com"))
    outbox.deliver_due()
    assert len(to(mailoutbox, "victima@example.com")) == subscriptions.CONFIRMATIONS_PER_ADDRESS


def test_the_answer_never_tells_whether_an_address_is_known(client, coaxustenco, frozen):
    first = client.post(reverse("alerts_subscribe"), area_form(coaxustenco), follow=True)
    subscriptions.confirm(Subscription.objects.get())
    again = client.post(reverse("alerts_subscribe"), area_form(coaxustenco), follow=True)
    assert first.content == again.content and "Revise su correo" in again.content.decode()


def test_nothing_but_the_confirmation_before_it_is_confirmed(make_ticket, coaxustenco, frozen, mailoutbox):
    from alerts import digests

    subscriptions.subscribe(email="vecina@example.com", scope="colonia", colonia=coaxustenco)
    outbox.deliver_due()
    make_ticket("bacheo", colonia=coaxustenco)
    frozen.shift(timedelta(days=2))
    assert digests.send_digests() == 0
    outbox.deliver_due()
    assert [m.subject for m in to(mailoutbox, "vecina@example.com")] == ["Confirme sus avisos de Metepec *7311"]


def test_a_request_not_confirmed_in_time_expires_and_is_deleted(client, coaxustenco, frozen, settings):
    subscription = subscriptions.subscribe(email="vecina@example.com", scope="colonia", colonia=coaxustenco)
    frozen.shift(timedelta(days=settings.ALERTS_CONFIRM_DAYS, minutes=1))
    url = reverse("alerts_confirm", args=[subscription.token])
    assert "ya venció" in client.post(url).content.decode()
    assert Subscription.objects.get().state == State.PENDING
    assert subscriptions.purge() == 1
    assert not Subscription.objects.exists() and not AlertMessage.objects.exists()
    assert client.get(url).status_code == 404


def test_ended_subscriptions_are_deleted_after_the_retention(coaxustenco, frozen, settings):
    subscription = subscriptions.subscribe(email="vecina@example.com", scope="colonia", colonia=coaxustenco)
    subscriptions.confirm(subscription)
    subscriptions.end(subscription)
    frozen.shift(timedelta(days=settings.ALERTS_RETENTION_DAYS - 1))
    assert subscriptions.purge() == 0
    frozen.shift(timedelta(days=2))
    assert subscriptions.purge() == 1 and not Subscription.objects.exists()


def test_the_form_is_rate_limited_per_address(client, coaxustenco, frozen, settings):
    settings.ALERTS_RATE_LIMITS = ["2/10m"]
    colonias = list(Colonia.objects.order_by("pk")[:3])
    answers = [client.post(reverse("alerts_subscribe"), area_form(c)).status_code for c in colonias]
    assert answers == [302, 302, 429]
    assert Subscription.objects.count() == 2


def test_the_form_explains_what_is_missing(db, client, frozen):
    response = client.post(reverse("alerts_subscribe"), {"email": "no-es-correo", "scope": "colonia"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Escriba un correo válido" in text and "Elija la colonia que quiere seguir." in text
    assert not Subscription.objects.exists()


def test_a_circle_is_inside_the_municipality_and_at_most_two_kilometres(db, client, frozen):
    outside = {"email": "v@example.com", "scope": "circulo", "latitude": "19.2925", "longitude": "-99.6566"}
    response = client.post(reverse("alerts_subscribe"), {**outside, "radius_m": 500})
    assert "fuera del municipio" in response.content.decode()
    inside = {**outside, "latitude": "19.2524", "longitude": "-99.6045"}
    assert client.post(reverse("alerts_subscribe"), {**inside, "radius_m": 5000}).status_code == 400
    assert client.post(reverse("alerts_subscribe"), {**inside, "radius_m": 2000}).status_code == 302
    subscription = Subscription.objects.get()
    assert (subscription.scope, subscription.radius_m) == ("circulo", 2000)


def test_follow_a_report_from_its_public_page(client, make_ticket, frozen, mailoutbox):
    ticket = make_ticket("bacheo")
    page = client.get(reverse("alerts_follow_ticket", args=[ticket.folio]))
    assert page.status_code == 200 and ticket.folio in page.content.decode()
    # The include posts here without a CSRF token (the public page is cached for everyone).
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("alerts_follow_ticket", args=[ticket.folio]), {"email": "vecino@example.com"})
    assert response.status_code == 302
    subscription = Subscription.objects.get()
    assert (subscription.scope, subscription.ticket) == ("reporte", ticket)
    outbox.deliver_due()
    [mail] = to(mailoutbox, "vecino@example.com")
    assert f"avisos del reporte {ticket.folio}" in mail.body
    assert client.get(reverse("alerts_follow_ticket", args=["7311-2026-999999"])).status_code == 404


def test_the_include_for_the_ticket_page_has_the_form(make_ticket, frozen):
    from django.template.loader import render_to_string

    ticket = make_ticket("bacheo")
    html = render_to_string("alerts/_follow_ticket.html", {"ticket": ticket})
    assert f'action="{reverse("alerts_follow_ticket", args=[ticket.folio])}"' in html
    assert "csrfmiddlewaretoken" not in html


def test_after_unsubscribing_one_may_subscribe_again(coaxustenco, frozen, mailoutbox):
    first = subscriptions.subscribe(email="vecina@example.com", scope="colonia", colonia=coaxustenco)
    subscriptions.end(subscriptions.confirm(first))
    again = subscriptions.subscribe(email="vecina@example.com", scope="colonia", colonia=coaxustenco)
    assert again.pk != first.pk and again.token != first.token and again.state == State.PENDING


def test_staff_see_subscriptions_with_the_address_masked(client, coaxustenco, supervisor, obras_staff, frozen):
    subscriptions.subscribe(email="vecina@example.com", scope="colonia", colonia=coaxustenco)
    url = reverse("admin:alerts_subscription_changelist")
    client.force_login(obras_staff)
    assert client.get(url).status_code == 403
    client.force_login(supervisor)
    page = client.get(url).content.decode()
    assert "v•••@example.com" in page and "vecina@example.com" not in page
    assert "los reportes en la colonia Coaxustenco" in page
    found = client.get(url, {"q": "vecina@example.com"}).content.decode()
    assert "v•••@example.com" in found
    assert "v•••@example.com" not in client.get(url, {"q": "vecina"}).content.decode()  # whole addresses only
