"""Uploaded photos: check they really are images, then re-encode them for the web.

Re-encoding from the decoded pixels is what strips every piece of metadata (EXIF with the
phone's GPS position, maker notes, XMP, ICC comments): nothing of the original file is
copied. The orientation EXIF records is applied to the pixels first, so photos stay upright.
"""

import io
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


def clean_photo(upload):
    """Validate one uploaded file and return a ContentFile with the cleaned JPEG.

    Raises ValidationError with a message for the resident (in Spanish).
    """
    name = getattr(upload, "name", "la foto")
    if upload.size > MAX_BYTES:
        raise ValidationError(f"«{name}» pesa más de 10 MB. Elija una foto más ligera.")
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that: refuse those too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            pixels = _decode(upload, name)
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ):
        raise ValidationError(f"«{name}» no es una imagen válida (JPEG, PNG o WebP).") from None
    output = io.BytesIO()
    pixels.save(output, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return ContentFile(output.getvalue(), name="foto.jpg")


def _decode(upload, name):
    upload.seek(0)
    with Image.open(upload) as probe:
        kind = probe.format
        probe.verify()  # structural check without decoding everything
    if kind not in ACCEPTED_FORMATS:
        raise ValidationError(f"«{name}» no es JPEG, PNG ni WebP.")
    upload.seek(0)
    with Image.open(upload) as image:
        image.load()
        return _web_ready(image)


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
