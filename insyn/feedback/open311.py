"""Open311 GeoReport v2 wire formats: XML as the specification writes it, JSON by the Spark
convention (the XML root is dropped; repeated elements become arrays).

Values: None → an empty element / null; bools → "true"/"false"; numbers stay numbers in JSON;
ids and codes are always strings.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.http import HttpResponse

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


def _text(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return escape(_INVALID_XML.sub("", str(value)))


def _xml(name: str, value: Any, out: list[str]) -> None:
    if isinstance(value, Many):
        out.append(f"<{name}>")
        for item in value.items:
            _xml(value.name, item, out)
        out.append(f"</{name}>")
    elif isinstance(value, dict):
        out.append(f"<{name}>")
        for key, child in value.items():
            if isinstance(child, Many) and key == child.name:
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
