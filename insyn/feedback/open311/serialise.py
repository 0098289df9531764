"""Writing Open311 GeoReport v2 answers: the documents (discovery, services, requests, updates)
built from what `select` read, in the wire formats — XML as the specification writes it, JSON by
the Spark convention (the XML root is dropped; repeated elements become arrays).

Values: None → an empty element / null; bools → "true"/"false"; numbers stay numbers in JSON;
ids and codes are always strings.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import uuid
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from insyn.feedback.models import CLOSED_STATUSES, Case, CaseEvent, CaseStatus, Category, EventKind
from insyn.feedback.open311.select import RequestRow

XML_CONTENT_TYPE = "text/xml; charset=utf-8"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
FORMATS = ("xml", "json")
# Characters XML 1.0 cannot carry at all.
_INVALID_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass
class Many:
    """A repeated element: <name>item</name><name>item</name> in XML, an array in JSON."""

    name: str
    items: list[Any]


@functools.cache
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def w3c(value: dt.datetime | None) -> str | None:
    """W3C/ISO 8601 with the offset, as the spec requires: 2026-03-01T10:15:00+01:00 (in the
    site's time zone; the same instant for every client)."""
    if value is None:
        return None
    return value.astimezone(_zone(settings.TIME_ZONE)).isoformat(timespec="seconds")


# What `_text` must change: markup characters and those XML cannot carry (most values have
# neither, and are taken as they are after one search).
_UNSAFE_XML = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    text = str(value)
    if _UNSAFE_XML.search(text) is None:
        return text
    return escape(_INVALID_XML.sub("", text))


def _xml(name: str, value: Any, out: list[str]) -> None:
    if isinstance(value, Many):
        out.append(f"<{name}>")
        for item in value.items:
            _xml(value.name, item, out)
        out.append(f"</{name}>")
    elif isinstance(value, dict):
        out.append(f"<{name}>")
        for key, child in value.items():
            # A request's twenty-odd fields are mostly plain strings or empty: written here,
            # not by a call each (a thousand requests were 90,000 calls, half the answer's time).
            if child is None or child == "":
                out.append(f"<{key}/>")
            elif type(child) is str and _UNSAFE_XML.search(child) is None:
                out.append(f"<{key}>{child}</{key}>")
            elif isinstance(child, Many) and key == child.name:
                for item in child.items:  # repeated element without a wrapper
                    _xml(key, item, out)
            else:
                _xml(key, child, out)
        out.append(f"</{name}>")
    elif value is None or value == "":
        out.append(f"<{name}/>")
    else:
        out.append(f"<{name}>{_text(value)}</{name}>")


def to_xml(root: str, value: Any) -> str:
    out: list[str] = ['<?xml version="1.0" encoding="utf-8"?>\n']
    _xml(root, value, out)
    return "".join(out)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Many):
        return [_jsonable(item) for item in value.items]
    if isinstance(value, dict):
        return {key: _jsonable(child) for key, child in value.items()}
    return value


def respond(fmt: str, root: str, value: Any, *, status: int = 200) -> HttpResponse:
    """One response in the requested format; the XML root is `root`, JSON drops it."""
    if fmt == "json":
        body = json.dumps(_jsonable(value), ensure_ascii=False)
        return HttpResponse(body.encode(), status=status, content_type=JSON_CONTENT_TYPE)
    return HttpResponse(to_xml(root, value).encode(), status=status, content_type=XML_CONTENT_TYPE)


def errors(fmt: str, status: int, problems: Iterable[tuple[int, str]]) -> HttpResponse:
    """The spec's error body: <errors><error><code/><description/></error></errors>."""
    items = [{"code": code, "description": description} for code, description in problems]
    return respond(fmt, "errors", Many("error", items), status=status)


def error(fmt: str, status: int, description: str, code: int | None = None) -> HttpResponse:
    return errors(fmt, status, [(code or status, description)])


# --- The documents -----------------------------------------------------------------------------

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-01-15 00:00"

# Our statuses as FixMyStreet's extended statuses (lower case, as mySociety's adapter sends).
UPDATE_STATUS = {
    CaseStatus.RECEIVED: "open",
    CaseStatus.IN_PROGRESS: "in_progress",
    CaseStatus.FORWARDED: "not_councils_responsibility",
    CaseStatus.RESOLVED: "fixed",
    CaseStatus.CLOSED: "no_further_action",
    CaseStatus.REOPENED: "reopen",
}


def discovery(*, endpoint_url: str, contact: str) -> dict[str, Any]:
    return {
        "changeset": CHANGESET,
        "contact": _("Frågor om API:t: kontakta kommunens kontaktcenter, %(c)s") % {"c": contact},
        "key_service": _(
            "En nyckel för att skicka in ärenden (POST) får du av kommunens kontaktcenter, %(c)s"
        )
        % {"c": contact},
        "endpoints": Many(
            "endpoint",
            [
                {
                    "specification": SPEC_URL,
                    "url": endpoint_url,
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": Many("format", ["text/xml", "application/json"]),
                }
            ],
        ),
    }


def service_list(categories: Iterable[Category]) -> Many:
    return Many(
        "service",
        [
            {
                "service_code": c.code,
                "service_name": c.name,
                "description": c.description or None,
                "metadata": any(True for _q in c.questions.all()),
                "type": "realtime",
                "keywords": c.keywords or None,
                "group": c.group or None,
            }
            for c in categories
        ],
    )


def service_definition(category: Category) -> dict[str, Any]:
    attributes = [
        {
            "variable": q.variable,
            "code": q.code,
            "datatype": q.datatype,
            "required": q.required,
            "datatype_description": q.datatype_description or None,
            "order": q.order,
            "description": q.description,
            "values": Many("value", [{"key": key, "name": name} for key, name in q.choices]),
        }
        for q in category.questions.all()
    ]
    return {"service_code": category.code, "attributes": Many("attribute", attributes)}


def requests(
    cases: Iterable[RequestRow], *, notes: Mapping[int, str], photos: Mapping[int, uuid.UUID]
) -> Many:
    """Spec fields of cases (`select.RequestRow`); `notes` and `photos` from `select` (each
    case's newest public text and first public photo)."""
    items = []
    for c in cases:
        closed = c.status in CLOSED_STATUSES
        photo = photos.get(c.pk) if c.is_published else None
        items.append(
            {
                "service_request_id": c.number,
                "status": "closed" if closed else "open",
                "status_notes": notes.get(c.pk),
                "service_name": c.category_name,
                "service_code": c.category_code,
                "description": c.public_description or None,
                "agency_responsible": c.organisation_name,
                "service_notice": c.notice or None,
                "requested_datetime": w3c(c.created_at),
                "updated_datetime": w3c(c.closed_at if closed and c.closed_at else c.updated_at),
                "expected_datetime": w3c(c.due_at),
                "address": c.public_address or None,
                "address_id": None,
                "zipcode": None,
                "lat": c.lat,
                "long": c.long,
                "media_url": (
                    settings.SITE_URL + reverse("feedback:photo", args=[photo]) if photo else None
                ),
            }
        )
    return Many("request", items)


def created(case: Case) -> Many:
    return Many(
        "request",
        [
            {
                "service_request_id": case.number,
                "service_notice": case.notice or None,
                "account_id": case.account_id or None,
            }
        ],
    )


def token(case: Case) -> Many:
    return Many("request", [{"service_request_id": case.number, "token": case.open311_token}])


def updates(events: Iterable[CaseEvent]) -> Many:
    items = []
    for event in events:
        status = (
            "duplicate"
            if event.kind == EventKind.MERGED
            else UPDATE_STATUS.get(event.status or event.case.status, "open")
        )
        items.append(
            {
                "update_id": str(event.pk),
                "service_request_id": event.case.number,
                "status": status,
                "updated_datetime": w3c(event.created_at),
                "description": event.body or None,
                "media_url": (event.data or {}).get("media_url") or None,
            }
        )
    return Many("request_update", items)


def update_created(event: CaseEvent) -> Many:
    return Many("request_update", [{"update_id": str(event.pk)}])
