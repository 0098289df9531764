"""Information packages for the e-archive, as the E-ARK Common Specification for Information
Packages (CSIP 2.1) and its SIP profile describe them — the structure Riksarkivet's FGS
Paketstruktur builds on and Swedish e-archives accept.

Generic: the caller gives the package's id and label, who made it, its descriptive metadata
files and its content files; this module lays them out and describes them:

    <OBJID>/
      METS.xml                               the package: header, metadata, files, structure
      metadata/descriptive/…                 the caller's descriptive metadata
      metadata/preservation/premis.xml       PREMIS 3: every file's fixity (SHA-256), size and
                                             format, the package's creation event and agents
      representations/rep1/METS.xml          the representation's own METS
      representations/rep1/data/…            the content, as the caller named it
      documentation/                         a description of the package for archivists
      schemas/                               the XML schemas the METS files use

Every file is listed with its SHA-256 checksum, size and MIME type in the METS files and in
PREMIS, so the archive can prove nothing changed. `verify` reads a package back and checks that.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

METS_NS = "http://www.loc.gov/METS/"
CSIP_NS = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
SIP_NS = "https://DILCIS.eu/XML/METS/SIPExtensionMETS"
XLINK_NS = "http://www.w3.org/1999/xlink"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
PREMIS_NS = "http://www.loc.gov/premis/v3"

for _prefix, _uri in (
    ("mets", METS_NS),
    ("csip", CSIP_NS),
    ("sip", SIP_NS),
    ("xlink", XLINK_NS),
    ("xsi", XSI_NS),
    ("premis", PREMIS_NS),
):
    ET.register_namespace(_prefix, _uri)

SIP_PROFILE = "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml"
SCHEMA_DIR = Path(__file__).resolve().parent / "data" / "eark-schemas"
SCHEMAS = ["mets.xsd", "xlink.xsd", "DILCISExtensionMETS.xsd", "DILCISExtensionSIPMETS.xsd"]
SCHEMA_LOCATION = (
    f"{METS_NS} schemas/mets.xsd {XLINK_NS} schemas/xlink.xsd "
    f"{CSIP_NS} schemas/DILCISExtensionMETS.xsd {SIP_NS} schemas/DILCISExtensionSIPMETS.xsd"
)
REPRESENTATION = "rep1"


class PackageError(Exception):
    """A package that is not intact; the message is Swedish and says what is wrong."""


@dataclass
class File:
    path: str  # relative to the representation's data folder, or to metadata/descriptive
    data: bytes
    mimetype: str
    format_name: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class Agent:
    name: str
    identification_code: str = ""  # e.g. the municipality code or organisation number


@dataclass
class PackageSpec:
    object_id: str  # also the package's root folder name
    label: str
    created: dt.datetime
    archivist: Agent  # the organisation whose record this is (the municipality)
    software: str  # "Insyn 0.1.0"
    descriptive: list[File]
    content: list[File]
    documentation: list[File] = field(default_factory=list)  # e.g. a "read me" for archivists
    content_type_note: str = ""  # csip:OTHERCONTENTINFORMATIONTYPE


def _m(tag: str) -> str:
    return f"{{{METS_NS}}}{tag}"


def _time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


class _Ids:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}-{self.count:05d}"


def _mets_root(spec: PackageSpec, object_id: str, label: str) -> ET.Element:
    root = ET.Element(
        _m("mets"),
        {
            "OBJID": object_id,
            "LABEL": label,
            "TYPE": "Mixed",
            f"{{{CSIP_NS}}}CONTENTINFORMATIONTYPE": "OTHER",
            f"{{{CSIP_NS}}}OTHERCONTENTINFORMATIONTYPE": spec.content_type_note
            or "Insyn uppföljningsperiod",
            "PROFILE": SIP_PROFILE,
            f"{{{XSI_NS}}}schemaLocation": SCHEMA_LOCATION,
        },
    )
    header = ET.SubElement(
        root,
        _m("metsHdr"),
        {
            "CREATEDATE": _time(spec.created),
            "RECORDSTATUS": "NEW",
            f"{{{CSIP_NS}}}OAISPACKAGETYPE": "SIP",
        },
    )
    # The archive creator (arkivbildare, FGS): the organisation whose record this is.
    creator = ET.SubElement(header, _m("agent"), {"ROLE": "ARCHIVIST", "TYPE": "ORGANIZATION"})
    ET.SubElement(creator, _m("name")).text = spec.archivist.name
    if spec.archivist.identification_code:
        ET.SubElement(
            creator, _m("note"), {f"{{{CSIP_NS}}}NOTETYPE": "IDENTIFICATIONCODE"}
        ).text = spec.archivist.identification_code
    # CSIP10–16: the software that made the package.
    software = ET.SubElement(
        header, _m("agent"), {"ROLE": "CREATOR", "TYPE": "OTHER", "OTHERTYPE": "SOFTWARE"}
    )
    name, _sep, version = spec.software.partition(" ")
    ET.SubElement(software, _m("name")).text = name
    ET.SubElement(software, _m("note"), {f"{{{CSIP_NS}}}NOTETYPE": "SOFTWARE VERSION"}).text = (
        version or "0"
    )
    return root


def _file_group(parent: ET.Element, ids: _Ids, use: str, spec: PackageSpec) -> ET.Element:
    return ET.SubElement(
        parent,
        _m("fileGrp"),
        {
            "ID": ids("filegrp"),
            "USE": use,
            f"{{{CSIP_NS}}}CONTENTINFORMATIONTYPE": "OTHER",
            f"{{{CSIP_NS}}}OTHERCONTENTINFORMATIONTYPE": spec.content_type_note
            or "Insyn uppföljningsperiod",
        },
    )


def _file_element(
    parent: ET.Element, ids: _Ids, href: str, file: File, created: dt.datetime
) -> str:
    file_id = ids("file")
    element = ET.SubElement(
        parent,
        _m("file"),
        {
            "ID": file_id,
            "MIMETYPE": file.mimetype.split(";")[0],
            "SIZE": str(len(file.data)),
            "CREATED": _time(created),
            "CHECKSUM": file.sha256,
            "CHECKSUMTYPE": "SHA-256",
        },
    )
    if file.format_name:
        element.set(f"{{{SIP_NS}}}FILEFORMATNAME", file.format_name)
    ET.SubElement(
        element,
        _m("FLocat"),
        {"LOCTYPE": "URL", f"{{{XLINK_NS}}}type": "simple", f"{{{XLINK_NS}}}href": href},
    )
    return file_id


def _md_ref(
    parent: ET.Element, href: str, file: File, created: dt.datetime, mdtype: str
) -> ET.Element:
    attrs = {
        "LOCTYPE": "URL",
        f"{{{XLINK_NS}}}type": "simple",
        f"{{{XLINK_NS}}}href": href,
        "MDTYPE": mdtype,
        "MIMETYPE": file.mimetype.split(";")[0],
        "SIZE": str(len(file.data)),
        "CREATED": _time(created),
        "CHECKSUM": file.sha256,
        "CHECKSUMTYPE": "SHA-256",
    }
    if mdtype == "OTHER":
        attrs["OTHERMDTYPE"] = "Insyn"
    return ET.SubElement(parent, _m("mdRef"), attrs)


def _representation_mets(spec: PackageSpec) -> bytes:
    ids = _Ids()
    object_id = f"{spec.object_id}-{REPRESENTATION}"
    root = _mets_root(spec, object_id, f"{spec.label}: innehåll")
    file_sec = ET.SubElement(root, _m("fileSec"), {"ID": ids("filesec")})
    group = _file_group(file_sec, ids, "Data", spec)
    file_ids = [
        _file_element(group, ids, f"data/{file.path}", file, spec.created) for file in spec.content
    ]
    struct = ET.SubElement(
        root, _m("structMap"), {"ID": ids("structmap"), "TYPE": "PHYSICAL", "LABEL": "CSIP"}
    )
    top = ET.SubElement(struct, _m("div"), {"ID": ids("div"), "LABEL": object_id})
    data = ET.SubElement(top, _m("div"), {"ID": ids("div"), "LABEL": "Data"})
    for file_id in file_ids:
        ET.SubElement(data, _m("fptr"), {"FILEID": file_id})
    return _xml(root)


def _premis(spec: PackageSpec, files: dict[str, File]) -> bytes:
    def p(tag: str) -> str:
        return f"{{{PREMIS_NS}}}{tag}"

    root = ET.Element(p("premis"), {"version": "3.0"})
    for path, file in files.items():
        obj = ET.SubElement(root, p("object"), {f"{{{XSI_NS}}}type": "premis:file"})
        identifier = ET.SubElement(obj, p("objectIdentifier"))
        ET.SubElement(identifier, p("objectIdentifierType")).text = "local"
        ET.SubElement(identifier, p("objectIdentifierValue")).text = path
        characteristics = ET.SubElement(obj, p("objectCharacteristics"))
        fixity = ET.SubElement(characteristics, p("fixity"))
        ET.SubElement(fixity, p("messageDigestAlgorithm")).text = "SHA-256"
        ET.SubElement(fixity, p("messageDigest")).text = file.sha256
        ET.SubElement(characteristics, p("size")).text = str(len(file.data))
        fmt = ET.SubElement(characteristics, p("format"))
        designation = ET.SubElement(fmt, p("formatDesignation"))
        ET.SubElement(designation, p("formatName")).text = file.format_name or file.mimetype
        ET.SubElement(obj, p("originalName")).text = path
    event = ET.SubElement(root, p("event"))
    event_id = ET.SubElement(event, p("eventIdentifier"))
    ET.SubElement(event_id, p("eventIdentifierType")).text = "local"
    ET.SubElement(event_id, p("eventIdentifierValue")).text = f"{spec.object_id}-creation"
    ET.SubElement(event, p("eventType")).text = "creation"
    ET.SubElement(event, p("eventDateTime")).text = _time(spec.created)
    ET.SubElement(event, p("eventDetailInformation")).append(_detail(p, spec))
    for name, kind in ((spec.archivist.name, "organisation"), (spec.software, "software")):
        link = ET.SubElement(event, p("linkingAgentIdentifier"))
        ET.SubElement(link, p("linkingAgentIdentifierType")).text = "local"
        ET.SubElement(link, p("linkingAgentIdentifierValue")).text = name
        ET.SubElement(link, p("linkingAgentRole")).text = kind
    for name, kind in ((spec.archivist.name, "organization"), (spec.software, "software")):
        agent = ET.SubElement(root, p("agent"))
        agent_id = ET.SubElement(agent, p("agentIdentifier"))
        ET.SubElement(agent_id, p("agentIdentifierType")).text = "local"
        ET.SubElement(agent_id, p("agentIdentifierValue")).text = name
        ET.SubElement(agent, p("agentName")).text = name
        ET.SubElement(agent, p("agentType")).text = kind
    return _xml(root)


def _detail(p, spec: PackageSpec) -> ET.Element:
    element = ET.Element(p("eventDetail"))
    element.text = f"Paketet skapades av {spec.software} för {spec.archivist.name}."
    return element


def build(spec: PackageSpec) -> dict[str, bytes]:
    """Every file of the package, by its path inside the package's root folder."""
    files: dict[str, bytes] = {}
    for file in spec.content:
        files[f"representations/{REPRESENTATION}/data/{file.path}"] = file.data
    rep_mets = File("METS.xml", _representation_mets(spec), "text/xml", "METS")
    files[f"representations/{REPRESENTATION}/METS.xml"] = rep_mets.data
    for file in spec.descriptive:
        files[f"metadata/descriptive/{file.path}"] = file.data
    for file in spec.documentation:
        files[f"documentation/{file.path}"] = file.data
    schemas = [
        File(name, (SCHEMA_DIR / name).read_bytes(), "application/xml", "XML Schema")
        for name in SCHEMAS
    ]
    for schema in schemas:
        files[f"schemas/{schema.path}"] = schema.data

    described = {f"representations/{REPRESENTATION}/data/{f.path}": f for f in spec.content}
    described[f"representations/{REPRESENTATION}/METS.xml"] = rep_mets
    described |= {f"metadata/descriptive/{f.path}": f for f in spec.descriptive}
    described |= {f"documentation/{f.path}": f for f in spec.documentation}
    premis = File("premis.xml", _premis(spec, described), "text/xml", "PREMIS 3.0")
    files["metadata/preservation/premis.xml"] = premis.data

    ids = _Ids()
    root = _mets_root(spec, spec.object_id, spec.label)
    dmd_ids = []
    for file in spec.descriptive:
        dmd_id = ids("dmd")
        dmd = ET.SubElement(
            root, _m("dmdSec"), {"ID": dmd_id, "CREATED": _time(spec.created), "STATUS": "CURRENT"}
        )
        _md_ref(dmd, f"metadata/descriptive/{file.path}", file, spec.created, "OTHER")
        dmd_ids.append(dmd_id)
    amd = ET.SubElement(root, _m("amdSec"))
    digiprov_id = ids("digiprov")
    digiprov = ET.SubElement(amd, _m("digiprovMD"), {"ID": digiprov_id, "STATUS": "CURRENT"})
    _md_ref(digiprov, "metadata/preservation/premis.xml", premis, spec.created, "PREMIS")
    file_sec = ET.SubElement(root, _m("fileSec"), {"ID": ids("filesec")})
    doc_group = _file_group(file_sec, ids, "Documentation", spec)
    doc_ids = [
        _file_element(doc_group, ids, f"documentation/{d.path}", d, spec.created)
        for d in spec.documentation
    ]
    schema_group = _file_group(file_sec, ids, "Schemas", spec)
    schema_ids = [
        _file_element(schema_group, ids, f"schemas/{s.path}", s, spec.created) for s in schemas
    ]
    rep_group = _file_group(file_sec, ids, f"Representations/{REPRESENTATION}", spec)
    rep_group_id = rep_group.get("ID", "")
    rep_file_id = _file_element(
        rep_group, ids, f"representations/{REPRESENTATION}/METS.xml", rep_mets, spec.created
    )
    struct = ET.SubElement(
        root, _m("structMap"), {"ID": ids("structmap"), "TYPE": "PHYSICAL", "LABEL": "CSIP"}
    )
    top = ET.SubElement(struct, _m("div"), {"ID": ids("div"), "LABEL": spec.object_id})
    ET.SubElement(
        top,
        _m("div"),
        {"ID": ids("div"), "LABEL": "Metadata", "DMDID": " ".join(dmd_ids), "ADMID": digiprov_id},
    )
    doc_div = ET.SubElement(top, _m("div"), {"ID": ids("div"), "LABEL": "Documentation"})
    for doc_id in doc_ids:
        ET.SubElement(doc_div, _m("fptr"), {"FILEID": doc_id})
    schema_div = ET.SubElement(top, _m("div"), {"ID": ids("div"), "LABEL": "Schemas"})
    for schema_id in schema_ids:
        ET.SubElement(schema_div, _m("fptr"), {"FILEID": schema_id})
    representations = ET.SubElement(top, _m("div"), {"ID": ids("div"), "LABEL": "Representations"})
    ET.SubElement(representations, _m("fptr"), {"FILEID": rep_file_id})
    rep_div = ET.SubElement(
        representations,
        _m("div"),
        {"ID": ids("div"), "LABEL": f"Representations/{REPRESENTATION}"},
    )
    ET.SubElement(
        rep_div,
        _m("mptr"),
        {
            "LOCTYPE": "URL",
            f"{{{XLINK_NS}}}type": "simple",
            f"{{{XLINK_NS}}}href": f"representations/{REPRESENTATION}/METS.xml",
            f"{{{XLINK_NS}}}title": rep_group_id,
        },
    )
    files["METS.xml"] = _xml(root)
    return files


def verify(files: dict[str, bytes]) -> list[str]:
    """Problems with a package read back (paths relative to its root folder): every file the
    METS files list must be there with its checksum and size, and nothing unlisted may be there
    but METS.xml itself. Empty when the package is intact."""
    problems: list[str] = []
    listed: set[str] = {"METS.xml"}

    def check(mets_path: str) -> None:
        if mets_path not in files:
            problems.append(f"{mets_path} saknas")
            return
        base = mets_path.rpartition("/")[0]
        root = ET.fromstring(files[mets_path])
        for element in root.iter():
            if element.tag not in (_m("file"), _m("mdRef")):
                continue
            if element.tag == _m("file"):
                location = element.find(_m("FLocat"))
                href = location.get(f"{{{XLINK_NS}}}href") if location is not None else None
            else:
                href = element.get(f"{{{XLINK_NS}}}href")
            path = f"{base}/{href}" if base else str(href)
            listed.add(path)
            data = files.get(path)
            if data is None:
                problems.append(f"{path} saknas")
            elif hashlib.sha256(data).hexdigest() != element.get("CHECKSUM"):
                problems.append(f"{path} har ändrats (kontrollsumman stämmer inte)")
            elif str(len(data)) != element.get("SIZE"):
                problems.append(f"{path} har fel storlek")
            if path.endswith("/METS.xml") and path != mets_path and path in files:
                check(path)

    check("METS.xml")
    problems += [f"{path} finns i paketet men inte i METS" for path in sorted(set(files) - listed)]
    return problems
