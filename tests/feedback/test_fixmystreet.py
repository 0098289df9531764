"""FixMyStreet / FixaMinGata as an Open311 client of Insyn, replayed as its client sends the
requests (perllib/Open311.pm: form-encoded POSTs with jurisdiction_id and api_key, multipart
`photo1`…`photoN` with `upload_files`/`always_upload_photos`, `attribute[code]` answers, the
FixaMinGata description format) and read as it reads the answers (XML::Simple over
`service_requests/request/service_request_id`, `service_requests_updates/request_update`, ...).
"""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from insyn.feedback import services
from insyn.feedback.models import Case, CasePhoto, CaseStatus, PublicState
from tests.feedback.conftest import CENTRUM, jpeg_bytes

pytestmark = pytest.mark.django_db

BASE = "/open311/v2/"


@pytest.fixture
def fms(setup, settings):
    """FixaMinGata's endpoint settings as a municipality enters them: endpoint, jurisdiction,
    api_key (issued in Insyn's back office)."""
    settings.FEEDBACK_OPEN311_JURISDICTION = "uppsala.se"
    key = services.issue_api_key(name="FixaMinGata", rate_per_minute=1000)[1]
    return {"jurisdiction_id": "uppsala.se", "api_key": key}


def xml(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)


def photo(name, *, gps=True):
    return SimpleUploadedFile(name, jpeg_bytes(gps=gps), content_type="image/jpeg")


def fms_report(fms, **extra):
    """The parameters _populate_service_request_params builds for a FixaMinGata report."""
    return {
        "jurisdiction_id": fms["jurisdiction_id"],
        "api_key": fms["api_key"],
        "service_code": "gatubelysning",
        "description": (
            "Titel: Trasig gatlampa\n\nBeskrivning: Lampan blinkar hela natten.\n\n"
            "Länk till ärendet: https://www.fixamingata.se/report/4711\n\nSkickad via FixaMinGata\n"
        ),
        "first_name": "Anna",
        "last_name": "Andersson",
        "email": "anna@example.org",
        "phone": "070-123 45 67",
        "lat": f"{CENTRUM[0]:.6f}",
        "long": f"{CENTRUM[1]:.6f}",
        "media_url": "https://www.fixamingata.se/photo/4711.0.full.jpeg",
        "attribute[stolpnummer]": "S-1234",
        "attribute[antal]": "1",
        **extra,
    }


def test_service_list_and_definitions_as_fixmystreet_reads_them(setup, client, fms):
    root = xml(client.get(BASE + "services.xml", {"jurisdiction_id": fms["jurisdiction_id"]}))
    assert root.tag == "services"
    services_by_code = {s.findtext("service_code"): s for s in root.findall("service")}
    light = services_by_code["gatubelysning"]
    # what FixMyStreet's open311-populate-service-list reads of each service
    assert light.findtext("service_name") == "Gatubelysning"
    assert light.findtext("metadata") == "true" and light.findtext("type") == "realtime"
    assert services_by_code["potthal"].findtext("metadata") == "false"
    definition = xml(
        client.get(BASE + "services/gatubelysning.xml", {"jurisdiction_id": "uppsala.se"})
    )
    assert definition.tag == "service_definition"
    assert definition.findtext("service_code") == "gatubelysning"
    attributes = {a.findtext("code"): a for a in definition.findall("attributes/attribute")}
    antal = attributes["antal"]
    assert antal.findtext("variable") == "true"
    assert antal.findtext("datatype") == "singlevaluelist"
    assert antal.findtext("required") == "true"
    assert antal.findtext("order") and antal.findtext("description")
    assert [v.findtext("key") for v in antal.findall("values/value")] == ["1", "fler"]
    assert [v.findtext("name") for v in antal.findall("values/value")] == ["En", "Fler"]


def test_report_with_attributes_and_multipart_photos(setup, client, fms):
    response = client.post(
        BASE + "requests.xml",
        {**fms_report(fms), "photo1": photo("4711.0.jpeg"), "photo2": photo("4711.1.jpeg")},
    )
    root = xml(response)
    # FixMyStreet: $obj->{request}->[0]->{service_request_id}
    number = root.findtext("request/service_request_id")
    case = Case.objects.get(number=number)
    assert case.attributes == {"stolpnummer": "S-1234", "antal": "1"}
    assert case.contact_name == "Anna Andersson" and case.contact_email == "anna@example.org"
    assert "Skickad via FixaMinGata" in case.description
    # media_url is kept as a link and never fetched by the server
    assert case.external_media_url == "https://www.fixamingata.se/photo/4711.0.full.jpeg"
    # the photos are stored like the form's: re-encoded JPEG, no EXIF (GPS, camera, text)
    photos = list(CasePhoto.objects.filter(case=case).order_by("pk"))
    assert len(photos) == 2
    for item in photos:
        with item.image.open("rb") as fh:
            img = Image.open(io.BytesIO(fh.read()))
        assert img.format == "JPEG"
        assert not img.getexif(), dict(img.getexif())
        assert b"Telefonmakaren" not in item.image.open("rb").read()


@pytest.mark.parametrize(
    ("files", "needle"),
    [
        ({"photo1": SimpleUploadedFile("x.jpeg", b"not an image", "image/jpeg")}, "Bild"),
        ({f"photo{i}": photo(f"{i}.jpeg", gps=False) for i in range(1, 5)}, "högst tre"),
    ],
)
def test_a_bad_photo_is_a_swedish_error_and_nothing_is_saved(setup, client, fms, files, needle):
    response = client.post(BASE + "requests.xml", {**fms_report(fms), **files})
    assert response.status_code == 400
    root = ET.fromstring(response.content)
    assert root.tag == "errors" and needle.lower() in root.findtext("error/description").lower()
    assert not Case.objects.exists() and not CasePhoto.objects.exists()


def test_updates_both_ways(setup, client, fms):
    number = xml(client.post(BASE + "requests.xml", fms_report(fms))).findtext(
        "request/service_request_id"
    )
    case = Case.objects.get(number=number)
    services.moderate(
        case=case,
        public_description="Trasig gatlampa",
        public_address="Kungsgatan",
        state=PublicState.PUBLISHED,
        by=setup.users["cc"],
    )
    # Insyn → FixMyStreet: the staff's answer appears among the updates FixMyStreet fetches
    # (fetch-comments: start_date and end_date, api_key, jurisdiction_id).
    services.answer(
        case=case,
        body="Vi byter lampan i veckan.",
        status=CaseStatus.IN_PROGRESS,
        by=setup.users["cc"],
    )
    root = xml(
        client.get(
            BASE + "servicerequestupdates.xml",
            {
                "jurisdiction_id": "uppsala.se",
                "api_key": fms["api_key"],
                # fetch-comments asks for the time since its last run
                "start_date": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
                "end_date": (timezone.now() + dt.timedelta(minutes=1)).isoformat(),
            },
        )
    )
    assert root.tag == "service_requests_updates"
    updates = [
        u for u in root.findall("request_update") if u.findtext("service_request_id") == number
    ]
    answer = [u for u in updates if "Vi byter lampan" in (u.findtext("description") or "")]
    assert answer, ET.tostring(root)
    # FixMyStreet's map_state: lower-case, "_" to " " → its own state "in progress"
    assert answer[0].findtext("status") == "in_progress"
    assert answer[0].findtext("update_id") and answer[0].findtext("updated_datetime")

    # FixMyStreet → Insyn: a resident's comment on FixaMinGata, with a photo
    # (_populate_service_request_update_params; multipart with upload_files).
    response = client.post(
        BASE + "servicerequestupdates.xml",
        {
            "jurisdiction_id": "uppsala.se",
            "api_key": fms["api_key"],
            "service_request_id": number,
            "update_id": "98765",
            "updated_datetime": "2026-12-04T10:00:00+01:00",
            "status": "OPEN",
            "description": "Lampan blinkar fortfarande.",
            "first_name": "Anna",
            "last_name": "Andersson",
            "email": "anna@example.org",
            "media_url": "https://www.fixamingata.se/photo/c/98765.0.full.jpeg",
            "photo1": photo("98765.0.jpeg"),
        },
    )
    root = xml(response)
    # FixMyStreet: $obj->{request_update}->[0]->{update_id}
    assert root.tag == "service_request_updates" and root.findtext("request_update/update_id")
    event = case.events.get(external_id="98765")
    assert "Lampan blinkar fortfarande." in event.body
    # the update's photo is stored like the form's, hidden until staff look at it
    extra = CasePhoto.objects.filter(case=case).order_by("-pk").first()
    assert extra is not None and extra.hidden
    # a repeated update (FixMyStreet retries) adds nothing
    again = client.post(
        BASE + "servicerequestupdates.xml",
        {
            "jurisdiction_id": "uppsala.se",
            "api_key": fms["api_key"],
            "service_request_id": number,
            "update_id": "98765",
            "status": "OPEN",
            "description": "Lampan blinkar fortfarande.",
        },
    )
    assert xml(again).findtext("request_update/update_id") == root.findtext(
        "request_update/update_id"
    )
    assert case.events.filter(external_id="98765").count() == 1


def test_fetching_reports_by_id_as_fixmystreet_does(setup, client, fms):
    numbers = [
        xml(client.post(BASE + "requests.xml", fms_report(fms))).findtext(
            "request/service_request_id"
        )
        for _ in range(2)
    ]
    root = xml(
        client.get(
            BASE + "requests.xml",
            {
                "jurisdiction_id": "uppsala.se",
                "api_key": fms["api_key"],
                "service_request_id": ",".join(numbers),
            },
        )
    )
    assert root.tag == "service_requests"
    found = {r.findtext("service_request_id"): r for r in root.findall("request")}
    assert set(found) == set(numbers)
    for item in found.values():
        assert item.findtext("status") == "open"
        assert item.findtext("service_code") == "gatubelysning"
        assert item.findtext("lat") and item.findtext("long")
