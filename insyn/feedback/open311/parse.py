"""Reading an Open311 request, once: every parameter is checked here and turned into a typed value
(`NewRequest`, `RequestQuery`, `UpdateQuery`, `NewUpdate`), or refused with `Open311Error`
(status, Swedish description). No database access: which category, case or key a value names,
and the rules about them (a place inside the municipality, answers to the category's questions),
are decided by `select` and the feedback services.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from insyn.core.images import CleanImage, clean_images
from insyn.core.params import BadParameter, parse_int
from insyn.feedback.services import MAX_DESCRIPTION
from insyn.organisations.selectors import MAX_RADIUS_M

MAX_SPAN = dt.timedelta(days=90)
MAX_PAGE_SIZE = 1000
DEFAULT_RADIUS_M = 500

_ATTRIBUTE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")
_PHOTO = re.compile(r"^photo([1-9][0-9]?)$")


class Open311Error(Exception):
    def __init__(
        self, status: int, description: str, problems: list[tuple[int, str]] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.problems = problems or [(status, description)]

    @classmethod
    def from_service(cls, exc: ValidationError, *, every: bool = True) -> Open311Error:
        """A service's refusal as a 400 (403 when the service says "forbidden"): the first
        message as the description, and, with `every`, each message as its own error."""
        status = 403 if getattr(exc, "code", "") == "forbidden" else 400
        problems = [(status, m) for m in exc.messages] if every else None
        return cls(status, exc.messages[0], problems)


def jurisdiction() -> str:
    return getattr(settings, "FEEDBACK_OPEN311_JURISDICTION", "uppsala.se")


def _has_nul(params: Any) -> bool:
    return any("\x00" in key or any("\x00" in v for v in params.getlist(key)) for key in params)


def check_envelope(*, get: Any, post: Any, method: str, path_values: Mapping[str, Any]) -> None:
    """What every endpoint refuses alike: NUL characters anywhere, another jurisdiction."""
    if _has_nul(get) or _has_nul(post) or any("\x00" in str(v) for v in path_values.values()):
        raise Open311Error(400, _("Anropet innehåller otillåtna tecken (NUL)."))
    params = post if method == "POST" else get
    wanted = (params.get("jurisdiction_id") or get.get("jurisdiction_id") or "").strip()
    if wanted and wanted != jurisdiction():
        raise Open311Error(
            404,
            _("Okänt jurisdiction_id: %(j)s. Den här tjänsten gäller %(own)s.")
            % {"j": wanted[:100], "own": jurisdiction()},
        )


def api_key(get: Any, post: Any) -> str:
    return (post.get("api_key") or get.get("api_key") or "").strip()


def _text(params: Any, name: str) -> str:
    return (params.get(name) or "").strip()


def _attributes(params: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name in params:
        match = _ATTRIBUTE.match(name)
        if not match:
            continue
        code, multi = match.group(1), match.group(2)
        values = params.getlist(name)
        found[code] = values if multi or len(values) > 1 else (values[0] if values else "")
    return found


def _float(params: Any, name: str) -> float | None:
    raw = _text(params, name)
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Open311Error(
            400, _("%(n)s måste vara ett decimaltal (WGS84).") % {"n": name}
        ) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise Open311Error(400, _("%(n)s måste vara ett decimaltal (WGS84).") % {"n": name})
    return value


def _point(params: Any) -> tuple[float | None, float | None]:
    lat, long = _float(params, "lat"), _float(params, "long")
    if (lat is None) != (long is None):
        raise Open311Error(400, _("Ange både lat och long."))
    return lat, long


def _media_url(params: Any, *, max_length: int | None = None) -> str:
    media_url = _text(params, "media_url")
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise Open311Error(400, _("media_url måste vara en http(s)-adress.")) from None
        if max_length is not None and len(media_url) > max_length:
            raise Open311Error(400, _("media_url är för lång."))
    return media_url


def photos(files: Any) -> list[CleanImage]:
    """FixMyStreet's multipart `photo1`…`photoN` (its `upload_files`/`always_upload_photos`),
    in number order, checked and cleaned like the fault form's photos (insyn.core.images: at
    most three, size, format, EXIF and other metadata dropped). Any other file field is
    refused rather than silently dropped."""
    numbered = []
    for name in files:
        match = _PHOTO.match(name)
        if match is None:
            raise Open311Error(
                400,
                _("Okänt filfält %(name)s: skicka bilder som photo1, photo2 …")
                % {"name": name[:40]},
            )
        numbered += [(int(match.group(1)), upload) for upload in files.getlist(name)]
    try:
        return clean_images(upload for _n, upload in sorted(numbered, key=lambda t: t[0]))
    except ValidationError as exc:
        raise Open311Error(400, exc.messages[0]) from None


def _when(name: str, raw: str, *, end: bool = False) -> dt.datetime:
    try:
        value = parse_datetime(raw)
        if value is None:
            day = parse_date(raw)
            if day is not None:
                value = dt.datetime.combine(day + dt.timedelta(days=1) if end else day, dt.time.min)
    except ValueError:
        value = None
    if value is None:
        raise Open311Error(
            400,
            _("%(n)s är inte ett giltigt datum (W3C-format, t.ex. 2026-03-01T00:00:00Z).")
            % {"n": name},
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _span(params: Any) -> tuple[dt.datetime, dt.datetime]:
    raw_start, raw_end = _text(params, "start_date"), _text(params, "end_date")
    start = _when("start_date", raw_start) if raw_start else None
    end = _when("end_date", raw_end, end=True) if raw_end else None
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - MAX_SPAN
    if end is None:
        end = start + MAX_SPAN
    if end < start:
        raise Open311Error(400, _("end_date ligger före start_date."))
    if end - start > MAX_SPAN + dt.timedelta(days=1):
        raise Open311Error(
            400, _("Perioden mellan start_date och end_date får vara högst 90 dagar.")
        )
    return start, end


def _paging(params: Any) -> tuple[int, int]:
    def number(name: str, default: int, maximum: int) -> int:
        raw = _text(params, name)
        if not raw:
            return default
        try:
            return parse_int(raw, low=1, high=maximum, name=name)
        except BadParameter:
            raise Open311Error(
                400, _("%(n)s måste vara ett heltal från 1 till %(m)s.") % {"n": name, "m": maximum}
            ) from None

    return number("page", 1, 1_000_000), number("page_size", MAX_PAGE_SIZE, MAX_PAGE_SIZE)


def _ids(params: Any) -> list[str]:
    """service_request_id: comma-separated case numbers, upper case, at most a page of them."""
    raw = params.get("service_request_id") or ""
    return [i.strip().upper() for i in raw.split(",") if i.strip()][:MAX_PAGE_SIZE]


# --- POST requests (a new fault report) ----------------------------------------------------------


def service_code(params: Any) -> str:
    code = _text(params, "service_code")
    if not code:
        raise Open311Error(400, _("service_code saknas."))
    return code


@dataclass(frozen=True)
class NewRequest:
    lat: float | None
    long: float | None
    address: str
    attributes: dict[str, Any]
    description: str
    email: str
    media_url: str
    name: str
    phone: str
    device_id: str
    account_id: str


def new_request(params: Any) -> NewRequest:
    """The fields of a POSTed service request (the service_code is read first, by `service_code`,
    so that an unknown one is a 404 whatever else is wrong)."""
    lat, long = _point(params)
    address, address_id = _text(params, "address_string"), _text(params, "address_id")
    if lat is None and not address and not address_id:
        raise Open311Error(
            400, _("Plats saknas: ange lat och long, address_string eller address_id.")
        )
    if not address and address_id:
        address = _("Adress-id %(id)s") % {"id": address_id[:100]}
    description = _text(params, "description")
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, _("description får vara högst 4 000 tecken."))
    email = _text(params, "email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Open311Error(400, _("email är inte en giltig e-postadress.")) from None
    media_url = _media_url(params, max_length=500)
    name = " ".join(p for p in (_text(params, "first_name"), _text(params, "last_name")) if p)
    return NewRequest(
        lat=lat,
        long=long,
        address=address,
        attributes=_attributes(params),
        description=description,
        email=email,
        media_url=media_url,
        name=name,
        phone=_text(params, "phone"),
        device_id=_text(params, "device_id"),
        account_id=_text(params, "account_id"),
    )


# --- GET requests -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestQuery:
    page: int
    size: int
    ids: list[str] = field(default_factory=list)  # when given, "overrides all other arguments"
    codes: list[str] = field(default_factory=list)
    status: str = ""  # "open", "closed" or "" (both)
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    lat: float | None = None
    long: float | None = None
    radius: float = DEFAULT_RADIUS_M


def request_query(params: Any) -> RequestQuery:
    page, size = _paging(params)
    ids = _ids(params)
    if ids:
        return RequestQuery(page=page, size=size, ids=ids)
    codes = [c.strip() for c in (params.get("service_code") or "").split(",") if c.strip()]
    statuses = {s.strip().lower() for s in (params.get("status") or "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, _("status måste vara open, closed eller båda (kommaseparerade)."))
    start, end = _span(params)
    lat, long = _point(params)
    radius = DEFAULT_RADIUS_M
    if lat is not None:
        given = _float(params, "radius")
        radius = DEFAULT_RADIUS_M if given is None else given
        if not 0 < radius <= MAX_RADIUS_M:
            raise Open311Error(
                400, _("radius måste vara mellan 1 och %(max)s meter.") % {"max": MAX_RADIUS_M}
            )
    return RequestQuery(
        page=page,
        size=size,
        codes=codes,
        status=statuses.pop() if len(statuses) == 1 else "",
        start=start,
        end=end,
        lat=lat,
        long=long,
        radius=radius,
    )


def request_number(raw: str) -> str:
    return raw.strip().upper()


def token(raw: str) -> str | None:
    """A token as the path gives it; None when it cannot be one (empty or too long)."""
    return raw.strip() if 0 < len(raw) <= 40 else None


# --- FixMyStreet's servicerequestupdates ------------------------------------------------------


@dataclass(frozen=True)
class UpdateQuery:
    start: dt.datetime
    end: dt.datetime
    page: int
    size: int
    ids: list[str]


def update_query(params: Any) -> UpdateQuery:
    start, end = _span(params)
    page, size = _paging(params)
    return UpdateQuery(start=start, end=end, page=page, size=size, ids=_ids(params))


def update_request_number(params: Any) -> str:
    number = request_number(params.get("service_request_id") or "")
    if not number:
        raise Open311Error(400, _("service_request_id saknas."))
    return number


@dataclass(frozen=True)
class NewUpdate:
    status: str
    description: str
    update_id: str
    media_url: str


def new_update(params: Any) -> NewUpdate:
    status, description = _text(params, "status"), _text(params, "description")
    if not status and not description:
        raise Open311Error(400, _("Ange status eller description."))
    return NewUpdate(
        status=status,
        description=description,
        update_id=_text(params, "update_id"),
        media_url=_media_url(params),
    )
