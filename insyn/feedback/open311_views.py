"""Open311 GeoReport v2 server (plus pagination and FixMyStreet's servicerequestupdates).

Every answer is in the requested format (.xml or .json); every failure is the spec's error body
with its status code (404 unknown resource, 403 bad or missing api_key, 400 anything else) —
unexpected exceptions become a 400 "general service error", never a 500.

Visibility: GET requests and updates show published fault reports only; a client presenting its
api_key also sees the requests it filed itself (and an organisation's key those routed to it).
Descriptions are always the staff-moderated, masked public text.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import is_ratelimited

from insyn.core.params import BadParameter, parse_int
from insyn.feedback import services
from insyn.feedback.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CasePhoto,
    CaseStatus,
    Category,
    EventKind,
    Kind,
    Open311ApiKey,
    PublicState,
    Source,
)
from insyn.feedback.open311 import FORMATS, Many, error, errors, respond, w3c
from insyn.organisations.selectors import MAX_RADIUS_M, within_radius

logger = logging.getLogger(__name__)

MAX_SPAN = dt.timedelta(days=90)
MAX_PAGE_SIZE = 1000
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


class Open311Error(Exception):
    def __init__(
        self, status: int, description: str, problems: list[tuple[int, str]] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.problems = problems or [(status, description)]


def jurisdiction() -> str:
    return getattr(settings, "FEEDBACK_OPEN311_JURISDICTION", "uppsala.se")


def api_view(methods: tuple[str, ...]) -> Callable:
    """Format check, method check, jurisdiction check, GET rate limit, and no 500s."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def wrapper(
            request: HttpRequest, *args: Any, fmt: str = "xml", **kwargs: Any
        ) -> HttpResponse:
            if fmt not in FORMATS:
                return error("xml", 404, _("Okänt format: använd .xml eller .json."))
            if request.method not in methods:
                response = error(fmt, 405, _("Metoden stöds inte här."), code=405)
                response["Allow"] = ", ".join(methods)
                return response
            try:
                params = request.POST if request.method == "POST" else request.GET
                if (
                    _has_nul(request.GET)
                    or _has_nul(request.POST)
                    or any("\x00" in str(v) for v in kwargs.values())
                ):
                    raise Open311Error(400, _("Anropet innehåller otillåtna tecken (NUL)."))
                wanted = (
                    params.get("jurisdiction_id") or request.GET.get("jurisdiction_id") or ""
                ).strip()
                if wanted and wanted != jurisdiction():
                    raise Open311Error(
                        404,
                        _("Okänt jurisdiction_id: %(j)s. Den här tjänsten gäller %(own)s.")
                        % {"j": wanted[:100], "own": jurisdiction()},
                    )
                if request.method == "GET" and is_ratelimited(
                    request,
                    group="open311-get",
                    key="ip",
                    rate=getattr(settings, "FEEDBACK_OPEN311_GET_RATE", "600/m"),
                    increment=True,
                ):
                    raise Open311Error(429, _("För många anrop. Försök igen om en stund."))
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as exc:
                return errors(fmt, exc.status, exc.problems)
            except Exception:
                logger.exception("open311 request failed", extra={"event": "open311_error"})
                return error(
                    fmt, 400, _("Tjänsten kunde inte behandla anropet just nu. Försök igen senare.")
                )

        return wrapper

    return decorator


def _has_nul(params: Any) -> bool:
    return any("\x00" in key or any("\x00" in v for v in params.getlist(key)) for key in params)


def _api_key(request: HttpRequest, *, required: bool) -> Open311ApiKey | None:
    raw = (request.POST.get("api_key") or request.GET.get("api_key") or "").strip()
    if not raw:
        if required:
            raise Open311Error(
                403,
                _(
                    "api_key saknas: en nyckel krävs för att skicka in "
                    "ärenden. Nycklar delas ut av kommunens kontaktcenter."
                ),
            )
        return None
    key = services.authenticate_api_key(raw)
    if key is None and (required or raw):
        raise Open311Error(403, _("Ogiltig api_key: ärendet kunde inte tas emot."))
    if (
        key is not None
        and request.method == "POST"
        and is_ratelimited(
            request,
            group="open311-post",
            key=lambda _g, _r: f"key:{key.pk}",
            rate=f"{key.rate_per_minute}/m",
            increment=True,
        )
    ):
        raise Open311Error(429, _("För många anrop för den här nyckeln. Försök igen om en stund."))
    return key


# --- Discovery ----------------------------------------------------------------------------


@api_view(("GET",))
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = settings.SITE_URL + reverse("open311:services", kwargs={"fmt": "xml"})
    endpoint_url = base.rsplit("/", 1)[0]
    from insyn.organisations.selectors import current_municipality

    municipality = current_municipality()
    contact = (
        municipality.contact_email
        if municipality and municipality.contact_email
        else settings.SITE_URL
    )
    value = {
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
    return respond(fmt, "discovery", value)


# --- Services --------------------------------------------------------------------------------


def _services_qs() -> QuerySet[Category]:
    return Category.objects.filter(active=True, fault_reports=True)


@api_view(("GET",))
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    categories = list(_services_qs().prefetch_related("questions"))
    items = [
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
    ]
    return respond(fmt, "services", Many("service", items))


@api_view(("GET",))
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    category = _services_qs().filter(code=code).prefetch_related("questions").first()
    if category is None:
        raise Open311Error(404, _("Okänd service_code: %(c)s") % {"c": code[:60]})
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
    return respond(
        fmt,
        "service_definition",
        {"service_code": category.code, "attributes": Many("attribute", attributes)},
    )


# --- Requests --------------------------------------------------------------------------------

_ATTRIBUTE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")


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
    raw = (params.get(name) or "").strip()
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


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.POST
    key = _api_key(request, required=True)
    code = (params.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, _("service_code saknas."))
    category = _services_qs().filter(code=code).prefetch_related("questions").first()
    if category is None:
        raise Open311Error(404, _("Okänd service_code: %(c)s") % {"c": code[:60]})
    lat, long = _float(params, "lat"), _float(params, "long")
    address = (params.get("address_string") or "").strip()
    address_id = (params.get("address_id") or "").strip()
    if (lat is None) != (long is None):
        raise Open311Error(400, _("Ange både lat och long."))
    if lat is None and not address and not address_id:
        raise Open311Error(
            400, _("Plats saknas: ange lat och long, address_string eller address_id.")
        )
    if not address and address_id:
        address = _("Adress-id %(id)s") % {"id": address_id[:100]}
    try:
        services.check_location(lat, long)
    except ValidationError as exc:
        raise Open311Error(400, exc.messages[0]) from None
    try:
        attributes = services.validate_attributes(category, _attributes(params))
    except ValidationError as exc:
        raise Open311Error(400, exc.messages[0], [(400, m) for m in exc.messages]) from None
    description = (params.get("description") or "").strip()
    if len(description) > services.MAX_DESCRIPTION:
        raise Open311Error(400, _("description får vara högst 4 000 tecken."))
    email = (params.get("email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Open311Error(400, _("email är inte en giltig e-postadress.")) from None
    media_url = (params.get("media_url") or "").strip()
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise Open311Error(400, _("media_url måste vara en http(s)-adress.")) from None
        if len(media_url) > 500:
            raise Open311Error(400, _("media_url är för lång."))
    name = " ".join(
        p
        for p in ((params.get("first_name") or "").strip(), (params.get("last_name") or "").strip())
        if p
    )
    try:
        receipt = services.create_case(
            kind=Kind.FAULT,
            category=category,
            description=description or category.name,
            lat=lat,
            long=long,
            address_text=address,
            attributes=attributes,
            contact_name=name,
            contact_email=email,
            contact_phone=(params.get("phone") or "").strip(),
            source=Source.OPEN311,
            api_key=key,
            device_id=(params.get("device_id") or "").strip(),
            account_id=(params.get("account_id") or "").strip(),
            external_media_url=media_url,
        )
    except ValidationError as exc:
        raise Open311Error(400, exc.messages[0], [(400, m) for m in exc.messages]) from None
    case = receipt.case
    return respond(
        fmt,
        "service_requests",
        Many(
            "request",
            [
                {
                    "service_request_id": case.number,
                    "service_notice": case.notice or None,
                    "account_id": case.account_id or None,
                }
            ],
        ),
    )


def _parse_when(name: str, raw: str, *, end: bool = False) -> dt.datetime:
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
    raw_start = (params.get("start_date") or "").strip()
    raw_end = (params.get("end_date") or "").strip()
    start = _parse_when("start_date", raw_start) if raw_start else None
    end = _parse_when("end_date", raw_end, end=True) if raw_end else None
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
        raw = (params.get(name) or "").strip()
        if not raw:
            return default
        try:
            return parse_int(raw, low=1, high=maximum, name=name)
        except BadParameter:
            raise Open311Error(
                400, _("%(n)s måste vara ett heltal från 1 till %(m)s.") % {"n": name, "m": maximum}
            ) from None

    return number("page", 1, 1_000_000), number("page_size", MAX_PAGE_SIZE, MAX_PAGE_SIZE)


def _visible(key: Open311ApiKey | None) -> Q:
    visible = Q(public_state=PublicState.PUBLISHED, kind=Kind.FAULT, merged_into__isnull=True)
    if key is not None:
        visible |= Q(api_key=key)
        if key.organisation_id:
            visible |= Q(organisation_id=key.organisation_id, kind=Kind.FAULT)
    return visible


def _request_items(cases: list[Case]) -> list[dict[str, Any]]:
    """Spec fields for a page of cases: three queries whatever the page size."""
    ids = [c.pk for c in cases]
    notes: dict[int, str] = {}
    for case_id, body in (
        CaseEvent.objects.filter(case_id__in=ids, is_public=True)
        .exclude(body="")
        .order_by("case_id", "-created_at", "-pk")
        .values_list("case_id", "body")
    ):
        notes.setdefault(case_id, body)
    media: dict[int, str] = {}
    for photo in (
        CasePhoto.objects.filter(case_id__in=ids, hidden=False)
        .exclude(public_image="")
        .order_by("case_id", "created_at", "pk")
        .only("uuid", "case_id")
    ):
        media.setdefault(
            photo.case_id, settings.SITE_URL + reverse("feedback:photo", args=[photo.uuid])
        )
    items = []
    for c in cases:
        closed = c.status in CLOSED_STATUSES
        published = c.is_published
        items.append(
            {
                "service_request_id": c.number,
                "status": "closed" if closed else "open",
                "status_notes": notes.get(c.pk),
                "service_name": c.category.name,
                "service_code": c.category.code,
                "description": c.public_description or None,
                "agency_responsible": c.organisation.name if c.organisation_id else None,
                "service_notice": c.notice or None,
                "requested_datetime": w3c(c.created_at),
                "updated_datetime": w3c(c.closed_at if closed and c.closed_at else c.updated_at),
                "expected_datetime": w3c(c.due_at),
                "address": c.public_address or None,
                "address_id": None,
                "zipcode": None,
                "lat": c.lat,
                "long": c.long,
                "media_url": media.get(c.pk) if published else None,
            }
        )
    return items


DEFAULT_RADIUS_M = 500


def _list(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.GET
    key = _api_key(request, required=False)
    qs = (
        Case.objects.filter(_visible(key))
        .select_related("category", "organisation")
        .order_by("-created_at", "-pk")
    )
    ids = [i.strip() for i in (params.get("service_request_id") or "").split(",") if i.strip()]
    page, size = _paging(params)
    if ids:  # "overrides all other arguments"
        qs = qs.filter(number__in=[i.upper() for i in ids[:MAX_PAGE_SIZE]])
    else:
        codes = [c.strip() for c in (params.get("service_code") or "").split(",") if c.strip()]
        if codes:
            qs = qs.filter(category__code__in=codes)
        statuses = {s.strip().lower() for s in (params.get("status") or "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(
                400, _("status måste vara open, closed eller båda (kommaseparerade).")
            )
        if statuses == {"open"}:
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif statuses == {"closed"}:
            qs = qs.filter(status__in=CLOSED_STATUSES)
        start, end = _span(params)
        qs = qs.filter(created_at__gte=start, created_at__lte=end)
        lat, long = _float(params, "lat"), _float(params, "long")
        if (lat is None) != (long is None):
            raise Open311Error(400, _("Ange både lat och long."))
        if lat is not None:
            radius = _float(params, "radius")
            radius = DEFAULT_RADIUS_M if radius is None else radius
            if not 0 < radius <= MAX_RADIUS_M:
                raise Open311Error(
                    400, _("radius måste vara mellan 1 och %(max)s meter.") % {"max": MAX_RADIUS_M}
                )
            qs = within_radius(qs, lat, long, radius)
    cases = list(qs[(page - 1) * size : page * size])
    return respond(fmt, "service_requests", Many("request", _request_items(cases)))


@api_view(("GET", "POST"))
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    return _list(request, fmt)


@api_view(("GET",))
def request_detail(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    key = _api_key(request, required=False)
    case = (
        Case.objects.filter(_visible(key), number=request_id.strip().upper())
        .select_related("category", "organisation")
        .first()
    )
    if case is None:
        raise Open311Error(
            404, _("Ärendet %(id)s finns inte eller är inte publicerat.") % {"id": request_id[:40]}
        )
    return respond(fmt, "service_requests", Many("request", _request_items([case])))


@api_view(("GET",))
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    case = (
        Case.objects.filter(open311_token=token.strip()).exclude(open311_token="").first()
        if 0 < len(token) <= 40
        else None
    )
    if case is None:
        raise Open311Error(404, _("Okänd token."))
    return respond(
        fmt,
        "service_requests",
        Many("request", [{"service_request_id": case.number, "token": case.open311_token}]),
    )


# --- FixMyStreet's updates extension ------------------------------------------------------


def _update_items(events: list[CaseEvent]) -> list[dict[str, Any]]:
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
    return items


@api_view(("GET", "POST"))
def updates(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_update(request, fmt)
    params = request.GET
    key = _api_key(request, required=False)
    start, end = _span(params)
    page, size = _paging(params)
    visible_cases = Case.objects.filter(_visible(key))
    qs = (
        CaseEvent.objects.filter(
            is_public=True, created_at__gte=start, created_at__lte=end, case__in=visible_cases
        )
        .select_related("case")
        .only("pk", "kind", "status", "body", "data", "created_at", "case__number", "case__status")
        .order_by("created_at", "pk")
    )
    ids = [
        i.strip().upper() for i in (params.get("service_request_id") or "").split(",") if i.strip()
    ]
    if ids:
        qs = qs.filter(case__number__in=ids[:MAX_PAGE_SIZE])
    events = list(qs[(page - 1) * size : page * size])
    return respond(fmt, "service_requests_updates", Many("request_update", _update_items(events)))


def _post_update(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.POST
    key = _api_key(request, required=True)
    request_id = (params.get("service_request_id") or "").strip().upper()
    if not request_id:
        raise Open311Error(400, _("service_request_id saknas."))
    case = Case.objects.filter(number=request_id).first()
    if case is None:
        raise Open311Error(404, _("Ärendet %(id)s finns inte.") % {"id": request_id[:40]})
    status = (params.get("status") or "").strip()
    description = (params.get("description") or "").strip()
    if not status and not description:
        raise Open311Error(400, _("Ange status eller description."))
    media_url = (params.get("media_url") or "").strip()
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise Open311Error(400, _("media_url måste vara en http(s)-adress.")) from None
    try:
        event = services.external_update(
            case=case,
            api_key=key,
            status=status,
            description=description,
            external_id=(params.get("update_id") or "").strip(),
            media_url=media_url,
        )
    except ValidationError as exc:
        if getattr(exc, "code", "") == "forbidden":
            raise Open311Error(403, exc.messages[0]) from None
        raise Open311Error(400, exc.messages[0]) from None
    return respond(
        fmt, "service_request_updates", Many("request_update", [{"update_id": str(event.pk)}])
    )
