"""The residents' app in a real browser (Debian's Chromium): installable, the report page
opens offline, a report made offline is kept and sent exactly once when the network
returns, "Mis reportes", the phone's location and a photo's GPS, and a small first load."""

import gzip
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from metepec7311.testing.browser import check_accessibility, check_fits_the_screen, screenshot
from tickets.models import Submission, Ticket
from tickets.tests import images
from tickets.tests.browser.test_resident_reports import fill_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A point inside San Jerónimo Chicahualco (INEGI locality polygon).
CHICAHUALCO = {"latitude": 19.2793644, "longitude": -99.5931858}


@pytest.fixture
def app_settings(browser_settings, settings):
    settings.SERVICE_WORKER = True  # off for the other browser tests (browser_settings)


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "bache.jpg"
    path.write_bytes(images.jpeg_bytes(1600, 1200))  # EXIF GPS 19°15'08"N 99°36'16"W
    return path


def until(page, script, what):
    """Poll `script` (awaited; evaluate is not subject to the page's CSP) until it is true."""
    for _ in range(120):
        if page.evaluate(script):
            return
        page.wait_for_timeout(250)
    raise AssertionError(what)


def wait_for_worker(page, *, kept="/reportar/bacheo/"):
    """The worker controls the page and has kept `kept` (the report forms arrive after install)."""
    until(page, "navigator.serviceWorker.controller !== null", "no worker controls the page")  # clients.claim()
    until(page, f"caches.match('{kept}').then(Boolean)", f"the worker never kept {kept}")


def test_the_app_installs_and_its_shell_opens_offline(app_settings, phone, live_server):
    phone.goto("/")
    wait_for_worker(phone)
    cdp = phone.context.new_cdp_session(phone)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [], manifest["errors"]
    assert '"short_name": "*7311"' in manifest["data"]

    phone.context.set_offline(True)
    for path, heading in [
        ("/", None),
        ("/reportar/", "Hacer un reporte"),
        ("/reportar/bacheo/", "Atención de bacheo"),
        ("/reportar/fuga-agua/", None),
        ("/mis-reportes/", "Mis reportes"),
    ]:
        phone.goto(path)
        assert phone.locator("h1").count() == 1, path
        if heading:
            expect(phone.locator("h1")).to_contain_text(heading)
    # A page it never kept: the offline page, with the way to report anyway.
    phone.goto("/estadisticas/")
    expect(phone.locator("h1")).to_have_text("Sin conexión")
    check_accessibility(phone)
    screenshot(phone, "app-sin-conexion")


def test_a_report_made_offline_is_kept_and_sent_once_when_back_online(
    app_settings, phone, live_server, photo, chromium
):
    phone.goto("/reportar/bacheo/")
    wait_for_worker(phone)
    online_key = phone.input_value("input[name=submission_key]")

    phone.context.set_offline(True)
    phone.goto("/reportar/bacheo/")  # from the phone's copy, with a key of its own
    offline_key = phone.input_value("input[name=submission_key]")
    assert offline_key != online_key and len(offline_key) == 32
    fill_report(phone, description="Bache enorme frente a la escuela, sin señal aquí.")
    phone.set_input_files("#id_photos", str(photo))
    phone.click("[data-submit]")

    phone.wait_for_url("**/mis-reportes/?guardado=*")
    expect(phone.locator("[data-my-status]")).to_contain_text("guardamos su reporte en este teléfono")
    expect(phone.locator("[data-pending-list] li")).to_have_count(1)
    expect(phone.locator("[data-pending-list]")).to_contain_text("Atención de bacheo · pendiente de envío")
    check_accessibility(phone)
    check_fits_the_screen(phone)
    screenshot(phone, "app-pendiente-de-envio")
    assert Ticket.objects.count() == 0

    # The tab is closed; nothing is lost. The signal returns and the app opens again.
    context = phone.context
    phone.close()
    context.set_offline(False)
    again = context.new_page()
    again.goto("/mis-reportes/")
    expect(again.locator("[data-mine-list] li")).to_have_count(1, timeout=20000)
    expect(again.locator("[data-pending-section]")).to_be_hidden()
    ticket = Ticket.objects.get()
    expect(again.locator("[data-mine-list]")).to_contain_text(ticket.folio)
    assert ticket.description == "Bache enorme frente a la escuela, sin señal aquí."
    assert ticket.address == "Calle Hidalgo 12, frente a la panadería"
    assert ticket.channel == "web"
    assert ticket.photos.count() + ticket.incoming_photos.count() == 1
    check_accessibility(again)
    screenshot(again, "app-mis-reportes")

    # The phone never heard the answer (say the signal dropped again) and sends it once more:
    # the server answers with the same folio, and no second ticket exists.
    key = Submission.objects.get(ticket=ticket).key
    assert key == offline_key
    again.evaluate(
        """key => MetepecApp.store().then(s => s.put(s.PENDING, {key: key, url: "/reportar/bacheo/",
             service: "Atención de bacheo", photos: [], state: "pendiente", problem: "",
             saved_at: new Date().toISOString(), fields: [["submission_key", key], ["address", "x"]]}))""",
        key,
    )
    again.reload()
    # Wait for the app's own word that the worker's send came back (the worker tells the page
    # when it is done): the pending section may already be hidden before that, if the worker
    # finished before the page first drew the list, and its late message would then overwrite
    # the "Olvidamos…" below.
    expect(again.locator("[data-my-status]")).to_have_text(f"Enviamos su reporte: folio {ticket.folio}.", timeout=20000)
    expect(again.locator("[data-pending-section]")).to_be_hidden()
    expect(again.locator("[data-mine-list] li")).to_have_count(1)
    assert Ticket.objects.count() == 1

    # "Olvidar" removes it from this phone only.
    again.get_by_role("button", name=f"Olvidar {ticket.folio}").click()
    expect(again.locator("[data-my-status]")).to_contain_text(f"Olvidamos el folio {ticket.folio}")
    expect(again.locator("[data-mine-list] li")).to_have_count(0)
    expect(again.locator("[data-empty]")).to_be_visible()
    assert Ticket.objects.count() == 1


def test_a_report_kept_offline_that_the_server_questions_comes_back_to_the_form(app_settings, phone, live_server):
    phone.goto("/reportar/bacheo/")
    wait_for_worker(phone)
    phone.context.set_offline(True)
    phone.goto("/reportar/bacheo/")
    # No colonia chosen: the server will ask for it once the report arrives.
    phone.fill("#id_address", "Avenida Benito Juárez 300")
    phone.fill("#id_description", "Bache en el carril de baja velocidad.")
    phone.click("[data-submit]")
    phone.wait_for_url("**/mis-reportes/?guardado=*")
    phone.context.set_offline(False)
    phone.goto("/mis-reportes/")
    expect(phone.locator("[data-pending-list]")).to_contain_text("necesita revisión", timeout=20000)
    expect(phone.locator("[data-pending-list]")).to_contain_text("colonia")
    assert Ticket.objects.count() == 0

    phone.get_by_role("link", name="Revisar y enviar").click()
    expect(phone.locator("#id_address")).to_have_value("Avenida Benito Juárez 300")
    expect(phone.locator(".report-form")).to_contain_text("Recuperamos el reporte que guardó sin conexión")
    fill_report(phone, address="Avenida Benito Juárez 300", description="Bache en el carril de baja velocidad.")
    phone.click("[data-submit]")
    expect(phone.locator("#folio")).to_be_visible()
    ticket = Ticket.objects.get()
    assert ticket.address == "Avenida Benito Juárez 300"
    phone.goto("/mis-reportes/")
    expect(phone.locator("[data-mine-list]")).to_contain_text(ticket.folio)
    expect(phone.locator("[data-pending-section]")).to_be_hidden()


def test_chromium_says_the_app_can_be_installed(app_settings, chromium, live_server, tmp_path):
    """Chromium's own installability check (the one behind "Instalar app" / "Agregar a la
    pantalla de inicio"): manifest, icons, a worker controlling the page. It refuses to judge
    in an incognito window, which every new_context() is, hence a profile on disk."""
    from metepec7311.testing.browser import CHROMIUM, CHROMIUM_FLAGS

    context = chromium.browser_type.launch_persistent_context(
        str(tmp_path / "perfil"), executable_path=CHROMIUM, args=CHROMIUM_FLAGS, base_url=live_server.url
    )
    page = context.new_page()
    page.goto("/")
    wait_for_worker(page, kept="/reportar/")
    cdp = context.new_cdp_session(page)
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    context.close()


def test_location_from_the_phone_and_from_a_photo(chromium, live_server, browser_settings, photo):
    context = chromium.new_context(
        viewport={"width": 390, "height": 844},
        locale="es-MX",
        base_url=live_server.url,
        geolocation=CHICAHUALCO,
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.goto("/reportar/bacheo/")
    page.get_by_role("button", name="Usar mi ubicación").click()
    expect(page.locator("[data-map-status]")).to_contain_text("Usamos su ubicación actual: 19.279364, -99.593186")
    assert page.input_value("#id_latitude") == "19.279364"
    # The colonias of the point's locality come first, and the resident is told so.
    first_group = page.locator("#id_colonia optgroup").first
    expect(first_group).to_have_attribute("label", "Cerca de su punto, en San Jerónimo Chicahualco")
    expect(first_group.locator("option").first).to_have_text("San Jerónimo Chicahualco (pueblo, CP 52170)")
    expect(page.locator("#colonia-elegida")).to_contain_text("Su punto está en San Jerónimo Chicahualco")

    # A photo with GPS offers its own point; the resident accepts.
    page.set_input_files("#id_photos", str(photo))
    offer = page.locator("[data-photo-place]")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("Su foto trae el lugar donde se tomó (19.25222, -99.60444)")
    check_accessibility(page)
    screenshot(page, "app-foto-con-ubicacion")
    offer.get_by_role("button", name="Usar el lugar de la foto").click()
    expect(page.locator("[data-map-status]")).to_contain_text("Usamos el lugar de su foto: 19.252222, -99.604444")
    assert (page.input_value("#id_latitude"), page.input_value("#id_longitude")) == ("19.252222", "-99.604444")
    expect(offer).to_be_hidden()

    # Sent: the point is the photo's, and the published photo carries no GPS.
    page.select_option("#id_colonia", label="San Jerónimo Chicahualco (pueblo, CP 52170)")
    page.fill("#id_address", "Calle Independencia 5")
    page.fill("#id_description", "Bache frente a la iglesia.")
    page.click("[data-submit]")
    expect(page.locator("#folio")).to_be_visible()
    ticket = Ticket.objects.get()
    assert (str(ticket.latitude), str(ticket.longitude)) == ("19.252222", "-99.604444")
    context.close()


def test_a_photo_without_gps_offers_nothing(phone, live_server, tmp_path):
    plain = tmp_path / "sin-gps.jpg"
    plain.write_bytes(images.jpeg_bytes(800, 600, gps=False))
    phone.goto("/reportar/bacheo/")
    phone.set_input_files("#id_photos", str(plain))
    phone.wait_for_timeout(300)  # the file is read asynchronously
    expect(phone.locator("[data-photo-place]")).to_be_hidden()
    assert phone.input_value("#id_latitude") == ""


# What a 3G phone downloads the first time, compressed as WhiteNoise serves it in production:
# measured 18 kB and 9 kB (docs/app.md); at 1.6 Mbit/s, a fifth of a second each.
BUDGETS = {"/reportar/bacheo/": 25_000, "/": 15_000}


@pytest.mark.parametrize("path", list(BUDGETS))
def test_first_load_fits_the_3g_budget(chromium, live_server, browser_settings, path):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="es-MX", base_url=live_server.url)
    page = context.new_page()
    loaded = []
    page.on("response", lambda response: loaded.append(response))
    page.goto(path, wait_until="networkidle")
    origins = {urlparse(r.url).netloc for r in loaded}
    assert origins == {urlparse(live_server.url).netloc}, origins  # nothing from elsewhere
    compressed = sum(len(gzip.compress(r.body())) for r in loaded if r.status == 200)
    files = sorted(urlparse(r.url).path for r in loaded)
    assert compressed <= BUDGETS[path], f"{path}: {compressed} bytes gzipped in {files}"
    assert not any("leaflet" in f for f in files)  # the map loads only when asked for
    context.close()
