"""The one place that turns numbers and dates from a request into Python values (issue 12
finding 4).

``str.isdigit()`` is true for "²" and "٣", ``int()`` accepts any length, and a database
rejects integers past 64 bits: each of those was a server error somewhere. Every view and form
that reads a number or a date from GET/POST uses this module instead:

* only ASCII digits (an optional sign where a range allows negatives), at most 18 of them;
* a range (``low``..``high``) that every caller states;
* a bad value is either ignored (``ignore=True``: the default is used, for filters that may be
  dropped) or raises :class:`BadParameter`, which :class:`BadParameterMiddleware` turns into a
  400 page with a Swedish message. API views catch it and answer in their own error format.

``tests/security/test_params.py`` and ``tests/security/test_fuzz.py`` prove it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

MAX_ID = 10**18 - 1  # fits every integer column (64-bit) with room to spare
MAX_PAGE = 100_000
EARLIEST_YEAR = 1900
LATEST_YEAR = 2200
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2200, 12, 31)
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}\Z", re.ASCII)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z", re.ASCII)


class BadParameter(ValueError):
    """A request value that is not what the page accepts; ``message`` is Swedish."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


def parse_int(raw: Any, *, low: int = 0, high: int = MAX_ID, name: str = "") -> int:
    """A whole number from ASCII digits within ``low..high``; BadParameter otherwise."""
    text = raw.strip() if isinstance(raw, str) else ""
    if isinstance(raw, int) and not isinstance(raw, bool):
        text = str(raw)
    if not _INTEGER.match(text) or not low <= int(text) <= high:
        raise BadParameter(
            name,
            _("%(name)s måste vara ett heltal från %(low)s till %(high)s.")
            % {"name": name or _("Värdet"), "low": low, "high": high},
        )
    return int(text)


def parse_date(
    raw: Any, *, earliest: dt.date = EARLIEST_DATE, latest: dt.date = LATEST_DATE, name: str = ""
) -> dt.date:
    """An ISO date (YYYY-MM-DD) between ``earliest`` and ``latest``; BadParameter otherwise."""
    text = raw.strip() if isinstance(raw, str) else ""
    try:
        if not _DATE.match(text):
            raise ValueError
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise BadParameter(
            name,
            _("%(name)s måste vara ett datum som 2024-01-31.") % {"name": name or _("Datumet")},
        ) from None
    if not earliest <= value <= latest:
        raise BadParameter(
            name,
            _("%(name)s måste vara ett datum mellan %(earliest)s och %(latest)s.")
            % {"name": name or _("Datumet"), "earliest": earliest, "latest": latest},
        )
    return value


def _first(data: Mapping[str, Any], name: str) -> Any:
    value = data.get(name)
    return value if isinstance(value, str) else None


def int_param(
    data: Mapping[str, Any],
    name: str,
    *,
    low: int = 0,
    high: int = MAX_ID,
    default: int | None = None,
    ignore: bool = False,
) -> int | None:
    """``data[name]`` (request.GET or request.POST) as a bounded whole number. Missing or empty:
    ``default``. Bad: ``default`` when ``ignore`` (a filter that may be dropped), else
    BadParameter (a 400 with a Swedish message)."""
    raw = _first(data, name)
    if raw is None or not raw.strip():
        return default
    try:
        return parse_int(raw, low=low, high=high, name=name)
    except BadParameter:
        if ignore:
            return default
        raise


def date_param(
    data: Mapping[str, Any],
    name: str,
    *,
    default: dt.date | None = None,
    earliest: dt.date = EARLIEST_DATE,
    latest: dt.date = LATEST_DATE,
    ignore: bool = False,
) -> dt.date | None:
    raw = _first(data, name)
    if raw is None or not raw.strip():
        return default
    try:
        return parse_date(raw, earliest=earliest, latest=latest, name=name)
    except BadParameter:
        if ignore:
            return default
        raise


def year_param(data: Mapping[str, Any], name: str, *, ignore: bool = False) -> int | None:
    return int_param(data, name, low=EARLIEST_YEAR, high=LATEST_YEAR, ignore=ignore)


def page_param(data: Mapping[str, Any], name: str = "sida") -> int:
    """A page number: anything that is not a page 1..MAX_PAGE is page 1."""
    return int_param(data, name, low=1, high=MAX_PAGE, default=1, ignore=True) or 1


def id_or_none(raw: Any) -> int | None:
    """An id from anywhere (a form's raw data, a path segment): None unless it is one."""
    try:
        return parse_int(raw, low=1, high=MAX_ID)
    except BadParameter:
        return None


_COORDINATE = re.compile(r"[+-]?[0-9]{1,3}(\.[0-9]{1,10})?\Z", re.ASCII)


def parse_bbox(raw: Any, *, name: str = "bbox") -> tuple[float, float, float, float]:
    """A map viewport "west,south,east,north" in WGS 84 degrees (what Leaflet's
    ``getBounds().toBBoxString()`` gives): four plain decimals, longitudes within -180..180,
    latitudes within -90..90, west < east and south < north; BadParameter otherwise."""
    parts = raw.split(",") if isinstance(raw, str) else []
    message = _(
        "%(name)s måste vara fyra decimaltal väst,syd,öst,nord i grader (WGS 84), "
        "som 17.5,59.8,17.8,59.9."
    ) % {"name": name}
    if len(parts) != 4 or not all(_COORDINATE.match(p.strip()) for p in parts):
        raise BadParameter(name, message)
    west, south, east, north = (float(p) for p in parts)
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise BadParameter(name, message)
    return west, south, east, north


def bbox_param(
    data: Mapping[str, Any], name: str = "bbox"
) -> tuple[float, float, float, float] | None:
    """``data[name]`` as a viewport (see parse_bbox); missing or empty: None; bad: BadParameter."""
    raw = _first(data, name)
    if raw is None or not raw.strip():
        return None
    return parse_bbox(raw, name=name)


class BadParameterMiddleware:
    """BadParameter raised in a view becomes a 400: JSON under /api/, a Swedish page elsewhere."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable, args: tuple, kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        """A whole number in the path (``<int:pk>``) past MAX_ID matches no row: 404 before the
        view, instead of an OverflowError in the database driver (a 500)."""
        for value in (*args, *kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and value > MAX_ID:
                raise Http404
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OverflowError):
            # A number from the request too large for the database driver (an id past 64 bits
            # in a form's choice, e.g. ModelMultipleChoiceField): refused before anything is
            # saved, as every other bad number (found by tests/security/test_fuzz_post.py).
            exception = BadParameter("", _("Ett tal i förfrågan är för stort."))
        if not isinstance(exception, BadParameter):
            return None
        if request.path.startswith(("/api/", "/open311/")):
            return JsonResponse({"error": exception.message}, status=400)
        return render(request, "core/bad_request.html", {"message": exception.message}, status=400)
