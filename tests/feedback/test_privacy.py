"""Privacy: what the public list, a report page and a tracking page may show."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insyn.core.errors import ServiceError
from insyn.feedback import services
from insyn.feedback.models import Case, Kind, PublicState
from insyn.feedback.privacy import (
    EMAIL_MASK,
    PHONE_MASK,
    PNR_MASK,
    mask_personal_data,
)
from tests.feedback.conftest import CENTRUM

pytestmark = pytest.mark.django_db

SECRET = "Anna Andersson, anna.andersson@example.org, 070-123 45 67, 19850312-1234"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mejla mig på anna.b+test@post.example.se tack", f"Mejla mig på {EMAIL_MASK} tack"),
        ("Ring 070-123 45 67", f"Ring {PHONE_MASK}"),
        ("Ring 018-727 00 00 eller +46 70 123 45 67", f"Ring {PHONE_MASK} eller {PHONE_MASK}"),
        ("tel 0739876543.", f"tel {PHONE_MASK}."),
        ("Mitt pnr är 850312-1234", f"Mitt pnr är {PNR_MASK}"),
        ("Personnummer 198503121234", f"Personnummer {PNR_MASK}"),
        ("Samordningsnr 850372-1234", f"Samordningsnr {PNR_MASK}"),
        ("Kungsgatan 12, 753 21 Uppsala", "Kungsgatan 12, 753 21 Uppsala"),
        ("Lampa nr 4711 sedan 2024-03-01", "Lampa nr 4711 sedan 2024-03-01"),
    ],
)
def test_masking(text, expected):
    assert mask_personal_data(text) == expected


@given(st.text(max_size=200), st.emails(), st.from_regex(r"07\d-\d{3} \d{2} \d{2}", fullmatch=True))
def test_masking_removes_any_email_and_mobile_number(prefix, email, phone):
    masked = mask_personal_data(f"{prefix} {email} och {phone} ")
    assert email not in masked and phone not in masked
    assert mask_personal_data(masked) == masked  # idempotent


def make(setup, **kwargs):
    defaults = {
        "kind": Kind.FAULT,
        "category": setup.potholes,
        "lat": CENTRUM[0],
        "long": CENTRUM[1],
        "description": f"Hål i gatan. {SECRET}",
        "address_text": "Utanför Annas port, Kungsgatan 12",
        "contact_name": "Anna Andersson",
        "contact_email": "anna@example.org",
        "contact_phone": "070-123 45 67",
    }
    defaults.update(kwargs)
    return services.create_case(**defaults)


def test_unmoderated_and_personal_cases_never_public(setup, client):
    fault = make(setup).case
    complaint = make(setup, kind=Kind.COMPLAINT, category=setup.idea).case
    listing = client.get("/synpunkter/felanmalningar/").content.decode()
    assert fault.number not in listing and complaint.number not in listing
    assert client.get(f"/synpunkter/felanmalningar/{fault.number}/").status_code == 404
    assert client.get(f"/synpunkter/felanmalningar/{complaint.number}/").status_code == 404
    with pytest.raises(ServiceError):
        services.moderate(
            case=complaint,
            public_description="x",
            public_address="",
            state=PublicState.PUBLISHED,
            by=None,
        )


def test_published_report_shows_only_moderated_masked_text(setup, client):
    case = make(setup).case
    assert "anna.andersson@example.org" not in case.public_description  # masked at intake
    services.moderate(
        case=case,
        public_description=f"Hål i gatan. Kontakta {SECRET}",
        public_address="Kungsgatan",
        state=PublicState.PUBLISHED,
        by=None,
    )
    for url in (
        "/synpunkter/felanmalningar/",
        f"/synpunkter/felanmalningar/{case.number}/",
        "/open311/v2/requests.json",
        "/open311/v2/requests.xml",
    ):
        text = client.get(url).content.decode()
        assert case.number in text, url
        for secret in (
            "anna.andersson@example.org",
            "070-123 45 67",
            "19850312-1234",
            "anna@example.org",
            "Annas port",
        ):
            assert secret not in text, (url, secret)


def test_tracking_page_of_a_follower_shows_nothing_of_the_reporter(setup, client):
    receipt = make(setup)
    services.moderate(
        case=receipt.case,
        public_description="Hål i gatan",
        public_address="Kungsgatan",
        state="published",
        by=setup.users["cc"],
    )
    token = services.follow_case(case=receipt.case, email="granne@example.org")
    text = client.get(f"/synpunkter/arende/{token}/").content.decode()
    assert receipt.case.number in text
    for secret in ("Anna", "anna@example.org", "070-123", "19850312", "Kungsgatan 12"):
        assert secret not in text, secret
    # The reporter sees their own text, but never the follower's address.
    own = client.get(f"/synpunkter/arende/{receipt.token}/").content.decode()
    assert "Hål i gatan" in own and "granne@example.org" not in own
    assert "anna@example.org" not in own  # contact details are not echoed back either


def test_tracking_page_is_not_cached_or_indexed(setup, client):
    receipt = make(setup)
    response = client.get(f"/synpunkter/arende/{receipt.token}/")
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    # The token never leaves the site; same-origin (not no-referrer) so that the page's own
    # buttons keep their Origin for the CSRF check (test_browser: private link buttons).
    assert response["Referrer-Policy"] == "same-origin"


def test_photos_public_only_when_published_and_not_hidden(setup, client):
    from insyn.core.images import clean_image_bytes
    from tests.feedback.conftest import jpeg_bytes

    case = make(setup, photos=[clean_image_bytes(jpeg_bytes())]).case
    photo = case.photos.get()
    url = f"/synpunkter/bild/{photo.uuid}/"
    assert client.get(url).status_code == 404
    services.moderate(
        case=case, public_description="Hål", public_address="", state=PublicState.PUBLISHED, by=None
    )
    assert client.get(url).status_code == 200
    services.set_photo_hidden(photo=photo, hidden=True, by=None)
    assert client.get(url).status_code == 404
    # The original is a staff page.
    assert client.get(f"/personal/arenden/bild/{photo.uuid}/").status_code == 302


def test_merged_duplicates_disappear_from_the_public_list(setup, client):
    a, b = make(setup).case, make(setup).case
    for case in (a, b):
        services.moderate(
            case=case,
            public_description="Hål",
            public_address="",
            state=PublicState.PUBLISHED,
            by=None,
        )
    services.merge(duplicate=b, into=a, by=None)
    text = client.get("/synpunkter/felanmalningar/").content.decode()
    assert a.number in text and b.number not in text
    assert Case.objects.get(pk=b.pk).public_state == PublicState.HIDDEN
