"""Uploaded photos: only real images, re-encoded, sized for the web, with no metadata left."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from tickets import photos
from tickets.tests import images


def open_result(content):
    return Image.open(io.BytesIO(content.read()))


def test_a_phone_photo_loses_its_gps_camera_data_and_comments():
    raw = images.jpeg_bytes()
    assert b"TelefonoMarca" in raw and b"calle Hidalgo" in raw  # the original carries them
    cleaned = photos.clean_photo(images.upload(content=raw))
    data = cleaned.read()
    assert b"TelefonoMarca" not in data and b"calle Hidalgo" not in data and b"Exif" not in data
    result = Image.open(io.BytesIO(data))
    assert result.format == "JPEG"
    assert not result.getexif()
    assert "comment" not in result.info and "exif" not in result.info


def test_large_photos_are_sized_for_the_web():
    result = open_result(photos.clean_photo(images.upload(content=images.jpeg_bytes(4000, 3000))))
    assert max(result.size) == photos.MAX_SIDE
    assert result.size == (1600, 1200)


def test_the_orientation_is_applied_before_the_metadata_goes():
    # Orientation 6: the camera was turned; the pixels must be rotated to stay upright.
    raw = images.jpeg_bytes(400, 200, orientation=6)
    result = open_result(photos.clean_photo(images.upload(content=raw)))
    assert result.size == (200, 400)
    assert result.getpixel((result.width - 5, 5))[2] > 200  # the blue corner moved to the top right


def test_png_with_transparency_and_webp_are_accepted():
    png = open_result(photos.clean_photo(images.upload("mapa.png", images.png_with_transparency(), "image/png")))
    assert png.mode == "RGB" and png.getpixel((250, 100)) == (255, 255, 255)
    webp = open_result(photos.clean_photo(images.upload("foto.webp", images.webp_bytes(), "image/webp")))
    assert webp.format == "JPEG"


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("bache.jpg", b"this is not an image at all", "no es una imagen válida"),
        ("bache.jpg", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "no es una imagen válida"),
        ("animacion.gif", images.gif_bytes(), "no es JPEG, PNG ni WebP"),
        ("virus.exe", b"MZ\x90\x00" * 100, "no es una imagen válida"),
    ],
)
def test_things_that_are_not_photos_are_refused(name, content, message):
    with pytest.raises(ValidationError) as error:
        photos.clean_photo(images.upload(name, content))
    assert message in error.value.messages[0]
    assert name in error.value.messages[0]


def test_files_over_10_mb_are_refused_before_decoding():
    big = images.upload(content=b"\xff\xd8" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError, match="más de 10 MB"):
        photos.clean_photo(big)


@pytest.mark.parametrize("limit", [1000, 100_000])  # far over the limit, and in Pillow's warning band
def test_a_decompression_bomb_is_refused(monkeypatch, limit):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", limit)
    with pytest.raises(ValidationError, match="no es una imagen válida"):
        photos.clean_photo(images.upload(content=images.jpeg_bytes(400, 300)))
