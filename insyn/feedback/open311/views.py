"""Open311 GeoReport v2 server (plus pagination and FixMyStreet's servicerequestupdates).

Each view is the same few steps: `parse` reads the request (once), `select` reads what it names,
the feedback services change what it asks to change, `serialise` writes the answer.

Every answer is in the requested format (.xml or .json); every failure is the spec's error body
with its status code (404 unknown resource, 403 bad or missing api_key, 400 anything else) —
unexpected exceptions become a 400 "general service error", never a 500.

Visibility: GET requests and updates show published fault reports only; a client presenting its
api_key also sees the requests it filed itself (and an organisation's key those routed to it).
Descriptions are always the staff-moderated, masked public text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import is_ratelimited

from insyn.feedback import services
from insyn.feedback.models import Category, Kind, Open311ApiKey, Source
from insyn.feedback.open311 import parse, select, serialise
from insyn.feedback.open311.parse import Open311Error
from insyn.feedback.open311.serialise import FORMATS, error, errors, respond
from insyn.organisations.selectors import current_municipality

logger = logging.getLogger(__name__)


def api_view(methods: tuple[str, ...]) -> Callable:
    """Format check, method check, the common parameter checks, GET rate limit, and no 500s."""

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
                parse.check_envelope(
                    get=request.GET, post=request.POST, method=request.method, path_values=kwargs
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


def _api_key(request: HttpRequest, *, required: bool) -> Open311ApiKey | None:
    raw = parse.api_key(request.GET, request.POST)
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
    if key is None:
        raise Open311Error(403, _("Ogiltig api_key: ärendet kunde inte tas emot."))
    if request.method == "POST" and is_ratelimited(
        request,
        group="open311-post",
        key=lambda _g, _r: f"key:{key.pk}",
        rate=f"{key.rate_per_minute}/m",
        increment=True,
    ):
        raise Open311Error(429, _("För många anrop för den här nyckeln. Försök igen om en stund."))
    return key


def _service(code: str) -> Category:
    """The active fault-report category with this code, or the spec's 404."""
    category = select.service(code)
    if category is None:
        raise Open311Error(404, _("Okänd service_code: %(c)s") % {"c": code[:60]})
    return category


@api_view(("GET",))
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = settings.SITE_URL + reverse("open311:services", kwargs={"fmt": "xml"})
    municipality = current_municipality()
    contact = (
        municipality.contact_email
        if municipality and municipality.contact_email
        else settings.SITE_URL
    )
    value = serialise.discovery(endpoint_url=base.rsplit("/", 1)[0], contact=contact)
    return respond(fmt, "discovery", value)


@api_view(("GET",))
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    return respond(fmt, "services", serialise.service_list(select.service_list()))


@api_view(("GET",))
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    category = _service(code)
    return respond(fmt, "service_definition", serialise.service_definition(category))


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    key = _api_key(request, required=True)
    category = _service(parse.service_code(request.POST))
    new = parse.new_request(request.POST)
    photos = parse.photos(request.FILES)
    try:
        receipt = services.create_case(
            kind=Kind.FAULT,
            category=category,
            description=new.description or category.name,
            lat=new.lat,
            long=new.long,
            address_text=new.address,
            attributes=services.validate_attributes(category, new.attributes),
            contact_name=new.name,
            contact_email=new.email,
            contact_phone=new.phone,
            source=Source.OPEN311,
            api_key=key,
            device_id=new.device_id,
            account_id=new.account_id,
            external_media_url=new.media_url,
            photos=photos,
        )
    except ValidationError as exc:
        raise Open311Error.from_service(exc) from None
    return respond(fmt, "service_requests", serialise.created(receipt.case))


def _list(request: HttpRequest, fmt: str) -> HttpResponse:
    key = _api_key(request, required=False)
    return respond(
        fmt, "service_requests", _requests(select.requests(parse.request_query(request.GET), key))
    )


def _requests(cases: list[select.RequestRow]) -> Any:
    return serialise.requests(
        cases, notes=select.latest_public_notes(cases), photos=select.first_public_photos(cases)
    )


@api_view(("GET", "POST"))
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    return _list(request, fmt)


@api_view(("GET",))
def request_detail(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    key = _api_key(request, required=False)
    case = select.request(parse.request_number(request_id), key)
    if case is None:
        raise Open311Error(
            404, _("Ärendet %(id)s finns inte eller är inte publicerat.") % {"id": request_id[:40]}
        )
    return respond(fmt, "service_requests", _requests([case]))


@api_view(("GET",))
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    case = select.case_by_token(parse.token(token))
    if case is None:
        raise Open311Error(404, _("Okänd token."))
    return respond(fmt, "service_requests", serialise.token(case))


@api_view(("GET", "POST"))
def updates(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_update(request, fmt)
    key = _api_key(request, required=False)
    events = select.updates(parse.update_query(request.GET), key)
    return respond(fmt, "service_requests_updates", serialise.updates(events))


def _post_update(request: HttpRequest, fmt: str) -> HttpResponse:
    key = _api_key(request, required=True)
    number = parse.update_request_number(request.POST)
    case = select.case_by_number(number)
    if case is None:
        raise Open311Error(404, _("Ärendet %(id)s finns inte.") % {"id": number[:40]})
    update = parse.new_update(request.POST)
    photos = parse.photos(request.FILES)
    try:
        event = services.external_update(
            case=case,
            api_key=key,
            status=update.status,
            description=update.description,
            external_id=update.update_id,
            media_url=update.media_url,
            photos=photos,
        )
    except ValidationError as exc:
        raise Open311Error.from_service(exc, every=False) from None
    return respond(fmt, "service_request_updates", serialise.update_created(event))
