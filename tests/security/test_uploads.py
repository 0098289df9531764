"""Uploads are validated through the real views: feedback photos (wrong type, too large, a fake
JPEG, a decompression bomb), the goals' bulk-reporting XLSX and the indicators' budget XLSX/CSV.
Every bad file is refused with a Swedish message, never a server error, and nothing is saved."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from insyn.accounts.models import Role
from insyn.feedback.models import Case, CasePhoto
from insyn.goals.models import Report
from insyn.indicators.models import BudgetUpload
from tests.factories import MembershipFactory, UserFactory
from tests.security.conftest import Site
from tests.world import make_world, open_period

pytestmark = pytest.mark.django_db

FAULT = "/synpunkter/felanmalan/skicka/"


def image_bytes(fmt: str, size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, format=fmt)
    return out.getvalue()


def zip_bytes(files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


def _fault(site: Site, upload: SimpleUploadedFile) -> dict:
    return {
        "category": site.category.pk,
        "address_text": "Kungsgatan 1",
        "description": "Lampan är släckt.",
        "photos": [upload],
    }


def _refused_in_swedish(response, *phrases: str) -> str:
    assert response.status_code == 400, response.status_code
    text = response.content.decode()
    assert any(phrase in text for phrase in phrases), text[-3000:]
    return text


# --- Feedback photos ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("bild.gif", image_bytes("GIF"), "image/gif"),
        ("bild.bmp", image_bytes("BMP"), "image/bmp"),
        ("dokument.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n", "application/pdf"),
        ("fejk.jpg", b"\xff\xd8\xff\xe0" + b"inte en bild" * 100, "image/jpeg"),  # JPEG magic only
        ("skript.jpg", b"<script>alert(1)</script>", "image/jpeg"),
        ("tom.jpg", b"", "image/jpeg"),
    ],
    ids=["gif", "bmp", "pdf", "fake-jpeg", "html-as-jpeg", "empty"],
)
def test_a_photo_that_is_not_an_accepted_image_is_refused(site, client, name, data, content_type):
    cases_before = Case.objects.count()
    response = client.post(FAULT, _fault(site, SimpleUploadedFile(name, data, content_type)))
    _refused_in_swedish(
        response, "kunde inte läsas som en bild", "Filen är tom", "Den skickade filen är tom"
    )
    assert Case.objects.count() == cases_before
    assert not CasePhoto.objects.exists()


def test_an_oversize_photo_is_refused_before_it_is_decoded(site, client, settings):
    settings.PHOTO_MAX_BYTES = 50_000
    big = image_bytes("PNG", (900, 900))[:10] + b"\0" * 60_000
    response = client.post(FAULT, _fault(site, SimpleUploadedFile("stor.png", big, "image/png")))
    _refused_in_swedish(response, "är för stor")
    assert Case.objects.count() == 1  # the fixture's own case only


def test_a_decompression_bomb_is_refused(site, client):
    """A tiny PNG that claims 60 million pixels is not decoded."""
    out = io.BytesIO()
    Image.new("1", (10_000, 6_000)).save(out, format="PNG")
    assert len(out.getvalue()) < 200_000
    response = client.post(
        FAULT, _fault(site, SimpleUploadedFile("bomb.png", out.getvalue(), "image/png"))
    )
    _refused_in_swedish(response, "för många bildpunkter", "kunde inte läsas som en bild")
    assert not CasePhoto.objects.exists()


def test_more_than_three_photos_are_refused(site, client):
    photos = [SimpleUploadedFile(f"b{n}.jpg", image_bytes("JPEG"), "image/jpeg") for n in range(4)]
    data = _fault(site, photos[0])
    data["photos"] = photos
    _refused_in_swedish(client.post(FAULT, data), "högst tre bilder")
    assert not CasePhoto.objects.exists()


def test_a_good_photo_is_accepted_and_stored_as_a_fresh_jpeg(site, client):
    """The other side of the tests above: validation does not refuse real photos."""
    response = client.post(
        FAULT, _fault(site, SimpleUploadedFile("IMG_1.png", image_bytes("PNG"), "image/png"))
    )
    assert response.status_code == 302
    photo = CasePhoto.objects.get()
    with photo.image.open("rb") as fh:
        assert fh.read(3) == b"\xff\xd8\xff"


# --- Goals: bulk reporting upload (XLSX) ----------------------------------------------------


@pytest.fixture
def reporter_upload(client):
    world = make_world()
    open_period(world)
    client.force_login(world.users["reporter"])
    url = f"/personal/uppfoljning/perioder/{world.period.pk}/ladda-upp/"
    return world, url


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("rapport.xlsx", b"PK\x03\x04" + b"trasig zip" * 50),
        ("rapport.xlsx", zip_bytes({"[Content_Types].xml": "<<<", "xl/workbook.xml": "<<"})),
        ("rapport.xlsx", b"%PDF-1.4 inte ett kalkylark"),
        ("rapport.csv", "Rapport-id;Status\n1;Slutfört\n".encode()),
        ("rapport.xlsx", zip_bytes({"word/document.xml": "<w/>"})),
    ],
    ids=["broken-zip", "malformed-xml", "pdf", "csv", "not-a-workbook"],
)
def test_bulk_report_upload_refuses_files_that_are_not_the_template(
    client, reporter_upload, name, data
):
    _world, url = reporter_upload
    before = list(
        Report.objects.order_by("pk").values_list("pk", "status", "assessment", "state", "version")
    )
    response = client.post(url, {"file": SimpleUploadedFile(name, data)})
    _refused_in_swedish(response, "kunde inte läsas som en Excel-fil", "har inte mallens kolumner")
    after = list(
        Report.objects.order_by("pk").values_list("pk", "status", "assessment", "state", "version")
    )
    assert after == before


def test_bulk_report_upload_refuses_an_oversize_file(client, reporter_upload):
    _world, url = reporter_upload
    big = b"PK\x03\x04" + b"\0" * (5 * 1024 * 1024 + 10)
    response = client.post(url, {"file": SimpleUploadedFile("stor.xlsx", big)})
    _refused_in_swedish(response, "för stor")


# --- Indicators: budget upload (XLSX or CSV) ------------------------------------------------


@pytest.fixture
def compiler_client(client, site):
    user = MembershipFactory(
        role=Role.COMPILER, organisation=None, user=UserFactory(username="sammanstallare")
    ).user
    client.force_login(user)
    return client


BUDGET = "/personal/indikatorer/budget/"


@pytest.mark.parametrize(
    ("name", "data", "phrase"),
    [
        ("budget.xlsx", b"PK\x03\x04" + b"trasig zip" * 50, "Filen kunde inte läsas"),
        (
            "budget.xlsx",
            zip_bytes({"[Content_Types].xml": "<<<", "xl/workbook.xml": "<<"}),
            "Filen kunde inte läsas",
        ),
        ("budget.xlsx", b"%PDF-1.4 inte ett kalkylark", "Filen kunde inte läsas"),
        ("budget.csv", b"", "tom"),
        ("budget.csv", bytes(range(256)) * 20, "kolumn"),
        ("budget.csv", "Nämnd;Antal katter\nSocialnämnden;3\n".encode(), "okänd kolumn"),
        ("budget.csv", "Nämnd;Nettokostnad (mnkr)\nGSN;mycket\n".encode(), "Rad 2"),
    ],
    ids=["broken-zip", "malformed-xml", "pdf", "empty", "binary", "wrong-column", "not-a-number"],
)
def test_budget_upload_refuses_bad_files_with_swedish_messages(compiler_client, name, data, phrase):
    response = compiler_client.post(
        BUDGET, {"year": 2024, "note": "", "file": SimpleUploadedFile(name, data)}
    )
    text = _refused_in_swedish(response, phrase)
    assert "Traceback" not in text
    assert not BudgetUpload.objects.exists()


def test_budget_upload_refuses_an_oversize_file(compiler_client):
    big = "Nämnd;Nettokostnad (mnkr)\n".encode() + b"GSN;1\n" * 900_000
    response = compiler_client.post(
        BUDGET, {"year": 2024, "note": "", "file": SimpleUploadedFile("stor.csv", big)}
    )
    _refused_in_swedish(response, "större än 5 MB")
    assert not BudgetUpload.objects.exists()


def test_a_csv_with_old_mac_line_endings_is_read(compiler_client, site):
    """Excel's "CSV (Macintosh)" ends lines with a lone CR; that is a budget, not an error."""
    data = "Nämnd;Nettokostnad (mnkr)\rGSN;12,5\r".encode("cp1252")
    response = compiler_client.post(
        BUDGET, {"year": 2024, "note": "", "file": SimpleUploadedFile("mac.csv", data)}
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert BudgetUpload.objects.get().lines.count() == 1
