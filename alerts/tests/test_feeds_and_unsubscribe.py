"""RSS and Atom feeds of new and resolved reports (by colonia, by service), with nothing
personal in them; the one-click unsubscribe of every alert (RFC 8058)."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from alerts import digests
from alerts.models import Subscription
from alerts.tests.helpers import subscribed, to
from tickets import lifecycle, outbox
from tickets.models import Colonia

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def reports(make_ticket, supervisor, frozen):
    coaxustenco, arcos = Colonia.objects.get(name="Coaxustenco"), Colonia.objects.get(name="Arcos del Prado")
    made = {
        "pothole_here": make_ticket(
            "bacheo", colonia=coaxustenco, reporter_name="Juana Pérez", reporter_email="juana@example.com",
            reporter_phone="7221234567", description="Vive aquí la señora Juana.", address="Calle Privada 7",
        ),
        "leak_here": make_ticket("fuga-agua", colonia=coaxustenco),
        "pothole_there": make_ticket("bacheo", colonia=arcos),
    }  # fmt: skip
    frozen.shift(timedelta(hours=1))
    lifecycle.ticket_resolve(ticket=made["pothole_here"], actor=supervisor, public_note="Listo, gracias Juana.")
    return {**made, "coaxustenco": coaxustenco, "arcos": arcos}


def rss_items(client, **params):
    response = client.get(reverse("alerts_feed_rss"), params)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/rss+xml")
    return response, ET.fromstring(response.content).findall("./channel/item")


def test_rss_new_reports_by_colonia_and_service(client, reports):
    _, items = rss_items(client)
    assert len(items) == 3
    _, items = rss_items(client, colonia=reports["coaxustenco"].pk)
    links = [item.findtext("link") for item in items]
    assert links == [
        f"http://testserver/seguimiento/{reports['leak_here'].folio}/",  # newest first
        f"http://testserver/seguimiento/{reports['pothole_here'].folio}/",
    ]
    response, items = rss_items(client, colonia=reports["coaxustenco"].pk, servicio="bacheo")
    assert [i.findtext("title") for i in items] == [
        f"Nuevo reporte: Atención de bacheo en Coaxustenco ({reports['pothole_here'].folio})"
    ]
    assert "Estado actual: Resuelto" in items[0].findtext("description")
    channel = ET.fromstring(response.content).find("channel")
    assert channel.findtext("title") == "Metepec *7311 · Reportes nuevos de atención de bacheo en Coaxustenco"


def test_rss_and_atom_of_resolved_reports(client, reports):
    _, items = rss_items(client, tipo="resueltos")
    assert [i.findtext("title") for i in items] == [
        f"Resuelto: Atención de bacheo en Coaxustenco ({reports['pothole_here'].folio})"
    ]
    _, items = rss_items(client, tipo="resueltos", colonia=reports["arcos"].pk)
    assert items == []
    atom = client.get(reverse("alerts_feed_atom"), {"tipo": "resueltos", "servicio": "bacheo"})
    assert atom["Content-Type"].startswith("application/atom+xml")
    entries = ET.fromstring(atom.content).findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        f"Resuelto: Atención de bacheo en Coaxustenco ({reports['pothole_here'].folio})"
    ]
    assert client.get(reverse("alerts_feed_atom"), {"tipo": "otros"}).status_code == 404
    assert client.get(reverse("alerts_feed_rss"), {"colonia": "999999"}).status_code == 404
    assert client.get(reverse("alerts_feed_rss"), {"servicio": "no-existe"}).status_code == 404


def test_feeds_carry_nothing_personal_nor_typed_by_people(client, reports, frozen):
    subscribed("suscriptora@example.com", scope="colonia", colonia=reports["coaxustenco"])
    for url in (reverse("alerts_feed_rss"), reverse("alerts_feed_atom")):
        for kind in ("nuevos", "resueltos"):
            text = client.get(url, {"tipo": kind}).content.decode()
            for secret in ("Juana", "juana@example.com", "7221234567", "Calle Privada", "suscriptora", "@example"):
                assert secret not in text, (url, kind, secret)


def test_the_feed_reads_a_bounded_number_of_queries(client, make_ticket, reports, django_assert_max_num_queries):
    for _ in range(10):
        make_ticket("bacheo", colonia=reports["coaxustenco"])
    for params in ({}, {"colonia": reports["coaxustenco"].pk, "servicio": "bacheo"}, {"tipo": "resueltos"}):
        with django_assert_max_num_queries(3):  # colonia, service, the items with their names
            client.get(reverse("alerts_feed_rss"), params)


def test_unsubscribe_get_asks_post_ends_and_one_click_works(make_ticket, frozen, mailoutbox):
    colonia = Colonia.objects.get(name="Coaxustenco")
    subscription = subscribed("rosa@example.com", scope="colonia", colonia=colonia)
    frozen.shift(timedelta(minutes=1))
    make_ticket("bacheo", colonia=colonia)
    frozen.shift(timedelta(hours=25))
    digests.send_digests()
    outbox.deliver_due()
    [mail] = [m for m in to(mailoutbox, "rosa@example.com") if m.subject.startswith("Avisos")]
    url = reverse("alerts_unsubscribe", args=[subscription.token])
    assert mail.extra_headers["List-Unsubscribe"] == f"<http://127.0.0.1:8000{url}>"
    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"http://127.0.0.1:8000{url}" in mail.body

    client = Client(enforce_csrf_checks=True)  # as a mail program: no cookie, no token
    page = client.get(url)
    assert "Sí, no quiero más avisos" in page.content.decode()
    assert Subscription.objects.get().state == Subscription.State.ACTIVE  # a GET changes nothing
    done = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "ya no le enviaremos avisos" in done.content.decode()
    subscription.refresh_from_db()
    assert subscription.state == Subscription.State.ENDED and subscription.next_digest_at is None
    assert client.post(url).status_code == 200  # again: still done
    assert client.get(reverse("alerts_unsubscribe", args=["no-existe"])).status_code == 404

    make_ticket("bacheo", colonia=colonia)
    frozen.shift(timedelta(hours=25))
    assert digests.send_digests() == 0


def test_the_address_is_in_no_public_page(client, reports, frozen):
    subscribed("suscriptora@example.com", scope="reporte", ticket=reports["pothole_here"])
    for url in (
        reverse("ticket_public", args=[reports["pothole_here"].folio]),
        reverse("alerts_follow_ticket", args=[reports["pothole_here"].folio]),
        "/datos/tickets.json",
        f"/api/v1/tickets/{reports['pothole_here'].folio}",
    ):
        response = client.get(url)
        assert (
            b"suscriptora" not in b"".join(response) if response.streaming else b"suscriptora" not in response.content
        )
