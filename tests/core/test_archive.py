"""`insyn archive-period`: an e-archive package of a published period, opened and checked the way
an archivist would — every checksum, metadata.xml parsed, each format opened with its library —
and nothing unpublished or personal inside."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

import insyn
from insyn.core import eark
from insyn.goals import services
from insyn.goals.models import PeriodState, Report, Status
from insyn.opendata.archive import NAMESPACE, ArchiveError, verify_archive
from tests.factories import UserFactory
from tests.world import NOT_SUBMITTED, SECRET, build_world

pytestmark = pytest.mark.django_db
NS = {"a": NAMESPACE}


@pytest.fixture
def world(settings, tmp_path):
    settings.SITE_URL = "https://insyn.example.se"
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world(goals=2, assignments=3)


@pytest.fixture
def corrected(world):
    """The August period, published, then corrected once (a new visible version)."""
    assignment = world.assignments[0]
    compiled = Report.objects.get(
        period=world.august, assignment=assignment, organisation__isnull=True
    )
    services.compiled_save(
        period=world.august,
        assignment=assignment,
        status=Status.DELAYED,
        assessment=compiled.assessment + " Rättat: leveransen är försenad.",
        by=UserFactory(username="sammanstallare"),
        note="Statusen var fel i den publicerade versionen.",
    )
    return world


def make(period_id: int, output: Path) -> Path:
    out = io.StringIO()
    call_command("archive_period", str(period_id), "--output", str(output), stdout=out)
    path = Path(out.getvalue().strip())
    assert path.is_file()
    return path


DATA = "representations/rep1/data/"
META = "metadata/descriptive/"


def read_all(path: Path) -> dict[str, bytes]:
    """Every file of the package by its path inside the package's one root folder; content files
    also by their path inside the representation's data folder (as metadata.json lists them)."""
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        root = (
            path.stem if path.stem in {n.split("/")[0] for n in names} else names[0].split("/")[0]
        )
        assert all(n.startswith(f"{root}/") for n in names), "one root folder"
        files = {n.removeprefix(f"{root}/"): archive.read(n) for n in names}
    for name in list(files):
        if name.startswith(DATA):
            files[name.removeprefix(DATA)] = files[name]
        elif name.startswith(META):
            files[name.removeprefix(META)] = files[name]
    return files


def package_files(files: dict[str, bytes]) -> dict[str, bytes]:
    """Only the package's real paths (without the short aliases read_all adds)."""
    return {
        n: d
        for n, d in files.items()
        if n == "METS.xml"
        or n.split("/")[0] in ("metadata", "representations", "schemas", "documentation")
    }


def pdf_text(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated (metadata and object streams)."""
    parts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.S):
        with contextlib.suppress(zlib.error):
            parts.append(zlib.decompress(stream))
    return b"\n".join(parts)


def test_the_package_has_metadata_checksums_and_every_part(corrected, tmp_path):
    world = corrected
    path = make(world.august.pk, tmp_path)
    assert path.parent == tmp_path and path.name.startswith("insyn-0380-uppfoljning-2023-")
    files = read_all(path)

    metadata = json.loads(files["metadata.json"])
    assert metadata["creator_system"] == f"Insyn {insyn.__version__}"
    assert metadata["municipality"] == {"name": "Uppsala kommun", "code": "0380"}
    assert metadata["plan"]["year"] == 2023 and metadata["plan"]["title"] == world.plan.title
    assert metadata["period"]["id"] == world.august.pk
    assert metadata["period"]["label"] == world.august.label
    published = dt.datetime.fromisoformat(metadata["period"]["published_at"])
    assert abs(published - world.august.published_at) < dt.timedelta(milliseconds=1)
    assert metadata["package_id"].startswith("urn:uuid:")

    # Versions: the publication, then the correction with its note and what changed.
    assert metadata["version"] == 2
    first, second = metadata["versions"]
    assert first["version"] == 1 and second["version"] == 2
    assert second["note"] == "Statusen var fel i den publicerade versionen."
    status_change = next(c for c in second["changes"] if c["field"] == "status")
    assert status_change["after"] == "Försenat" and status_change["label"]
    assert second["concerns"]["assignment_id"] == world.assignments[0].pk

    # Every content file is listed with a correct SHA-256, size and format; nothing unlisted.
    listed = {item["path"]: item for item in metadata["files"]}
    for name, item in listed.items():
        assert hashlib.sha256(files[name]).hexdigest() == item["sha256"], name
        assert len(files[name]) == item["size"], name
        assert item["mimetype"] and item["format"] and item["role"], name
    content = {n.removeprefix(DATA) for n in package_files(files) if n.startswith(DATA)}
    assert content == set(listed)

    # The E-ARK structure: METS files list every file with its checksum; PREMIS too.
    real = package_files(files)
    assert eark.verify(real) == []
    assert {
        "METS.xml",
        "metadata/descriptive/metadata.json",
        "metadata/descriptive/metadata.xml",
        "metadata/preservation/premis.xml",
        "representations/rep1/METS.xml",
        "schemas/mets.xsd",
    } <= set(real)
    premis = files["metadata/preservation/premis.xml"].decode()
    for name in listed:
        assert hashlib.sha256(files[name]).hexdigest() in premis, name

    # The parts: PDF, XLSX, CSV, the API's JSON for plan, period, reports, goals and
    # assignments, and the public pages.
    names = set(files)
    kinds = {Path(n).suffix for n in names}
    assert {".pdf", ".xlsx", ".csv", ".json", ".html", ".xml", ".xsd"} <= kinds
    assert {
        "data/plan.json",
        "data/period.json",
        "data/period-reports.json",
        "html/uppfoljning.html",
    } <= names
    for goal in world.goals:
        assert f"data/mal/mal-{goal.number}.json" in names
        assert f"html/mal/mal-{goal.number}.html" in names
    for assignment in world.assignments:
        assert f"data/uppdrag/uppdrag-{assignment.pk}.json" in names
    assert verify_archive(path)["package_id"] == metadata["package_id"]


def test_metadata_xml_says_the_same_as_metadata_json(corrected, tmp_path):
    files = read_all(make(corrected.august.pk, tmp_path))
    metadata = json.loads(files["metadata.json"])
    root = ET.fromstring(files["metadata.xml"])
    assert root.tag == f"{{{NAMESPACE}}}arkivpaket"
    assert root.get("id") == metadata["package_id"]
    assert root.find("a:skapandesystem", NS).text == f"Insyn {insyn.__version__}"
    kommun = root.find("a:kommun", NS)
    assert kommun.text == "Uppsala kommun" and kommun.get("kod") == "0380"
    period = root.find("a:period", NS)
    assert period.get("id") == str(corrected.august.pk) and period.get("publicerad")
    assert root.find("a:plan", NS).get("ar") == "2023"
    versions = root.findall("a:versioner/a:version", NS)
    assert [v.get("nummer") for v in versions] == ["1", "2"]
    assert versions[1].find("a:anteckning", NS).text.startswith("Statusen var fel")
    assert versions[1].find("a:andring", NS).get("falt") == "status"
    xml_files = {f.get("sokvag"): f for f in root.findall("a:filer/a:fil", NS)}
    assert set(xml_files) == {item["path"] for item in metadata["files"]}
    for item in metadata["files"]:
        node = xml_files[item["path"]]
        assert node.get("sha256") == item["sha256"]
        assert node.get("sha256") == hashlib.sha256(files[item["path"]]).hexdigest()
        assert node.get("storlek") == str(item["size"])
        assert node.get("mimetyp") == item["mimetype"]


def test_each_file_opens_in_its_format(world, tmp_path):
    files = read_all(make(world.august.pk, tmp_path))
    metadata = json.loads(files["metadata.json"])
    by_suffix = {Path(item["path"]).suffix: item for item in metadata["files"]}

    pdf = files[by_suffix[".pdf"]["path"]]
    assert pdf.startswith(b"%PDF")
    assert b'pdfaid:part="2"' in pdf_text(pdf) or b"<pdfaid:part>2<" in pdf_text(pdf), (
        "the PDF declares PDF/A-2 conformance in its XMP metadata"
    )
    assert b"/GTS_PDFA1" in pdf_text(pdf), "with a PDF/A output intent"
    assert by_suffix[".pdf"]["format"].startswith("PDF/A")

    workbook = load_workbook(io.BytesIO(files[by_suffix[".xlsx"]["path"]]), read_only=True)
    rows = list(workbook["Uppdrag"].iter_rows(values_only=True))
    assert len(rows) == 1 + len(world.assignments)

    text = files[by_suffix[".csv"]["path"]].decode("utf-8")
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert table[0][0] == "Plan" and len(table) == 1 + len(world.assignments)

    period = json.loads(files["data/period.json"])
    assert period["id"] == world.august.pk
    reports = json.loads(files["data/period-reports.json"])
    assert reports["count"] == len(reports["results"]) > 0
    goal = json.loads(files[f"data/mal/mal-{world.goals[0].number}.json"])
    assert goal["number"] == world.goals[0].number
    assert goal["url"] == f"https://insyn.example.se/api/v1/plans/2023/goals/{goal['number']}"

    page = files[f"html/mal/mal-{world.goals[0].number}.html"].decode()
    assert page.startswith("<!doctype html>") and world.goals[0].title in page
    assert 'href="../static/insyn/site.css"' in page
    assert "html/static/insyn/site.css" in files
    assert 'href="https://insyn.example.se/' in page, "links to other pages are citations"
    overview = files["html/uppfoljning.html"].decode()
    assert f'href="mal/mal-{world.goals[0].number}.html"' in overview, "archived pages link"
    assert 'href="static/insyn/site.css"' in overview
    assert "csrfmiddlewaretoken" not in page


def test_the_package_holds_nothing_unpublished_or_personal(corrected, tmp_path):
    files = read_all(make(corrected.august.pk, tmp_path))
    for name, data in files.items():
        if name.endswith((".pdf", ".xlsx")):
            continue  # compressed: their text is checked through the CSV and JSON of the same
        text = data.decode("utf-8", errors="replace")
        assert SECRET not in text, name
        assert NOT_SUBMITTED not in text, name
        assert "sammanstallare" not in text, f"{name}: a user name"
        assert "@example.org" not in text, f"{name}: an e-mail address"


def test_unpublished_periods_are_refused_in_swedish(world, tmp_path):
    assert world.draft.state == PeriodState.OPEN
    with pytest.raises(CommandError, match="inte publicerad") as error:
        call_command("archive_period", str(world.draft.pk), "--output", str(tmp_path))
    assert "Bara publicerade perioder kan arkiveras" in str(error.value)
    with pytest.raises(CommandError, match="Det finns ingen uppföljningsperiod med id 987654"):
        call_command("archive_period", "987654", "--output", str(tmp_path))
    assert list(tmp_path.iterdir()) == [], "nothing is written, not even a partial file"


def test_output_may_name_the_file(world, tmp_path):
    target = tmp_path / "arkiv" / "augusti-2023.zip"
    path = make(world.august.pk, target)
    assert path == target
    assert [p.name for p in target.parent.iterdir()] == ["augusti-2023.zip"]


def test_a_changed_file_is_detected(world, tmp_path):
    path = make(world.august.pk, tmp_path)
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    for changed, message in (
        ("/representations/rep1/data/data/period.json", r"data/period\.json har ändrats"),
        ("/metadata/descriptive/metadata.xml", r"metadata\.xml har ändrats"),
        ("/schemas/mets.xsd", r"mets\.xsd har ändrats"),
    ):
        tampered = tmp_path / "andrad.zip"
        with zipfile.ZipFile(tampered, "w") as archive:
            for name, data in files.items():
                archive.writestr(name, data + b" " if name.endswith(changed) else data)
        with pytest.raises(ArchiveError, match=message):
            verify_archive(tampered)


def test_a_missing_or_extra_file_is_detected(world, tmp_path):
    path = make(world.august.pk, tmp_path)
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    root = next(iter(files)).split("/")[0]
    tampered = tmp_path / "andrad.zip"
    with zipfile.ZipFile(tampered, "w") as archive:
        for name, data in files.items():
            if not name.endswith("data/period.json"):
                archive.writestr(name, data)
        archive.writestr(f"{root}/representations/rep1/data/extra.txt", b"x")
    with pytest.raises(ArchiveError) as error:
        verify_archive(tampered)
    assert "data/period.json saknas" in str(error.value)
    assert "extra.txt finns i paketet men inte i METS" in str(error.value)


VOCABULARIES = Path(__file__).parent / "data" / "eark-vocabularies"
# In eark-validator 1.1.3 the SIP profile's rules for a CREATOR agent (SIP11: TYPE must be
# ORGANIZATION or INDIVIDUAL; SIP14: an IDENTIFICATIONCODE note) apply to the same agent that
# CSIP10–16 require to be TYPE="OTHER" OTHERTYPE="SOFTWARE" with a SOFTWARE VERSION note: no
# package can meet both. The package follows CSIP (the software agent) and names the
# municipality as ARCHIVIST; only these two contradictory SIP rules are not counted.
CONTRADICTORY_SIP_RULES = {"SIP11", "SIP14"}


def _eark_validator():
    """eark_validator.packages, imported with the CSIP vocabularies it downloads at import time
    served from the copies in tests/core/data (no network here)."""
    import sys
    import urllib.request

    if "eark_validator.packages" in sys.modules:
        return sys.modules["eark_validator.packages"]
    pytest.importorskip("eark_validator")

    def local(url: str, *args, **kwargs):
        return io.BytesIO((VOCABULARIES / url.rsplit("/", 1)[1]).read_bytes())

    real = urllib.request.urlopen
    urllib.request.urlopen = local
    try:
        import eark_validator.packages
    finally:
        urllib.request.urlopen = real
    return eark_validator.packages


def test_the_package_is_a_valid_e_ark_sip(corrected, tmp_path):
    """Validated with the E-ARK validator (eark-validator, the DILCIS board's reference
    implementation): the CSIP folder structure, the METS schema and the CSIP and SIP rules,
    with zero errors."""
    packages = _eark_validator()
    from eark_validator.model.validation_report import Severity

    path = make(corrected.august.pk, tmp_path)
    unpacked = tmp_path / "uppackat"
    with zipfile.ZipFile(path) as archive:
        archive.extractall(unpacked)  # the validator would unpack a ZIP into /tmp and leave it
    [root] = list(unpacked.iterdir())
    report = packages.PackageValidator(root).validation_report
    messages = [
        *report.structure.messages,
        *report.metadata.schema_results.messages,
        *report.metadata.schematron_results.messages,
    ]
    errors = [
        (m.rule_id, m.message, m.location)
        for m in messages
        if m.severity == Severity.ERROR and m.rule_id not in CONTRADICTORY_SIP_RULES
    ]
    assert not errors, errors
    assert report.structure.status.value == "WellFormed"
    assert report.metadata.schema_results.status.value == "VALID"
    assert report.package.details.oaispackagetype == "SIP"


def test_the_command_runs_as_insyn_archive_period(world, tmp_path, capsys, monkeypatch):
    """The hyphenated name works through the insyn console command; a refusal exits 1."""
    from django.db import connections

    from insyn import cli

    # run_from_argv closes the connections when it is done: not the test's transaction.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    cli.main(["insyn", "archive-period", str(world.april.pk), "-o", str(tmp_path)])
    path = Path(capsys.readouterr().out.strip())
    assert json.loads(read_all(path)["metadata.json"])["version"] == 1
    assert path.name.endswith(".zip")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["insyn", "archive-period", str(world.draft.pk), "-o", str(tmp_path)])
    assert exit_info.value.code == 1
    assert "är inte publicerad" in capsys.readouterr().err
