"""Real image files for upload tests, built with Pillow (with EXIF and GPS when asked)."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_bytes(width=2400, height=1800, color=(200, 80, 40), gps=True, orientation=None, comment=True):
    image = Image.new("RGB", (width, height), color)
    # A marker in the top-left corner shows which way the pixels ended up.
    image.paste((0, 0, 255), (0, 0, width // 4, height // 4))
    exif = Image.Exif()
    exif[0x010F] = "TelefonoMarca"  # Make
    exif[0x0110] = "Modelo X"  # Model
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (19.0, 15.0, 8.0), 3: "W", 4: (99.0, 36.0, 16.0)}
    output = io.BytesIO()
    extra = {"comment": b"casa de Rosa, calle Hidalgo 12"} if comment else {}
    image.save(output, format="JPEG", exif=exif.tobytes(), quality=90, **extra)
    return output.getvalue()


def upload(name="bache.jpg", content=None, content_type="image/jpeg"):
    return SimpleUploadedFile(name, content if content is not None else jpeg_bytes(), content_type=content_type)


def png_with_transparency():
    image = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    image.paste((255, 0, 0, 255), (0, 0, 150, 200))
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


def webp_bytes():
    output = io.BytesIO()
    Image.new("RGB", (640, 480), (10, 120, 10)).save(output, format="WEBP")
    return output.getvalue()


def gif_bytes():
    output = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 10, 10)).save(output, format="GIF")
    return output.getvalue()


def cleaned(width=800, height=600):
    """A photo as the lifecycle receives it: already checked and re-encoded."""
    from tickets.photos import clean_photo

    return clean_photo(upload(content=jpeg_bytes(width, height)))
