"""Photos: EXIF (GPS above all) and every other piece of metadata is gone before storage."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from insyn.core import images
from insyn.feedback import services
from insyn.feedback.models import CasePhoto, Kind
from tests.feedback.conftest import CENTRUM, jpeg_bytes

pytestmark = pytest.mark.django_db


def stored_bytes(photo: CasePhoto, field: str = "image") -> bytes:
    with getattr(photo, field).open("rb") as fh:
        return fh.read()


def assert_no_metadata(data: bytes) -> None:
    img = Image.open(io.BytesIO(data))
    exif = img.getexif()
    assert len(exif) == 0
    assert exif.get_ifd(0x8825) == {}  # no GPS IFD
    assert b"Exif" not in data and b"Telefonmakaren" not in data and b"Anna" not in data
    assert not {"exif", "xmp", "icc_profile", "XML:com.adobe.xmp"} & set(img.info)


def test_gps_exif_is_stripped_in_the_whole_submission(setup, client):
    original = jpeg_bytes(gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test input has GPS
    response = client.post(
        "/synpunkter/felanmalan/skicka/",
        {
            "category": setup.potholes.pk,
            "lat": CENTRUM[0],
            "long": CENTRUM[1],
            "description": "Stort hål.",
            "photos": [SimpleUploadedFile("IMG_0001.jpg", original, "image/jpeg")],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    photo = CasePhoto.objects.get()
    data = stored_bytes(photo)
    assert_no_metadata(data)
    assert_no_metadata(stored_bytes(photo, "public_image"))
    # The orientation tag was applied to the pixels, not lost: 64×48 rotated is 48×64.
    assert Image.open(io.BytesIO(data)).size == (48, 64) == (photo.width, photo.height)
    assert "IMG_0001" not in photo.image.name


def test_png_with_text_chunks_becomes_a_clean_jpeg():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Anna Andersson")
    img = Image.new("RGBA", (30, 20), (255, 0, 0, 128))
    out = io.BytesIO()
    img.save(out, format="PNG", pnginfo=info)
    clean = images.clean_image_bytes(out.getvalue())
    assert b"Anna" not in clean.data
    assert Image.open(io.BytesIO(clean.data)).format == "JPEG"


def test_heic_is_converted():
    pytest.importorskip("pillow_heif")
    img = Image.new("RGB", (40, 30), (10, 200, 10))
    out = io.BytesIO()
    try:
        img.save(out, format="HEIF")
    except (KeyError, OSError):
        pytest.skip("this libheif cannot encode HEIF")
    clean = images.clean_image_bytes(out.getvalue())
    assert Image.open(io.BytesIO(clean.data)).format == "JPEG"
    assert (clean.width, clean.height) == (40, 30)


@pytest.mark.parametrize(
    "data", [b"GIF89a" + b"\x00" * 20, b"not an image", b"", b"%PDF-1.4 hello"]
)
def test_other_files_are_rejected_clearly(data):
    with pytest.raises(ValidationError, match="JPEG-, PNG- eller HEIC"):
        images.clean_image_bytes(data)


def test_gif_is_rejected():
    out = io.BytesIO()
    Image.new("RGB", (5, 5)).save(out, format="GIF")
    with pytest.raises(ValidationError):
        images.clean_image_bytes(out.getvalue())


def test_size_limit(settings):
    settings.PHOTO_MAX_BYTES = 1000
    upload = SimpleUploadedFile("big.jpg", jpeg_bytes(size=(400, 400)), "image/jpeg")
    assert upload.size > 1000
    with pytest.raises(ValidationError, match="för stor"):
        images.clean_image(upload)


def test_at_most_three_photos(setup, client):
    files = [SimpleUploadedFile(f"{i}.jpg", jpeg_bytes(), "image/jpeg") for i in range(4)]
    response = client.post(
        "/synpunkter/felanmalan/skicka/",
        {
            "category": setup.potholes.pk,
            "address_text": "Kungsgatan 1",
            "description": "Hål.",
            "photos": files,
        },
    )
    assert response.status_code == 400
    assert "högst tre bilder" in response.content.decode()
    assert not CasePhoto.objects.exists()


def test_large_photos_are_scaled_down():
    clean = images.clean_image_bytes(jpeg_bytes(size=(3000, 1000)))
    assert max(clean.width, clean.height) == images.MAX_SIDE


def test_staff_blur_stores_a_blurred_public_version(setup):
    sharp = Image.new("RGB", (60, 60), (255, 255, 255))
    for x in range(0, 60, 2):
        for y in range(60):
            sharp.putpixel((x, y), (0, 0, 0))
    out = io.BytesIO()
    sharp.save(out, format="PNG")
    case = services.create_case(
        kind=Kind.FAULT,
        category=setup.graffiti,
        description="Klotter",
        address_text="Tunneln",
        photos=[images.clean_image_bytes(out.getvalue())],
    ).case
    photo = case.photos.get()
    services.blur_photo(photo=photo, by=setup.users["cc"])
    photo.refresh_from_db()
    assert photo.blurred and photo.public_image.name != photo.image.name
    original = Image.open(io.BytesIO(stored_bytes(photo))).convert("L")
    public = Image.open(io.BytesIO(stored_bytes(photo, "public_image"))).convert("L")

    def spread(img):
        pixels = list(img.getdata())
        return max(pixels) - min(pixels)

    assert spread(public) < spread(original) / 2
    assert_no_metadata(stored_bytes(photo, "public_image"))


def test_blur_one_region():
    data = images.clean_image_bytes(jpeg_bytes(size=(100, 100))).data
    out = images.blurred_copy(data, box=(0.0, 0.0, 0.5, 0.5))
    assert Image.open(io.BytesIO(out)).size == (100, 100)
