"""/reportar/: a resident reports a problem through the HTTP client."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from conftest import local
from tickets import lifecycle
from tickets.models import Colonia, PendingPhoto, Service, Ticket, TicketPhoto
from tickets.tests import images

FORM = reverse("report_form", args=["bacheo"])


@pytest.fixture
def colonia(db):
    return Colonia.objects.get(name="Coaxustenco")


@pytest.fixture
def report(colonia):
    """What a resident types for a pothole."""
    return {
        "submission_key": "a" * 32,
        "colonia": colonia.pk,
        "address": "Calle Hidalgo 12, frente a la panadería",
        "description": "Bache de medio metro, ya se ponchó una llanta.",
        "attribute_tamano": "mediano",
        "reporter_name": "Rosa Vecina",
        "reporter_phone": "722 555 1234",
        "reporter_email": "rosa@example.com",
    }


def test_the_service_page_offers_the_27_services_grouped_and_no_emergency(client, db):
    html = client.get(reverse("report")).text
    reportable = Service.objects.reportable_by_residents()
    assert reportable.count() == 27
    for service in reportable:
        assert reverse("report_form", args=[service.code]) in html
    assert "Vialidades" in html and "Agua potable y drenaje" in html
    assert "fuga-gas" not in html and "Fuga de gas" not in html and "911" in html


@pytest.mark.parametrize("code", ["fuga-gas", "informativo", "no-existe"])
def test_emergencies_and_unknown_services_have_no_form(client, db, code):
    assert client.get(reverse("report_form", args=[code])).status_code == 404


def test_the_form_explains_privacy_and_that_the_description_is_public(client, db):
    html = client.get(FORM).text
    assert "Qué nunca es público" in html and "su nombre, teléfono y correo" in html
    assert "Esta descripción es pública" in html
    assert 'maxlength="4000"' in html
    assert "¿De qué tamaño es el bache?" in html
    assert 'accept="image/jpeg,image/png,image/webp"' in html


def test_a_report_creates_a_ticket_and_shows_the_folio_and_due_date(
    client, report, frozen, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(FORM, {**report, "photos": [images.upload()]})
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("report_done", args=[ticket.reporter_token])
    assert ticket.channel == "web" and ticket.service.code == "bacheo"
    assert ticket.attributes == {"tamano": "mediano"}
    assert ticket.reporter_phone == "7225551234"
    assert ticket.photos.count() == 1
    done = client.get(response.url).text
    assert ticket.folio in done
    assert "a más tardar el lunes 14 de diciembre a las 13:00" in done
    assert f"/seguimiento/{ticket.folio}/{ticket.reporter_token}/" in done
    # The same arrives by e-mail, sent after commit.
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["rosa@example.com"] and ticket.folio in mail.subject
    assert "a más tardar el lunes 14 de diciembre a las 13:00" in mail.body
    assert f"/seguimiento/{ticket.folio}/{ticket.reporter_token}/" in mail.body


def test_without_email_nothing_is_sent(client, report, frozen, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(FORM, {**report, "reporter_email": ""})
    assert Ticket.objects.count() == 1 and mailoutbox == []


def test_a_colonia_added_or_removed_counts_at_the_next_report(client, report, frozen):
    client.post(FORM, {**report, "submission_key": "b" * 32})  # the process now keeps the colonias
    new = Colonia.objects.create(name="Fraccionamiento Nuevo", postal_code="52140")
    client.post(FORM, {**report, "colonia": new.pk})
    assert Ticket.objects.filter(colonia=new).count() == 1
    gone = Colonia.objects.create(name="Barrio Borrado", postal_code="52140")
    client.post(FORM, {**report, "submission_key": "c" * 32})
    gone_pk = gone.pk
    gone.delete()
    response = client.post(FORM, {**report, "colonia": gone_pk, "submission_key": "d" * 32})
    assert response.status_code == 400 and "Elija una colonia de la lista." in response.text
    assert client.post(FORM, {**report, "colonia": "x", "submission_key": "e" * 32}).status_code == 400


def test_the_colonia_chooser_keeps_the_choice_and_lists_every_colonia_by_name(client, report, colonia):
    """Its options are joined from HTML kept per catalogue version (tickets/forms.ColoniaSelect):
    the same markup Django's Select would render, the choice kept after an error."""
    from django import forms as django_forms

    from tickets.forms import ColoniaChoiceField, colonia_label

    class Labelled(django_forms.ModelChoiceField):
        def label_from_instance(self, obj):
            return colonia_label(obj)

    html = client.post(FORM, {**report, "address": ""}).text
    chooser = html[html.index('<select name="colonia"') : html.index("</select>", html.index('<select name="colonia"'))]
    assert f'<option value="{colonia.pk}" selected>Coaxustenco (' in chooser
    assert chooser.count(" selected") == 1 and 'aria-describedby="id_colonia_helptext"' in chooser
    assert 'required id="id_colonia"' in chooser or 'id="id_colonia" required' in chooser

    class Plain(django_forms.Form):  # what Django renders for the same field, option by option
        colonia = Labelled(Colonia.objects.order_by("name", "postal_code"), empty_label="Elija")

    class Fast(django_forms.Form):
        colonia = ColoniaChoiceField(Colonia.objects.order_by("name", "postal_code"), empty_label="Elija")

    def options(form):
        return [line.strip() for line in str(form["colonia"]).splitlines()[1:-1] if line.strip()]

    assert options(Fast()) == options(Plain())
    assert len(options(Plain())) == Colonia.objects.count() + 1
    chosen = {"colonia": str(colonia.pk)}
    assert options(Fast(chosen)) == options(Plain(chosen)) != options(Plain())


def test_the_report_form_reads_no_colonia_from_the_database(client, db, django_assert_max_num_queries):
    client.get(FORM)
    with django_assert_max_num_queries(3) as queries:  # session and limits at most; never the colonias
        assert client.get(FORM).status_code == 200
    assert not any("tickets_colonia" in q["sql"] for q in queries.captured_queries)
    Colonia.objects.create(name="Aaa Colonia Nueva", postal_code="52140")
    assert "Aaa Colonia Nueva (CP 52140)" in client.get(FORM).text  # a new colonia is offered at once


def test_errors_keep_everything_typed_and_the_photo(client, report, frozen):
    response = client.post(FORM, {**report, "colonia": "", "reporter_phone": "123", "photos": [images.upload()]})
    assert response.status_code == 400
    html = response.text
    assert "Elija la colonia donde está el problema." in html
    assert "Escriba su teléfono a 10 dígitos" in html
    assert 'href="#id_colonia"' in html and 'href="#id_reporter_phone"' in html  # summary links to fields
    assert 'aria-invalid="true"' in html
    assert "Calle Hidalgo 12, frente a la panadería" in html
    assert "ya se ponchó una llanta" in html and "Rosa Vecina" in html
    assert not Ticket.objects.exists()
    pending = PendingPhoto.objects.get()
    assert f'name="pending_photos" value="{pending.key}" checked' in html

    fixed = client.post(FORM, {**report, "pending_photos": [str(pending.key)]})
    ticket = Ticket.objects.get()
    assert fixed.status_code == 302 and ticket.photos.count() == 1
    assert not PendingPhoto.objects.exists()


def test_an_unticked_kept_photo_is_not_sent(client, report, frozen):
    client.post(FORM, {**report, "colonia": "", "photos": [images.upload()]})
    client.post(FORM, {**report})  # the resident unticked it: no pending_photos in the form
    assert Ticket.objects.get().photos.count() == 0


def test_a_bad_photo_is_refused_with_its_name_and_the_rest_is_kept(client, report, frozen):
    response = client.post(FORM, {**report, "photos": [images.upload("recibo.jpg", b"%PDF-1.4 not a photo")]})
    assert response.status_code == 400
    assert "«recibo.jpg» no es una imagen válida" in response.text
    assert "Calle Hidalgo 12" in response.text
    assert not Ticket.objects.exists()


def test_at_most_three_photos(client, report, frozen):
    response = client.post(FORM, {**report, "photos": [images.upload(f"{n}.jpg") for n in range(4)]})
    assert "Puede agregar hasta 3 fotos." in response.text
    assert not Ticket.objects.exists()


def test_a_long_description_is_refused_with_the_limit(client, report, frozen):
    response = client.post(FORM, {**report, "description": "x" * 4001})
    assert "hasta 4,000 caracteres (tiene 4001)" in response.text


def test_a_point_outside_metepec_is_refused_and_inside_is_kept(client, report, frozen):
    outside = client.post(FORM, {**report, "latitude": "19.2925", "longitude": "-99.6566"})
    assert outside.status_code == 400
    assert "fuera del municipio de Metepec" in outside.text
    client.post(FORM, {**report, "latitude": "19.2524", "longitude": "-99.6045"})
    ticket = Ticket.objects.get()
    assert ticket.latitude == Decimal("19.252400") and ticket.locality.name == "Metepec"


def test_a_damage_claim_needs_contact_and_a_photo(client, report, frozen):
    url = reverse("report_form", args=["llanta-bache"])
    response = client.post(url, {**report, "reporter_phone": "", "reporter_email": ""})
    assert "requiere un teléfono o correo" in response.text
    assert "necesita al menos una foto" in response.text
    assert not Ticket.objects.exists()


def test_the_honeypot_stops_bots(client, report, frozen):
    response = client.post(FORM, {**report, "website": "http://spam.example"})
    assert response.status_code == 400 and not Ticket.objects.exists()


def test_sending_twice_creates_one_ticket(client, report, frozen):
    first = client.post(FORM, report)
    second = client.post(FORM, report)
    assert Ticket.objects.count() == 1
    assert first.url == second.url


def test_a_reload_after_an_error_and_a_success_still_creates_one(client, report, frozen):
    client.post(FORM, {**report, "colonia": ""})
    client.post(FORM, report)
    client.post(FORM, report)
    assert Ticket.objects.count() == 1


def test_too_many_reports_from_one_address_get_a_polite_refusal(client, report, frozen, settings):
    settings.REPORT_RATE_LIMITS = ["2/10m"]
    for n in range(2):
        client.post(FORM, {**report, "submission_key": f"{n}" * 32, "colonia": Colonia.objects.all()[n].pk})
    response = client.post(FORM, {**report, "submission_key": "z" * 32, "colonia": Colonia.objects.all()[5].pk})
    assert response.status_code == 429
    assert "Recibimos muchos reportes desde su conexión" in response.text
    assert "Calle Hidalgo 12" in response.text
    assert Ticket.objects.count() == 2
    other = Client(REMOTE_ADDR="10.0.0.9")
    other.post(FORM, {**report, "submission_key": "y" * 32, "colonia": Colonia.objects.all()[6].pk})
    assert Ticket.objects.count() == 3, "another address is not limited"


def test_a_form_sent_again_does_not_use_up_the_limit(client, report, frozen, settings):
    """A valid form is not looked up before it is counted (the receipt's key tells a resend
    inside the report's statement), so a resend's count is given back."""
    settings.REPORT_RATE_LIMITS = ["2/10m"]
    first = client.post(FORM, report)
    for _ in range(3):  # a double click and two reloads
        assert client.post(FORM, report).url == first.url
    second = client.post(FORM, {**report, "submission_key": "b" * 32, "colonia": Colonia.objects.all()[3].pk})
    assert second.status_code == 302 and Ticket.objects.count() == 2
    third = client.post(FORM, {**report, "submission_key": "c" * 32, "colonia": Colonia.objects.all()[4].pk})
    assert third.status_code == 429 and Ticket.objects.count() == 2


def test_a_resend_at_the_limit_is_answered_with_its_ticket_not_refused(client, report, frozen, settings):
    settings.REPORT_RATE_LIMITS = ["1/10m"]
    first = client.post(FORM, report)
    again = client.post(FORM, report)  # counted (2 > 1), then found to be a resend
    assert again.status_code == 302 and again.url == first.url
    other = client.post(FORM, {**report, "submission_key": "b" * 32, "colonia": Colonia.objects.all()[3].pk})
    assert other.status_code == 429, "the resend's count was given back, the first report's was not"


def test_a_resend_of_a_form_no_longer_valid_is_answered_with_its_ticket(client, report, frozen):
    first = client.post(FORM, report)
    service = Service.objects.get(code="bacheo")
    service.photo_required = True  # the rules changed since: the form is refused now
    service.save()
    again = client.post(FORM, report)
    assert again.status_code == 302 and again.url == first.url
    assert Ticket.objects.count() == 1


def test_csrf_is_required():
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(FORM, {"description": "x"})
    assert response.status_code == 403


def test_public_pages_send_a_strict_content_security_policy(client, db, settings):
    policy = client.get(FORM)["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "img-src 'self' data: blob: https://tile.openstreetmap.org" in policy
    settings.MAP_TILE_URL = "https://mapas.metepec.example/{z}/{x}/{y}.png"
    assert "https://mapas.metepec.example" in client.get(FORM)["Content-Security-Policy"]


# --- nearby reports: follow one instead of filing a duplicate ----------------------------


@pytest.fixture
def existing(make_ticket, colonia, frozen):
    return make_ticket("bacheo", colonia=colonia, description="Bache enorme en Hidalgo", at=local(2026, 12, 1, 10))


def test_open_reports_nearby_are_shown_before_sending(client, report, existing):
    response = client.post(FORM, report)
    assert response.status_code == 200
    assert "Antes de enviar: ¿es alguno de estos?" in response.text
    assert existing.folio in response.text
    assert "Calle Hidalgo 12, frente a la panadería" in response.text, "what was typed is still there"
    assert Ticket.objects.count() == 1


def test_following_a_nearby_report_counts_one_more_resident(client, report, existing):
    response = client.post(FORM, {**report, "follow": existing.pk}, follow=True)
    existing.refresh_from_db()
    assert existing.affected_count == 2
    assert Ticket.objects.count() == 1
    assert response.redirect_chain[-1][0] == reverse("ticket_public", args=[existing.folio])
    assert f"sumamos su reporte al folio {existing.folio}" in response.text
    assert existing.events.filter(kind="affected", is_public=True).exists()
    note = existing.events.get(kind="note")
    assert not note.is_public and "ponchó" in note.note
    client.post(FORM, {**report, "follow": existing.pk})  # the same form sent again
    existing.refresh_from_db()
    assert existing.affected_count == 2


def test_a_followed_form_sent_again_as_a_new_report_never_gets_the_private_link(client, report, existing):
    """The key first added the resident to someone else's ticket: sent again as a new report
    (the "es nuevo" button after going back), it is answered with that ticket's public page,
    never with its reporter's private link."""
    client.post(FORM, {**report, "follow": existing.pk})
    response = client.post(FORM, {**report, "confirm_new": "1"})
    assert response.status_code == 302
    assert response.url == reverse("ticket_public", args=[existing.folio])
    assert existing.reporter_token not in response.url
    assert Ticket.objects.count() == 1


def test_it_is_another_problem_creates_a_new_ticket(client, report, existing):
    client.post(FORM, {**report, "confirm_new": "1"})
    assert Ticket.objects.count() == 2


def test_nearby_means_same_service_open_recent_and_in_the_colonia(client, report, make_ticket, colonia, supervisor):
    same = make_ticket("bacheo", colonia=colonia)
    other_service = make_ticket("alumbrado", colonia=colonia)
    old = make_ticket("bacheo", colonia=colonia, at=local(2026, 10, 1, 10))  # more than 30 days ago
    closed = make_ticket("bacheo", colonia=colonia)
    lifecycle.ticket_resolve(ticket=closed, actor=supervisor, public_note="Listo")
    html = client.post(FORM, report).text
    assert same.folio in html
    for ticket in (other_service, old, closed):
        assert ticket.folio not in html


def test_nearby_also_means_within_150_metres_in_another_colonia(client, report, make_ticket, frozen):
    elsewhere = Colonia.objects.get(name="Arcos del Prado")
    near = make_ticket("bacheo", colonia=elsewhere, latitude=Decimal("19.2524"), longitude=Decimal("-99.6045"))
    far = make_ticket("bacheo", colonia=elsewhere, latitude=Decimal("19.2551"), longitude=Decimal("-99.6045"))
    # The report is in Coaxustenco, 100 m from `near` and 200 m from `far`.
    html = client.post(FORM, {**report, "latitude": "19.2533", "longitude": "-99.6045"}).text
    assert near.folio in html
    assert far.folio not in html


# --- housekeeping -------------------------------------------------------------------------


def test_photos_of_forms_never_sent_again_are_purged(client, report, time_machine):
    time_machine.move_to(local(2026, 12, 7, 10), tick=False)
    client.post(FORM, {**report, "colonia": "", "photos": [images.upload()]})
    assert PendingPhoto.objects.count() == 1
    time_machine.move_to(local(2026, 12, 8, 11), tick=False)
    call_command("purge_pending_photos", verbosity=0)
    assert not PendingPhoto.objects.exists()
    assert not TicketPhoto.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_sends_of_one_form_make_one_ticket_on_postgresql(needs_postgres):
    """Real concurrent transactions racing on the same submission key."""
    import threading

    from django.db import connection

    from tickets import reporting

    service = Service.objects.get(code="bacheo")
    barrier = threading.Barrier(4)
    results, errors = [], []

    def send():
        try:
            barrier.wait()
            results.append(
                reporting.submit_report(
                    key="k" * 32, service=service, description="Bache", channel="web", address="C 1"
                )
            )
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Ticket.objects.count() == 1
    assert {ticket.pk for ticket, _ in results} == {Ticket.objects.get().pk}
    assert sorted(created for _, created in results) == [False, False, False, True]


def test_following_nearby_reports_counts_against_the_same_limit(client, report, existing, settings):
    settings.REPORT_RATE_LIMITS = ["2/10m"]
    for n in range(2):
        client.post(FORM, {**report, "submission_key": f"{n}" * 32, "follow": existing.pk})
    client.post(FORM, {**report, "submission_key": "1" * 32, "follow": existing.pk})  # a resend: not counted
    response = client.post(FORM, {**report, "submission_key": "z" * 32, "follow": existing.pk})
    assert response.status_code == 429
    assert "Recibimos muchos reportes desde su conexión" in response.text
    assert "Calle Hidalgo 12" in response.text  # what was typed is kept
    existing.refresh_from_db()
    assert existing.affected_count == 3  # the reporter and two followers, not a third


@pytest.fixture
def failing_disk(settings, tmp_path):
    """MEDIA_ROOT where no directory can be made (a file is in the way), as a full or
    read-only disk fails."""
    blocker = tmp_path / "media"
    blocker.write_text("not a directory")
    settings.MEDIA_ROOT = str(blocker)


def test_with_the_disk_failing_the_report_is_saved_without_its_photos(client, report, failing_disk, frozen):
    response = client.post(FORM, {**report, "photos": [images.upload()]}, follow=True)
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.folio in response.text and "sus fotos no se pudieron guardar" in response.text
    assert not ticket.photos.exists() and not PendingPhoto.objects.exists()


def test_with_the_disk_failing_a_form_with_errors_keeps_the_text_and_asks_for_the_photos_again(
    client, report, failing_disk, frozen
):
    response = client.post(FORM, {**report, "colonia": "", "photos": [images.upload()]})
    assert response.status_code == 400
    assert "Calle Hidalgo 12" in response.text
    assert "vuelva a elegirlas" in response.text
