"""Uploaded photos: check they really are images, then re-encode them for the web.

A report's photos are only checked in the request (check_photo: what the resident must hear
about at once); decoding and re-encoding, most of a photo's cost, runs in a task before any
page shows them (tickets/lifecycle/incoming_photos.py). Other photos are cleaned in the request.

Re-encoding from the decoded pixels is what strips every piece of metadata (EXIF with the
phone's GPS position, maker notes, XMP, ICC comments): nothing of the original file is
copied. The orientation EXIF records is applied to the pixels first, so photos stay upright.
"""

import io
import math
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 3
MAX_SIDE = 1600  # px: sharp on a phone, a fraction of a camera file's weight
JPEG_QUALITY = 82
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
ACCEPT_ATTRIBUTE = "image/jpeg,image/png,image/webp"
# A decompression bomb (a tiny file that decodes to gigapixels) is refused, not decoded.
Image.MAX_IMAGE_PIXELS = 50_000_000


class RawPhoto(ContentFile):
    """An upload that passed check_photo() but still holds everything the phone wrote: to be
    stored privately and cleaned by a task (tickets/lifecycle/incoming_photos.py), never shown as is."""

    needs_cleaning = True


SUFFIXES = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
_BAD_IMAGE = (
    UnidentifiedImageError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
    OSError,
    SyntaxError,
    ValueError,
)


def check_photo(upload):
    """What the resident must hear about at once, without decoding the pixels: the file is a
    JPEG, PNG or WebP, not too heavy, not a decompression bomb. Returns a RawPhoto.

    Raises ValidationError with a message for the resident (in Spanish).
    """
    name = getattr(upload, "name", "la foto")
    kind = _probe(upload, name)
    upload.seek(0)
    return RawPhoto(upload.read(), name=f"foto{SUFFIXES[kind]}")


def clean_photo(upload):
    """Validate one uploaded file and return a ContentFile with the cleaned JPEG.

    Raises ValidationError with a message for the resident (in Spanish).
    """
    name = getattr(upload, "name", "la foto")
    _probe(upload, name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            pixels = _decode(upload)
    except _BAD_IMAGE:
        raise ValidationError(f"«{name}» no es una imagen válida (JPEG, PNG o WebP).") from None
    output = io.BytesIO()
    # Baseline, with optimised Huffman tables: progressive encoding cost another 30 % of the
    # photo's time (measured, docs/performance.md) to save about 5 % of bytes.
    pixels.save(output, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return ContentFile(output.getvalue(), name="foto.jpg")


def _probe(upload, name):
    """The file's format, after the checks that need no decoding; ValidationError if bad."""
    if upload.size > MAX_BYTES:
        raise ValidationError(f"«{name}» pesa más de 10 MB. Elija una foto más ligera.")
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that: refuse those too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload) as probe:
                kind = probe.format
                probe.verify()  # structural check without decoding everything
    except _BAD_IMAGE:
        raise ValidationError(f"«{name}» no es una imagen válida (JPEG, PNG o WebP).") from None
    if kind not in ACCEPTED_FORMATS:
        raise ValidationError(f"«{name}» no es JPEG, PNG ni WebP.")
    return kind


def _decode(upload):
    upload.seek(0)
    with Image.open(upload) as image:
        # A JPEG can be decoded straight at 1/2, 1/4 or 1/8 of its size: a 12-megapixel phone
        # photo at 2016 × 1512 costs a third of the full decode and a quarter of the resize,
        # and the result is still larger than what is kept. Other formats decode in full.
        image.draft(image.mode, _decoded_size(image.size))
        image.load()
        return _web_ready(image)


def _decoded_size(size):
    """The smallest size worth decoding: the kept size (longest side MAX_SIDE) of `size`."""
    scale = min(1.0, MAX_SIDE / max(size))
    return (max(1, math.ceil(size[0] * scale)), max(1, math.ceil(size[1] * scale)))


def _web_ready(image):
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # A fresh image holds pixels only: no info dict, no EXIF, nothing carried over.
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    return clean
