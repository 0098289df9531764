"""Photo intake: accept JPEG, PNG and HEIC/HEIF, re-encode as a fresh JPEG without metadata.

Re-encoding from pixels (rather than deleting tags) is what guarantees that EXIF (including GPS
position), XMP, IPTC, ICC and PNG text chunks are gone: the stored file is written from a new
image that never had them. The orientation tag is applied to the pixels first, so photos stay
upright. HEIC (iPhones' default) is decoded with pillow-heif.

Shared by every app that takes photos (fault reports in insyn.feedback, delivery updates of a
participatory budget's winning projects in insyn.dialogue), so there is one intake rule. The
size limit is settings.PHOTO_MAX_BYTES (default 10 MB).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

try:  # pillow-heif registers a HEIF/HEIC opener with Pillow.
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIF_SUPPORTED = True
except ImportError:  # pragma: no cover - pillow-heif is a dependency
    HEIF_SUPPORTED = False

ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "HEIF", "HEIC"}
MAX_SIDE = 2048
MAX_PIXELS = 50_000_000
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 3
# The file picker's hint (the server decides what it accepts, by reading the file).
ACCEPT = "image/jpeg,image/png,image/heic,image/heif,.heic"


def max_photo_bytes() -> int:
    return int(getattr(settings, "PHOTO_MAX_BYTES", DEFAULT_MAX_BYTES))


@dataclass
class CleanImage:
    data: bytes
    width: int
    height: int


def clean_image(upload) -> CleanImage:
    """Validate an uploaded file and return a metadata-free JPEG; ValidationError in Swedish."""
    limit = max_photo_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            _("Bilden %(name)s är för stor (högst %(mb)s MB).")
            % {"name": getattr(upload, "name", ""), "mb": limit // (1024 * 1024)},
            code="too_large",
        )
    raw = upload.read(limit + 1)
    if len(raw) > limit:
        raise ValidationError(
            _("Bilden är för stor (högst %(mb)s MB).") % {"mb": limit // (1024 * 1024)},
            code="too_large",
        )
    return clean_image_bytes(raw)


def clean_images(uploads: Iterable[Any]) -> list[CleanImage]:
    """The one rule for a set of uploaded photos — the fault form's and Open311's multipart
    `photo1`…`photoN`: at most MAX_PHOTOS, each checked and re-encoded by clean_image (size,
    format, pixels; EXIF and every other metadata dropped)."""
    files = [f for f in uploads if f]
    if len(files) > MAX_PHOTOS:
        raise ValidationError(_("Du kan skicka högst tre bilder."), code="too_many")
    return [clean_image(f) for f in files]


def clean_image_bytes(raw: bytes) -> CleanImage:
    unsupported = ValidationError(
        _("Filen kunde inte läsas som en bild. Skicka en JPEG-, PNG- eller HEIC-bild."),
        code="unsupported",
    )
    try:
        with Image.open(io.BytesIO(raw)) as img:
            if img.format not in ACCEPTED_FORMATS:
                raise unsupported
            if img.width * img.height > MAX_PIXELS:
                raise ValidationError(_("Bilden har för många bildpunkter."), code="too_many_px")
            img.load()
            upright = ImageOps.exif_transpose(img)
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise unsupported from exc
    return _reencode(upright)


def _reencode(img: Image.Image) -> CleanImage:
    img = img.copy()
    img.thumbnail((MAX_SIDE, MAX_SIDE))
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        img = flat
    else:
        img = img.convert("RGB")
    # A brand-new image carries no info dict: nothing but pixels is written below.
    fresh = Image.frombytes("RGB", img.size, img.tobytes())
    out = io.BytesIO()
    fresh.save(out, format="JPEG", quality=85, optimize=True)
    return CleanImage(out.getvalue(), fresh.width, fresh.height)


def blurred_copy(
    data: bytes, *, box: tuple[float, float, float, float] | None = None, radius: float = 14
) -> bytes:
    """Gaussian-blurred JPEG; `box` = (left, top, right, bottom) as fractions 0–1, else all."""
    with Image.open(io.BytesIO(data)) as img:
        img = img.convert("RGB")
        if box is None:
            result = img.filter(ImageFilter.GaussianBlur(radius))
        else:
            left, top, right, bottom = box
            px = (
                int(left * img.width),
                int(top * img.height),
                max(int(right * img.width), int(left * img.width) + 1),
                max(int(bottom * img.height), int(top * img.height) + 1),
            )
            region = img.crop(px).filter(ImageFilter.GaussianBlur(radius))
            result = img.copy()
            result.paste(region, px[:2])
        fresh = Image.frombytes("RGB", result.size, result.tobytes())
        out = io.BytesIO()
        fresh.save(out, format="JPEG", quality=85, optimize=True)
        return out.getvalue()
