"""An e-archive package of a published follow-up period (`insyn archive-period`).

The municipality must deliver what it published to its e-archive (e-arkiv) in formats that last,
with metadata that say what each file is and checksums that prove it is unchanged. The package
is an E-ARK information package (CSIP 2.1 with the SIP profile, the structure Riksarkivet's FGS
Paketstruktur builds on; see insyn.core.eark), zipped under one root folder named as the package:

    METS.xml                                  the package (METS, CSIP/SIP profile)
    metadata/descriptive/metadata.json        the package description (below), as JSON
    metadata/descriptive/metadata.xml         the same as XML (namespace ``NAMESPACE``)
    metadata/preservation/premis.xml          PREMIS 3: fixity, size and format of every file
    representations/rep1/METS.xml             the content's own METS
    representations/rep1/data/uppfoljning/…   the published follow-up as the PDF report
                                              (PDF/A-2b when possible), XLSX and CSV
    representations/rep1/data/data/…json      the open-data API's JSON: the plan, the period,
                                              every report of the period, every goal and
                                              every assignment of the plan
    representations/rep1/data/html/…html      the public pages: the period page and each
                                              goal's page, with their stylesheets
    schemas/                                  the XML schemas the METS files use

The package description holds: package id and name, when it was made and by which system
("Insyn <version>"), the municipality (name and code), the plan, the period (published_at), its
versions (version 1 is the publication; every correction after it is a version with its note and
what changed), and for every content file its path (inside the representation's data folder),
role, size, SHA-256 and format (MIME type and a format name).

Only PUBLISHED periods can be archived; everything in the package is what the public site, the
API and the export URLs already show (nothing unpublished, no personal data). The content is
produced by the same functions as the site: `insyn.goals.exports` for PDF/XLSX/CSV,
`insyn.opendata.selectors` for the JSON, and the public views themselves for the HTML.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import posixpath
import re
import tempfile
import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, QueryDict
from django.urls import resolve, reverse
from django.utils import timezone, translation

import insyn
from insyn.core import eark
from insyn.goals import exports
from insyn.goals.models import Assignment, FollowUpPeriod, Goal, PeriodState
from insyn.goals.selectors import corrections_for_period
from insyn.opendata import selectors as api
from insyn.organisations.selectors import current_municipality

FORMAT_NAME = "insyn-e-arkivpaket"
FORMAT_VERSION = 2  # 2: an E-ARK (CSIP/SIP) package; 1 was a ZIP of our own design
NAMESPACE = "urn:x-insyn:arkivpaket:1"
METADATA_JSON = "metadata/descriptive/metadata.json"
METADATA_XML = "metadata/descriptive/metadata.xml"
DATA_PREFIX = f"representations/{eark.REPRESENTATION}/data/"
PDF_VARIANT = "pdf/a-2b"

FORMATS = {
    ".pdf": ("application/pdf", "PDF/A-2b (ISO 19005-2)"),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Office Open XML-kalkylblad (ISO/IEC 29500)",
    ),
    ".csv": ("text/csv; charset=utf-8", "CSV (RFC 4180), UTF-8 med BOM"),
    ".json": ("application/json", "JSON (RFC 8259), UTF-8"),
    ".html": ("text/html; charset=utf-8", "HTML5, UTF-8"),
    ".css": ("text/css; charset=utf-8", "CSS, UTF-8"),
    ".svg": ("image/svg+xml", "SVG 1.1"),
    ".js": ("text/javascript; charset=utf-8", "JavaScript, UTF-8"),
}


class ArchiveError(Exception):
    """A period that cannot be archived; the message is Swedish and says why."""


@dataclass
class Member:
    path: str
    data: bytes
    role: str
    description: str
    format_name: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def describe(self) -> dict[str, Any]:
        mimetype, default_name = FORMATS.get(
            Path(self.path).suffix, ("application/octet-stream", "okänt")
        )
        return {
            "path": self.path,
            "role": self.role,
            "description": self.description,
            "size": len(self.data),
            "sha256": self.sha256,
            "mimetype": mimetype,
            "format": self.format_name or default_name,
        }


@dataclass
class Package:
    period: FollowUpPeriod
    created_at: dt.datetime
    package_id: str
    name: str
    members: list[Member] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)

    def add(
        self, path: str, data: bytes | str, role: str, description: str, format_name: str = ""
    ) -> None:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        self.members.append(Member(path, raw, role, description, format_name))


# --- Public entry points ------------------------------------------------------------------------


def archivable_period(period_id: int) -> FollowUpPeriod:
    period = FollowUpPeriod.objects.select_related("plan").filter(pk=period_id).first()
    if period is None:
        raise ArchiveError(f"Det finns ingen uppföljningsperiod med id {period_id}.")
    if period.state != PeriodState.PUBLISHED:
        raise ArchiveError(
            f"Uppföljningsperioden {period.pk} ({period.label} {period.year}) är inte "
            f"publicerad (läge: {period.get_state_display().lower()}). Bara publicerade "
            "perioder kan arkiveras."
        )
    return period


def write_archive(period: FollowUpPeriod, output: str | Path | None = None) -> Path:
    """Build the package and write it as a ZIP; returns the file's path.

    `output` is a directory (the file gets the package's name) or a path ending in .zip;
    default: the current directory. The file is written under a temporary name and renamed
    when complete, so a half-written package never carries the final name."""
    package = build_package(period)
    target = _target(output, package.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".arkivpaket-", suffix=".zip", dir=target.parent)
    os.close(handle)
    try:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            stamp = timezone.localtime(package.created_at).timetuple()[:6]
            for path, data in package_files(package).items():
                info = zipfile.ZipInfo(f"{package.name}/{path}", date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def build_package(period: FollowUpPeriod) -> Package:
    period = archivable_period(period.pk)  # read afresh: it must be published now
    municipality = current_municipality()
    code = municipality.code if municipality else settings.INSYN_MUNICIPALITY_CODE
    created = timezone.now().replace(microsecond=0)
    versions = _versions(period)
    name = (
        f"insyn-{code}-uppfoljning-{period.year}-{period.kind}-{period.pk}"
        f"-v{versions[-1]['version']}-{created.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"
    )
    package = Package(
        period=period, created_at=created, package_id=f"urn:uuid:{uuid.uuid4()}", name=name
    )
    with translation.override(settings.LANGUAGE_CODE):
        _add_exports(package)
        _add_open_data(package)
        _add_pages(package)
    package.metadata = _metadata(package, municipality, code, versions)
    return package


def verify_archive(path: str | Path) -> dict[str, Any]:
    """Read a package back and check it: every file the METS files list is there with its
    SHA-256 and size, nothing unlisted, and the package description agrees; returns the
    description (ArchiveError, in Swedish, if a file is missing, extra or changed)."""
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
        roots = {n.split("/", 1)[0] for n in names}
        if len(roots) != 1 or any("/" not in n for n in names):
            raise ArchiveError("Arkivpaketet ska ha en enda rotmapp med paketets namn.")
        root = roots.pop()
        files = {n.removeprefix(f"{root}/"): archive.read(n) for n in names}
    problems = eark.verify(files)
    if METADATA_JSON not in files:
        raise ArchiveError(
            "Arkivpaketet är inte intakt: " + "; ".join([*problems, METADATA_JSON + " saknas"])
        )
    metadata = json.loads(files[METADATA_JSON])
    for item in metadata["files"]:
        data = files.get(DATA_PREFIX + item["path"])
        if data is None:
            problems.append(f"{DATA_PREFIX}{item['path']} saknas")
        elif hashlib.sha256(data).hexdigest() != item["sha256"]:
            problems.append(
                f"{DATA_PREFIX}{item['path']} har ändrats (kontrollsumman stämmer inte)"
            )
    if problems:
        raise ArchiveError("Arkivpaketet är inte intakt: " + "; ".join(dict.fromkeys(problems)))
    return metadata


# --- Content ----------------------------------------------------------------------------------


def _export_name(period: FollowUpPeriod, extension: str) -> str:
    return f"uppfoljning/uppfoljning-{period.year}-{period.kind}-{period.pk}.{extension}"


def _pdf(period: FollowUpPeriod) -> tuple[bytes, str]:
    """The export's PDF report, as PDF/A-2b (the archival profile) when WeasyPrint can make it;
    else the ordinary PDF of `insyn.goals.exports.export_pdf`."""
    try:
        from weasyprint import HTML

        data = HTML(string=exports.period_pdf_html(period), base_url=settings.SITE_URL).write_pdf(
            pdf_variant=PDF_VARIANT
        )
        return data, FORMATS[".pdf"][1]
    except (TypeError, ValueError):  # a WeasyPrint without that variant
        return exports.export_pdf(period, base_url=settings.SITE_URL), "PDF 1.7"


def _add_exports(package: Package) -> None:
    period = package.period
    pdf, pdf_format = _pdf(period)
    package.add(
        _export_name(period, "pdf"),
        pdf,
        "uppfoljning",
        "Den publicerade uppföljningen som rapport: försättsblad, innehåll, ett avsnitt "
        "per mål, statusskalan och rättelser.",
        pdf_format,
    )
    package.add(
        _export_name(period, "xlsx"),
        exports.export_xlsx(period),
        "uppfoljning",
        "Uppföljningen som kalkylblad: uppdrag, mål och organisationernas rapporter.",
    )
    package.add(
        _export_name(period, "csv"),
        exports.export_csv(period),
        "uppfoljning",
        "Uppföljningen som CSV: en rad per uppdrag.",
    )


def _link(path: str) -> str:
    return settings.SITE_URL + path


def _json(data: Any) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2) + "\n"


def _add_open_data(package: Package) -> None:
    period, plan = package.period, package.period.plan
    package.add(
        "data/plan.json",
        _json(api.plan(plan.year, _link)),
        "oppna-data",
        f"Planen som {reverse('api:plan', args=[plan.year])} i det öppna API:et.",
    )
    package.add(
        "data/period.json",
        _json(api.period(period.pk, _link)),
        "oppna-data",
        f"Perioden som {reverse('api:period', args=[period.pk])}.",
    )
    reports = api.period_reports(period, limit=10**9, offset=0, link=_link)
    package.add(
        "data/period-reports.json",
        _json(
            {
                "period": api.period_ref(period, _link),
                "count": reports.count,
                "results": reports.results,
            }
        ),
        "oppna-data",
        f"Periodens alla publicerade rapporter, som "
        f"{reverse('api:period-reports', args=[period.pk])} (alla sidor).",
    )
    for goal in Goal.objects.filter(plan=plan).order_by("order", "number"):
        package.add(
            f"data/mal/mal-{_safe(goal.number)}.json",
            _json(api.goal(plan.year, goal.number, _link)),
            "oppna-data",
            f"Mål {goal.number} som {reverse('api:goal', args=[plan.year, goal.number])}.",
        )
    for assignment in Assignment.objects.filter(goal__plan=plan).order_by(
        "goal__order", "goal__number", "order", "pk"
    ):
        package.add(
            f"data/uppdrag/uppdrag-{assignment.pk}.json",
            _json(api.assignment(assignment.pk, _link)),
            "oppna-data",
            f"{assignment.heading} som {reverse('api:assignment', args=[assignment.pk])}.",
        )


def _safe(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z_.-]+", "-", text).strip("-") or "x"


# --- HTML pages ---------------------------------------------------------------------------------


def _render(path: str, query: str = "") -> str:
    """A public page rendered by its own view, as an anonymous visitor sees it (no session,
    no middleware: only the page itself)."""
    site = urlsplit(settings.SITE_URL)
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = path
    request.GET = QueryDict(query)
    request.META = {
        "SERVER_NAME": site.hostname or "localhost",
        "SERVER_PORT": str(site.port or (443 if site.scheme == "https" else 80)),
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
    }
    request.user = AnonymousUser()
    match = resolve(path)
    response = match.func(request, *match.args, **match.kwargs)
    if response.status_code != 200:
        raise ArchiveError(
            f"Sidan {path} kunde inte tas med i paketet (svar {response.status_code})."
        )
    html = response.content.decode(response.charset or "utf-8")
    # The language switch's CSRF field belongs to a live session, not to the record.
    return re.sub(r'\s*<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">', "", html)


_URL_ATTRIBUTE = re.compile(r'(\s(?:href|src|action)=")(/[^"]*)(")')


def _localise(html: str, member_path: str, pages: dict[str, str], statics: dict[str, str]) -> str:
    """Stylesheets, scripts and the other archived pages are linked inside the package; links
    to any other page point at the site (they are citations of pages not in the package)."""
    here = posixpath.dirname(member_path)

    def replace(match: re.Match[str]) -> str:
        url = match.group(2)
        if url.startswith(settings.STATIC_URL):
            name = url[len(settings.STATIC_URL) :].split("?", 1)[0]
            statics[name] = url
            target = posixpath.relpath(f"html/static/{name}", here)
        elif url.replace("&amp;", "&") in pages:
            target = posixpath.relpath(pages[url.replace("&amp;", "&")], here)
        else:
            target = _link(url)
        return f"{match.group(1)}{target}{match.group(3)}"

    return _URL_ATTRIBUTE.sub(replace, html)


def _static_bytes(name: str) -> bytes | None:
    if staticfiles_storage.exists(name):
        with staticfiles_storage.open(name) as handle:
            return handle.read()
    found = finders.find(name)
    return Path(found).read_bytes() if found else None


def _add_pages(package: Package) -> None:
    period, statics = package.period, {}
    pages: list[tuple[str, str, str, str]] = [
        (
            "html/uppfoljning.html",
            period.get_absolute_url(),
            "",
            f"Den publicerade sidan för {period.label} {period.year}.",
        )
    ]
    for goal in Goal.objects.filter(plan=period.plan).order_by("order", "number"):
        pages.append(
            (
                f"html/mal/mal-{_safe(goal.number)}.html",
                goal.get_absolute_url(),
                f"period={period.pk}",
                f"Målsidan för mål {goal.number} som den ser ut för perioden.",
            )
        )
    archived = {
        path + (f"?{query}" if query else ""): member_path
        for member_path, path, query, _description in pages
    }
    for member_path, path, query, description in pages:
        html = _localise(_render(path, query), member_path, archived, statics)
        url = _link(path) + (f"?{query}" if query else "")
        package.add(member_path, html, "webbsida", f"{description} Adress: {url}")
    for name in sorted(statics):
        data = _static_bytes(name)
        if data is not None:
            package.add(
                f"html/static/{name}",
                data,
                "webbsida-resurs",
                f"Stilmall eller skript som sidorna använder ({statics[name]}).",
            )


# --- Metadata -----------------------------------------------------------------------------------


def _versions(period: FollowUpPeriod) -> list[dict[str, Any]]:
    versions = [{"version": 1, "date": period.published_at, "note": "Publicerad.", "changes": []}]
    for correction in corrections_for_period(period):
        what = None
        if correction.assignment_id:
            what = {
                "assignment_id": correction.assignment_id,
                "assignment": correction.assignment.heading,
            }
        elif correction.goal_id:
            what = {"goal": correction.goal.number}
        versions.append(
            {
                "version": correction.version,
                "date": correction.created_at,
                "note": correction.note,
                "concerns": what,
                "changes": [
                    {
                        "field": c.get("field", ""),
                        "label": c.get("label", ""),
                        "before": c.get("before", ""),
                        "after": c.get("after", ""),
                    }
                    for c in (correction.changes or [])
                ],
            }
        )
    return versions


def _metadata(
    package: Package, municipality: Any, code: str, versions: list[dict[str, Any]]
) -> dict[str, Any]:
    period, plan = package.period, package.period.plan
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "package_id": package.package_id,
        "name": package.name,
        "created_at": package.created_at,
        "creator_system": f"Insyn {insyn.__version__}",
        "municipality": {"name": municipality.name if municipality else "", "code": code},
        "site": settings.SITE_URL,
        "plan": {
            "year": plan.year,
            "title": plan.title,
            "last_year": plan.last_year,
            "url": _link(plan.get_absolute_url()),
        },
        "period": {
            "id": period.pk,
            "label": period.label,
            "year": period.year,
            "month": period.month,
            "kind": period.kind,
            "published_at": period.published_at,
            "url": _link(period.get_absolute_url()),
        },
        "version": versions[-1]["version"],
        "versions": versions,
        "files": [member.describe() for member in package.members],
    }


def _xml(metadata: dict[str, Any]) -> bytes:
    ET.register_namespace("", NAMESPACE)

    def el(parent: ET.Element | None, tag: str, text: Any = None, **attrs: Any) -> ET.Element:
        name = f"{{{NAMESPACE}}}{tag}"
        values = {k: _text(v) for k, v in attrs.items() if v is not None}
        node = ET.Element(name, values) if parent is None else ET.SubElement(parent, name, values)
        if text is not None:
            node.text = _text(text)
        return node

    m = metadata
    root = el(
        None,
        "arkivpaket",
        id=m["package_id"],
        namn=m["name"],
        format=m["format"],
        formatversion=m["format_version"],
        skapat=m["created_at"],
    )
    el(root, "skapandesystem", m["creator_system"])
    el(root, "kommun", m["municipality"]["name"], kod=m["municipality"]["code"])
    el(root, "webbplats", m["site"])
    el(root, "plan", m["plan"]["title"], ar=m["plan"]["year"], url=m["plan"]["url"])
    period = m["period"]
    el(
        root,
        "period",
        period["label"],
        id=period["id"],
        ar=period["year"],
        manad=period["month"],
        typ=period["kind"],
        publicerad=period["published_at"],
        url=period["url"],
    )
    versions = el(root, "versioner", aktuell=m["version"])
    for version in m["versions"]:
        node = el(versions, "version", nummer=version["version"], datum=version["date"])
        el(node, "anteckning", version["note"])
        concerns = version.get("concerns") or {}
        if concerns:
            el(
                node,
                "galler",
                concerns.get("assignment") or f"Mål {concerns.get('goal')}",
                uppdragsid=concerns.get("assignment_id"),
                mal=concerns.get("goal"),
            )
        for change in version["changes"]:
            item = el(node, "andring", falt=change["field"], etikett=change["label"])
            el(item, "fore", change["before"])
            el(item, "efter", change["after"])
    files = el(root, "filer")
    for item in m["files"]:
        file_node = el(
            files,
            "fil",
            sokvag=item["path"],
            roll=item["role"],
            storlek=item["size"],
            sha256=item["sha256"],
            mimetyp=item["mimetype"],
            format=item["format"],
        )
        el(file_node, "beskrivning", item["description"])
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def package_files(package: Package) -> dict[str, bytes]:
    """Every file of the E-ARK package, by its path inside the package's root folder."""
    metadata_json = _json(package.metadata).encode("utf-8")
    municipality = package.metadata["municipality"]
    spec = eark.PackageSpec(
        object_id=package.name,
        label=f"Uppföljning {package.period.label} {package.period.year}, "
        f"{municipality['name'] or 'kommunen'}",
        created=package.created_at,
        archivist=eark.Agent(municipality["name"] or "Kommunen", municipality["code"]),
        software=package.metadata["creator_system"],
        descriptive=[
            eark.File("metadata.json", metadata_json, "application/json", "JSON (RFC 8259)"),
            eark.File(
                "metadata.xml",
                _xml(json.loads(metadata_json)),
                "text/xml",
                f"{FORMAT_NAME} {FORMAT_VERSION}",
            ),
        ],
        content=[
            eark.File(m.path, m.data, m.describe()["mimetype"], m.describe()["format"])
            for m in package.members
        ],
        documentation=[
            eark.File("LASMIG.txt", _read_me(package).encode("utf-8"), "text/plain", "Text, UTF-8")
        ],
    )
    return eark.build(spec)


def _read_me(package: Package) -> str:
    m = package.metadata
    return (
        f"Arkivpaket: {package.name}\n"
        f"Uppföljning {m['period']['label']} {m['period']['year']} av {m['plan']['title']}, "
        f"{m['municipality']['name']} (kommunkod {m['municipality']['code']}).\n"
        f"Skapat {m['created_at']:%Y-%m-%d %H:%M} av {m['creator_system']}; version "
        f"{m['version']} av den publicerade uppföljningen.\n\n"
        "Paketet följer E-ARK Common Specification for Information Packages (CSIP 2.1) med "
        "SIP-profilen:\n"
        "  METS.xml                            paketets beskrivning, alla filer med SHA-256\n"
        "  metadata/descriptive/metadata.*     uppföljningen, perioden, versioner och filer\n"
        "  metadata/preservation/premis.xml    PREMIS 3: kontrollsummor, storlek, format\n"
        "  representations/rep1/data/uppfoljning/  rapporten som PDF/A, XLSX och CSV\n"
        "  representations/rep1/data/data/     öppna data (JSON) som i webbplatsens API\n"
        "  representations/rep1/data/html/     de publicerade sidorna (HTML)\n"
        "  schemas/                            XML-scheman för METS\n"
    )


def _target(output: str | Path | None, name: str) -> Path:
    if output is None:
        return Path.cwd() / f"{name}.zip"
    path = Path(output)
    if path.suffix.lower() == ".zip":
        return path
    return path / f"{name}.zip"
