"""Every feedback page is valid HTML according to the Nu HTML Checker (vnu.jar), when it is
installed (make test-e2e installs it); skipped otherwise."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from insyn.core.images import clean_image_bytes
from insyn.feedback import services
from insyn.feedback.models import CaseStatus, Kind, PublicState
from tests.feedback.conftest import CENTRUM, jpeg_bytes

pytestmark = pytest.mark.django_db

VNU_JAR = Path(__file__).resolve().parents[2] / "node_modules/vnu-jar/build/dist/vnu.jar"


def test_pages_are_valid_html(setup, client, cc_client_factory, tmp_path):
    if not VNU_JAR.exists() or shutil.which("java") is None:
        pytest.skip("vnu.jar or java missing")
    receipt = services.create_case(
        kind=Kind.FAULT,
        category=setup.potholes,
        description="Hål",
        lat=CENTRUM[0],
        long=CENTRUM[1],
        address_text="Torget",
        photos=[clean_image_bytes(jpeg_bytes())],
        contact_email="a@example.org",
    )
    case = receipt.case
    services.moderate(
        case=case,
        public_description="Hål i gatan",
        public_address="Torget",
        state=PublicState.PUBLISHED,
        by=None,
    )
    services.answer(case=case, body="Vi lagar det.", by=None)
    services.change_status(case=case, status=CaseStatus.RESOLVED, by=None)
    public = [
        "/synpunkter/",
        "/synpunkter/felanmalan/",
        f"/synpunkter/felanmalan/?category={setup.potholes.pk}&lat={CENTRUM[0]}&long={CENTRUM[1]}",
        "/synpunkter/felanmalan/?category=&lat=90",
        "/synpunkter/lamna/?typ=ide",
        "/synpunkter/felanmalningar/",
        f"/synpunkter/felanmalningar/{case.number}/",
        f"/synpunkter/arende/{receipt.token}/",
    ]
    pages = {url: client.get(url).content.decode() for url in public}
    pages["give with errors"] = client.post("/synpunkter/lamna/", {}).content.decode()
    client.post(
        "/synpunkter/felanmalan/skicka/",
        {"category": setup.potholes.pk, "address_text": "Torget", "description": "x"},
    )
    pages["receipt"] = client.get("/synpunkter/kvitto/").content.decode()
    staff = cc_client_factory()
    for url in (
        "/personal/arenden/",
        f"/personal/arenden/{case.number}/",
        "/personal/arenden/nytt/",
        "/personal/arenden/statistik/",
        "/personal/arenden/fordelning/",
        "/personal/arenden/teman/",
    ):
        pages[url] = staff.get(url).content.decode()
    files = {}
    for n, (url, html) in enumerate(pages.items()):
        assert "<html" in html, url
        path = tmp_path / f"page-{n:02d}.html"
        path.write_text(html, encoding="utf-8")
        files[path.name] = url
    result = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU_JAR),
            "--errors-only",
            "--format",
            "json",
            *[str(tmp_path / name) for name in files],
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = [
        f"{files.get(Path(m.get('url', '')).name, m.get('url'))} line {m.get('lastLine')}: "
        f"{m['message']}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert not errors, "\n".join(errors[:50])
