"""A report's photos are checked in the request and cleaned by a task after it commits
(tickets/lifecycle/incoming_photos.py): nothing shows them before, nothing is lost after."""

import io
import logging
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from metepec7311.celery import app as celery_app
from tickets.lifecycle import incoming_photos
from tickets.models import Colonia, IncomingPhoto, Ticket, TicketEvent, TicketPhoto
from tickets.tests import images
from tickets.tests.test_outbox import use_broker

FORM = reverse("report_form", args=["bacheo"])


@pytest.fixture
def report(db):
    return {
        "submission_key": "f" * 32,
        "colonia": Colonia.objects.get(name="Coaxustenco").pk,
        "address": "Calle Hidalgo 12",
        "description": "Bache de medio metro.",
        "attribute_tamano": "mediano",
        "confirm_new": "1",
    }


def gps_photo():
    return images.upload(content=images.jpeg_bytes(gps=True))


def test_until_cleaned_a_photo_is_nowhere_public_then_it_is_clean_and_the_received_file_gone(
    client, report, frozen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(FORM, {**report, "photos": [gps_photo()]})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    waiting = IncomingPhoto.objects.get(ticket=ticket)
    received_name = waiting.image.name
    assert received_name.startswith("incoming/") and default_storage.exists(received_name)
    # Not committed yet, as a worker would see it: no photo anywhere a visitor looks.
    assert not ticket.photos.exists()
    done = client.get(response.url).text
    assert "Estamos preparando su foto" in done
    for page in (f"/seguimiento/{ticket.folio}/", f"/api/v1/tickets/{ticket.folio}/", "/open311/v2/requests.json"):
        body = client.get(page).text
        assert received_name not in body and "incoming/" not in body, page

    for callback in callbacks:  # the commit: the task runs (eager here, as on `make run`)
        with django_capture_on_commit_callbacks(execute=True):
            callback()
    photo = ticket.photos.get()
    assert photo.is_public and photo.image.name.startswith("tickets/")
    with photo.image.open("rb") as stored:
        clean = Image.open(io.BytesIO(stored.read()))
    assert not clean.getexif() and "comment" not in clean.info and clean.size == (1600, 1200)
    assert not IncomingPhoto.objects.exists() and not default_storage.exists(received_name)
    trail = ticket.events.order_by("id")
    assert [e.kind for e in trail] == [TicketEvent.Kind.CREATED, TicketEvent.Kind.PHOTO]
    assert trail.last().created_at == ticket.created_at and trail.last().is_public  # at the report's time
    assert photo.image.url in client.get(f"/seguimiento/{ticket.folio}/").text  # the cached page changed at once


def test_cleaning_twice_records_the_photos_once(client, report, frozen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        client.post(FORM, {**report, "photos": [gps_photo(), gps_photo()]})
    ticket = Ticket.objects.get()
    assert incoming_photos.clean(ticket.pk) == 2
    assert incoming_photos.clean(ticket.pk) == 0
    assert ticket.photos.count() == 2
    assert ticket.events.filter(kind=TicketEvent.Kind.PHOTO).get().new_value == "2 fotos"


def test_with_the_broker_down_the_report_is_saved_and_the_sweep_cleans_its_photo(
    client, report, own_redis, frozen, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    use_broker(monkeypatch, own_redis.url)
    own_redis.stop()
    with (
        caplog.at_level(logging.WARNING, logger="tickets.lifecycle.incoming_photos"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(FORM, {**report, "photos": [gps_photo()]})
    assert response.status_code == 302
    assert "cleaning not queued" in caplog.text
    ticket = Ticket.objects.get()
    assert IncomingPhoto.objects.filter(ticket=ticket).count() == 1 and not ticket.photos.exists()

    assert incoming_photos.sweep() == 0  # too recent: its own task may still be on its way
    frozen.shift(timedelta(minutes=2))
    assert incoming_photos.sweep() == 1
    assert ticket.photos.count() == 1 and not IncomingPhoto.objects.exists()


def test_a_photo_whose_pixels_do_not_decode_is_dropped_with_an_internal_note(
    client, report, frozen, django_capture_on_commit_callbacks
):
    truncated = images.jpeg_bytes()[:5000]  # a valid header: the request's checks pass
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(FORM, {**report, "photos": [images.upload(content=truncated)]})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert not ticket.photos.exists() and not IncomingPhoto.objects.exists()
    note = ticket.events.get(kind=TicketEvent.Kind.NOTE)
    assert not note.is_public and "no se pudieron procesar" in note.note


def test_a_storage_failure_while_cleaning_keeps_the_photo_waiting_for_the_next_try(
    client, report, frozen, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        client.post(FORM, {**report, "photos": [gps_photo()]})
    ticket = Ticket.objects.get()
    storage = TicketPhoto._meta.get_field("image").storage

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(storage, "save", full_disk)
        with pytest.raises(Exception):  # noqa: B017 — the task fails and is retried by the sweep
            incoming_photos.clean(ticket.pk)
    assert IncomingPhoto.objects.filter(ticket=ticket).count() == 1 and not ticket.photos.exists()
    assert incoming_photos.clean(ticket.pk) == 1


def test_a_form_sent_back_with_errors_keeps_its_photo_cleaned(client, report, frozen):
    response = client.post(FORM, {**report, "description": "", "photos": [gps_photo()]})
    assert response.status_code == 400
    assert "Describa el problema" in response.text
    assert not IncomingPhoto.objects.exists()
    [kept] = response.context["pending"]
    with kept.image.open("rb") as stored:
        assert not Image.open(io.BytesIO(stored.read())).getexif()
