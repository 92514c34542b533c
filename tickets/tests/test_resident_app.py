"""The residents' app on the server side: manifest, service worker, offline page, "Mis
reportes", the place lookup and the folio the worker reads after sending a kept report.
(What the browser does with them: tickets/tests/browser/test_resident_app.py.)"""

import json
import re

import pytest
from django.urls import reverse

from tickets.models import Colonia, Delegacion, Locality, Service, Ticket

pytestmark = pytest.mark.django_db


def report_data():
    return {
        "submission_key": "b" * 32,
        "colonia": Colonia.objects.get(name="Coaxustenco").pk,
        "address": "Calle Hidalgo 12, frente a la panadería",
        "description": "Bache de medio metro, ya se ponchó una llanta.",
        "attribute_tamano": "mediano",
    }


# Inside San Jerónimo Chicahualco's INEGI polygon (its delegación's seat colonia shares it).
CHICAHUALCO = (19.2793644, -99.5931858)


def test_manifest_makes_the_site_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["lang"] == "es-MX"
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200
    assert [s["url"] for s in manifest["shortcuts"]] == ["/reportar/", "/mis-reportes/"]


def test_every_page_links_the_manifest_and_registers_the_worker(client):
    html = client.get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'data-worker="/sw.js"' in html
    assert '<meta name="theme-color" content="#7a1f3d">' in html


def test_the_worker_is_served_from_the_root_never_cached_and_lists_what_it_keeps(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()

    def listed(name):
        return json.loads(re.search(rf"var {name} = (\[.*?\]);", body).group(1))

    assert listed("SHELL_PAGES") == ["/", "/reportar/", "/mis-reportes/", "/sin-conexion/"]
    reportable = Service.objects.reportable_by_residents()
    assert sorted(listed("REPORT_PAGES")) == sorted(f"/reportar/{s.code}/" for s in reportable)
    assert len(listed("REPORT_PAGES")) == reportable.count() > 20
    # Our own static files only: nothing from another origin, no map library in the shell.
    assert all(url.startswith("/static/") for url in listed("SHELL_STATIC"))
    assert not any("leaflet" in url for url in listed("SHELL_STATIC"))
    # Every page the worker keeps exists.
    for url in listed("SHELL_PAGES") + listed("REPORT_PAGES")[:3]:
        assert client.get(url).status_code == 200, url


def test_a_new_service_is_a_new_worker(client):
    before = re.search(r'var VERSION = "(\w+)"', client.get("/sw.js").content.decode()).group(1)
    service = Service.objects.reportable_by_residents().first()
    Service.objects.filter(pk=service.pk).update(citizen_reportable=False)
    after = re.search(r'var VERSION = "(\w+)"', client.get("/sw.js").content.decode()).group(1)
    assert before != after


def test_offline_and_my_reports_pages_are_the_same_for_everyone(client):
    offline = client.get("/sin-conexion/")
    assert offline.status_code == 200
    assert "Sin conexión" in offline.content.decode()
    mine = client.get("/mis-reportes/")
    html = mine.content.decode()
    assert mine.status_code == 200
    assert 'data-api="/api/v1/tickets/"' in html
    assert "Para ver los reportes guardados en este teléfono active JavaScript" in html
    assert "Mis reportes" in client.get("/").content.decode()  # in the navigation


def test_the_confirmation_names_its_folio_for_the_worker(client):
    service = Service.objects.get(code="bacheo")
    response = client.post(reverse("report_form", args=[service.code]), report_data(), follow=True)
    ticket = Ticket.objects.get()
    assert response["X-Folio"] == ticket.folio
    html = response.content.decode()
    assert f'data-remember-report data-folio="{ticket.folio}"' in html
    assert f"/seguimiento/{ticket.folio}/{ticket.reporter_token}/" in html


def test_a_ticket_page_offers_to_keep_it_on_the_phone(client):
    service = Service.objects.get(code="bacheo")
    client.post(reverse("report_form", args=[service.code]), report_data())
    ticket = Ticket.objects.get()
    html = client.get(reverse("ticket_public", args=[ticket.folio])).content.decode()
    assert "data-save-report hidden" in html and f'data-folio="{ticket.folio}"' in html


def test_place_lists_the_colonias_of_the_locality_first(client):
    locality = Locality.objects.get(name="San Jerónimo Chicahualco")
    seat = Delegacion.objects.get(locality=locality).colonias.get()
    response = client.get("/reportar/lugar/", {"lat": CHICAHUALCO[0], "lon": CHICAHUALCO[1]})
    assert response.status_code == 200
    answer = response.json()
    assert answer["inside"] is True
    assert answer["locality"] == {"id": locality.pk, "name": "San Jerónimo Chicahualco"}
    assert answer["colonias"][0] == seat.pk
    # Then its postal code's neighbours; never a colonia of another postal code.
    codes = set(Colonia.objects.filter(pk__in=answer["colonias"]).values_list("postal_code", flat=True))
    assert codes == {seat.postal_code}
    assert len(answer["colonias"]) > 1


def test_place_outside_metepec_and_bad_input(client):
    outside = client.get("/reportar/lugar/", {"lat": "19.4326", "lon": "-99.1332"}).json()  # Mexico City
    assert outside == {"locality": None, "colonias": [], "inside": False}
    bad = client.get("/reportar/lugar/", {"lat": "norte"})
    assert bad.status_code == 400
    assert bad.json() == {"error": "Indique lat y lon como números."}


def test_place_reads_the_reference_data_once(client, django_assert_max_num_queries):
    client.get("/reportar/lugar/", {"lat": CHICAHUALCO[0], "lon": CHICAHUALCO[1]})
    with django_assert_max_num_queries(0):
        client.get("/reportar/lugar/", {"lat": CHICAHUALCO[0], "lon": CHICAHUALCO[1]})
