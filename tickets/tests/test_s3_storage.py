"""Photos on S3-compatible storage (issue #10): with MEDIA_BUCKET set, a resident's photo goes
to the bucket through django-storages, stripped of its metadata, and the public page links to
it; tested against a real S3-compatible server (moto's server mode, its own process)."""

import io
import urllib.error
import urllib.request

import pytest
from django.core import checks
from django.urls import reverse
from PIL import Image

from metepec7311.media_storage import default_storage_from
from metepec7311.testing.s3_server import S3Server
from tickets import lifecycle
from tickets.models import Colonia, Ticket
from tickets.tests import images


@pytest.fixture
def bucket(settings):
    server = S3Server().start()
    settings.STORAGES = {**settings.STORAGES, "default": default_storage_from(server.environment())}
    yield server
    server.stop()


FORM = reverse("report_form", args=["bacheo"])


def pothole(key, **extra):
    """What a resident types on the pothole form (`key` makes its submission key)."""
    return {
        "submission_key": key * 32,
        "colonia": Colonia.objects.get(name="Coaxustenco").pk,
        "address": "Calle Hidalgo 12",
        "description": "Bache de medio metro.",
        "attribute_tamano": "mediano",
        **extra,
    }


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers["Content-Type"], response.read()


def test_a_residents_photo_lands_in_the_bucket_without_its_gps(
    client, db, bucket, frozen, django_capture_on_commit_callbacks
):
    photo = images.upload(content=images.jpeg_bytes(gps=True))
    with django_capture_on_commit_callbacks(execute=True):  # the cleaning runs once the report commits
        response = client.post(FORM, {**pothole("b", reporter_email="rosa@example.com"), "photos": [photo]})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    # The file as received (under incoming/) is gone once its clean copy is recorded.
    name = ticket.photos.get().image.name
    assert bucket.keys() == [f"media/{name}"]

    page = client.get(f"/seguimiento/{ticket.folio}/").text
    url = f"{bucket.url}/{bucket.bucket}/media/{name}"
    assert url in page
    status, content_type, body = fetch(url)  # anyone can read it, as the page's visitors must
    assert status == 200 and content_type == "image/jpeg"
    stored = Image.open(io.BytesIO(body))
    assert not stored.getexif() and "exif" not in stored.info


def test_a_moderated_photo_moves_and_its_old_address_stops_working(
    bucket, make_ticket, supervisor, frozen, django_capture_on_commit_callbacks
):
    ticket = make_ticket("bacheo", photos=[images.cleaned()])
    photo = ticket.photos.get()
    old_url = photo.image.url
    assert fetch(old_url)[0] == 200
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.ticket_hide_photo(ticket=ticket, actor=supervisor, photo=photo, reason="abuso", explanation="Rostro.")
    photo.refresh_from_db()
    with pytest.raises(urllib.error.HTTPError):
        fetch(old_url)
    assert bucket.keys() == [f"media/{photo.image.name}"]  # kept for staff, under a new name


def test_several_hosts_with_a_bucket_pass_the_production_check(settings):
    settings.MULTIPLE_HOSTS, settings.MEDIA_SHARED = True, False
    settings.STORAGES = {**settings.STORAGES, "default": default_storage_from({"MEDIA_BUCKET": "fotos"})}
    assert not [m for m in checks.run_checks() if m.id == "metepec7311.E002"]
    settings.STORAGES = {**settings.STORAGES, "default": default_storage_from({})}
    assert [m.id for m in checks.run_checks() if m.id == "metepec7311.E002"] == ["metepec7311.E002"]


def test_with_the_bucket_down_a_report_is_saved_without_its_photos_and_says_so(client, db, bucket, frozen):
    bucket.stop()  # the real server, gone
    response = client.post(FORM, {**pothole("c"), "photos": [images.upload()]}, follow=True)
    assert response.status_code == 200
    assert "sus fotos no se pudieron guardar" in response.text
    ticket = Ticket.objects.get()
    assert ticket.folio in response.text and ticket.description == "Bache de medio metro."
    assert not ticket.photos.exists()
    assert ticket.events.filter(is_public=False, note__contains="no se pudieron guardar").exists()  # for staff


def test_with_the_bucket_down_staff_adding_photos_get_a_message_not_a_500(bucket, make_ticket, obras_staff, frozen):
    ticket = make_ticket("bacheo")
    bucket.stop()
    with pytest.raises(lifecycle.Refused) as refusal:
        lifecycle.ticket_add_photos(ticket=ticket, actor=obras_staff, photos=[images.cleaned()])
    assert "No pudimos guardar las fotos" in refusal.value.message and refusal.value.field == "photos"
