"""The read-only open-data API: thin views over insyn.opendata.selectors.

Every response is JSON (or CSV) with `Access-Control-Allow-Origin: *`; errors are
`{"error": {"status": 404, "message": "..."}}` with the same HTTP status. Only GET, HEAD and
OPTIONS are answered. Labels are Swedish whatever language the visitor's browser asks for.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.views.decorators.csrf import csrf_exempt

from insyn.core import params, spreadsheets
from insyn.opendata import catalogue, openapi, record, selectors
from insyn.organisations.selectors import current_municipality

ALLOWED_METHODS = "GET, HEAD, OPTIONS"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_OFFSET = 10_000_000


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
    response["Access-Control-Allow-Headers"] = "Accept, Content-Type"
    response["Access-Control-Max-Age"] = "86400"
    return response


def json_response(data: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(
        data,
        status=status,
        safe=False,
        encoder=DjangoJSONEncoder,
        json_dumps_params={"ensure_ascii": False},
    )


def error_response(status: int, message: str) -> JsonResponse:
    response = json_response({"error": {"status": status, "message": message}}, status=status)
    if status == 405:
        response["Allow"] = ALLOWED_METHODS
    return _cors(response)


def api_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET/HEAD only, JSON errors, CORS, Swedish labels."""

    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Allow"] = ALLOWED_METHODS
            return _cors(response)
        if request.method not in ("GET", "HEAD"):
            return error_response(
                405, "Metoden är inte tillåten: det här gränssnittet kan bara läsas (GET)."
            )
        try:
            with translation.override("sv"):
                response = view(request, *args, **kwargs)
        except ApiError as exc:
            return error_response(exc.status, exc.message)
        return _cors(response)

    return wrapper


def _found(data: Any, message: str) -> Any:
    if data is None:
        raise ApiError(404, message)
    return data


def _int_param(request: HttpRequest, name: str, default: int, low: int, high: int) -> int:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    try:
        return params.parse_int(raw, low=low, high=high, name=name)
    except params.BadParameter:
        raise ApiError(
            400, f"Parametern {name} måste vara ett heltal från {low} till {high}."
        ) from None


def _year(raw: str) -> int:
    try:
        return params.parse_int(raw, low=0, high=9999)
    except params.BadParameter:
        raise ApiError(404, "Det finns ingen plan för det året.") from None


def _text(raw: str, message: str) -> str:
    """A slug or goal number from the path; NUL characters cannot be stored, so never match."""
    if "\x00" in raw or len(raw) > 200:
        raise ApiError(404, message)
    return raw


def _pk(raw: str, message: str) -> int:
    pk = params.id_or_none(raw)
    if pk is None:
        raise ApiError(404, message)
    return pk


# --- Endpoints ----------------------------------------------------------------------------------


@api_view
def index(request: HttpRequest) -> HttpResponse:
    link = request.build_absolute_uri
    municipality = current_municipality()

    def url(name: str, *args: Any) -> str:
        return link(reverse(f"api:{name}", args=args))

    def template(path: str) -> str:  # braces must stay as written, not percent-encoded
        return link("/").removesuffix("/") + path

    return json_response(
        {
            "name": "Insyn – öppna data",
            "description": (
                "Öppna data om kommunens styrning med mål: planer (Mål och budget), mål, uppdrag, "
                "uppföljningsperioder och rapporter, organisationer (nämnder och bolag), "
                "indikatorer, budget, dialoger med invånare, medborgarbudgetar och statistik "
                "över felanmälningar. "
                "Gränssnittet är öppet, kräver ingen inloggning och kan bara läsas. Endast "
                "publicerat material visas: en uppföljning och dess rapporter syns först när "
                "uppföljningen har publicerats. Inga personuppgifter lämnas ut."
            ),
            "municipality": (
                {"name": municipality.name, "code": municipality.code} if municipality else None
            ),
            "openapi": url("openapi"),
            "formats": "JSON (UTF-8); målens uppföljning även som CSV (UTF-8 med BOM).",
            "pagination": (
                "Listan över rapporter delas upp med parametrarna limit (1–1000, "
                "standard 100) och offset; svaret anger count och next."
            ),
            "errors": 'Fel anges som {"error": {"status": 404, "message": "…"}}.',
            "status_codes": {
                "assignment": selectors.STATUS_LABELS,
                "goal": selectors.GOAL_STATUS_LABELS,
            },
            "endpoints": [
                {"url": url("organisations"), "description": "Alla organisationer."},
                {"url": url("plans"), "description": "Alla planer med publicerade uppföljningar."},
                {"url": url("periods"), "description": "Publicerade uppföljningsperioder."},
                {"url": template("/api/v1/plans/{year}"), "description": "En plan och dess mål."},
                {
                    "url": template("/api/v1/plans/{year}/goals/{number}"),
                    "description": "Ett mål med avsnitt, uppdrag och uppföljning per period.",
                },
                {
                    "url": template("/api/v1/plans/{year}/goals/{number}/follow-up.csv"),
                    "description": "Målets uppföljning som CSV: en rad per uppdrag och period.",
                },
                {
                    "url": template("/api/v1/assignments/{id}"),
                    "description": "Ett uppdrag med ansvariga, berörda och publicerade rapporter.",
                },
                {
                    "url": template("/api/v1/periods/{id}/reports"),
                    "description": "En publicerad uppföljnings rapporter, sida för sida.",
                },
                {
                    "url": url("dialogues"),
                    "description": "Publicerade dialoger med invånare, sida för sida.",
                },
                {"url": url("dialogues-csv"), "description": "Publicerade dialoger som CSV."},
                {"url": url("indicators"), "description": "Publicerade indikatorer."},
                {"url": url("budget"), "description": "Publicerad budget per nämnd och år."},
                {"url": url("budget-csv"), "description": "Budgeten som CSV."},
                {
                    "url": url("participatory-budgets"),
                    "description": "Medborgarbudgetar med förslag och resultat.",
                },
                {
                    "url": url("fault-statistics"),
                    "description": "Felanmälningar per månad, kategori och område (antal).",
                },
                {
                    "url": url("fault-statistics-csv"),
                    "description": "Felanmälningsstatistiken som CSV.",
                },
                {
                    "url": url("catalog"),
                    "description": "Datakatalog enligt DCAT-AP-SE (RDF/XML, Turtle, JSON-LD).",
                },
                {
                    "url": link(reverse("changes:feed")),
                    "description": "Allt som publiceras, det senaste först, som Atom-flöde.",
                },
            ],
        }
    )


@api_view
def openapi_document(request: HttpRequest) -> HttpResponse:
    return json_response(openapi.document())


@api_view
def organisation_list(request: HttpRequest) -> HttpResponse:
    return json_response({"results": selectors.organisations(request.build_absolute_uri)})


@api_view
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    message = "Organisationen finns inte."
    return json_response(
        _found(selectors.organisation(_text(slug, message), request.build_absolute_uri), message)
    )


@api_view
def plan_list(request: HttpRequest) -> HttpResponse:
    return json_response({"results": selectors.plans(request.build_absolute_uri)})


@api_view
def plan_detail(request: HttpRequest, year: str) -> HttpResponse:
    return json_response(
        _found(
            selectors.plan(_year(year), request.build_absolute_uri),
            "Det finns ingen plan för det året.",
        )
    )


@api_view
def goal_list(request: HttpRequest, year: str) -> HttpResponse:
    goals = _found(
        selectors.goals(_year(year), request.build_absolute_uri),
        "Det finns ingen plan för det året.",
    )
    return json_response({"results": goals})


@api_view
def goal_detail(request: HttpRequest, year: str, number: str) -> HttpResponse:
    message = "Målet finns inte."
    return json_response(
        _found(
            selectors.goal(_year(year), _text(number, message), request.build_absolute_uri), message
        )
    )


@api_view
def goal_follow_up_csv(request: HttpRequest, year: str, number: str) -> HttpResponse:
    message = "Målet finns inte."
    goal, rows = _found(selectors.goal_follow_up_rows(_year(year), _text(number, message)), message)
    response = HttpResponse(
        spreadsheets.csv_bytes(selectors.CSV_HEADER, rows),
        content_type=spreadsheets.CSV_CONTENT_TYPE,
    )
    name = slugify(goal.number) or "mal"
    response["Content-Disposition"] = (
        f'attachment; filename="insyn-{goal.plan.year}-mal-{name}-uppfoljning.csv"'
    )
    return response


@api_view
def assignment_detail(request: HttpRequest, pk: str) -> HttpResponse:
    message = "Uppdraget finns inte."
    return json_response(
        _found(selectors.assignment(_pk(pk, message), request.build_absolute_uri), message)
    )


@api_view
def period_list(request: HttpRequest) -> HttpResponse:
    return json_response({"results": selectors.periods(request.build_absolute_uri)})


PERIOD_NOT_FOUND = "Uppföljningen finns inte eller är inte publicerad."


@api_view
def period_detail(request: HttpRequest, pk: str) -> HttpResponse:
    return json_response(
        _found(
            selectors.period(_pk(pk, PERIOD_NOT_FOUND), request.build_absolute_uri),
            PERIOD_NOT_FOUND,
        )
    )


@api_view
def period_reports(request: HttpRequest, pk: str) -> HttpResponse:
    period = _found(selectors.published_period(_pk(pk, PERIOD_NOT_FOUND)), PERIOD_NOT_FOUND)
    limit = _int_param(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _int_param(request, "offset", 0, 0, MAX_OFFSET)
    page = selectors.period_reports(
        period, limit=limit, offset=offset, link=request.build_absolute_uri
    )
    path = reverse("api:period-reports", args=[period.pk])

    def page_url(new_offset: int) -> str:
        return request.build_absolute_uri(
            f"{path}?{urlencode({'limit': limit, 'offset': new_offset})}"
        )

    return json_response(
        {
            "period": selectors.period_ref(period, request.build_absolute_uri),
            "count": page.count,
            "limit": limit,
            "offset": offset,
            "next": page_url(offset + limit) if offset + limit < page.count else None,
            "previous": page_url(max(0, offset - limit)) if offset > 0 else None,
            "results": page.results,
        }
    )


# --- The rest of the public record ---------------------------------------------------------------


def csv_response(header: list[str], rows: list[list[Any]], filename: str) -> HttpResponse:
    return spreadsheets.csv_response(header, rows, filename)


def _paged(request: HttpRequest, name: str, count: int, fetch: Callable[..., list]) -> HttpResponse:
    limit = _int_param(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _int_param(request, "offset", 0, 0, MAX_OFFSET)
    path = reverse(f"api:{name}")

    def page_url(new_offset: int) -> str:
        return request.build_absolute_uri(
            f"{path}?{urlencode({'limit': limit, 'offset': new_offset})}"
        )

    return json_response(
        {
            "count": count,
            "limit": limit,
            "offset": offset,
            "next": page_url(offset + limit) if offset + limit < count else None,
            "previous": page_url(max(0, offset - limit)) if offset > 0 else None,
            "results": fetch(request.build_absolute_uri, limit=limit, offset=offset),
        }
    )


@api_view
def dialogue_list(request: HttpRequest) -> HttpResponse:
    return _paged(request, "dialogues", record.dialogue_count(), record.dialogues)


@api_view
def dialogue_csv(request: HttpRequest) -> HttpResponse:
    return csv_response(
        record.DIALOGUE_CSV_HEADER,
        record.dialogue_csv_rows(request.build_absolute_uri),
        "insyn-dialoger.csv",
    )


@api_view
def dialogue_detail(request: HttpRequest, pk: str) -> HttpResponse:
    message = "Dialogen finns inte eller är inte publicerad."
    return json_response(
        _found(record.dialogue(_pk(pk, message), request.build_absolute_uri), message)
    )


@api_view
def indicator_list(request: HttpRequest) -> HttpResponse:
    return json_response({"results": record.indicators(request.build_absolute_uri)})


@api_view
def indicator_detail(request: HttpRequest, pk: str) -> HttpResponse:
    message = "Indikatorn finns inte eller är inte publicerad."
    return json_response(
        _found(record.indicator(_pk(pk, message), request.build_absolute_uri), message)
    )


@api_view
def budget(request: HttpRequest) -> HttpResponse:
    return json_response({"results": record.budget(request.build_absolute_uri)})


@api_view
def budget_csv(request: HttpRequest) -> HttpResponse:
    return csv_response(
        record.BUDGET_CSV_HEADER,
        record.budget_csv_rows(request.build_absolute_uri),
        "insyn-budget.csv",
    )


@api_view
def participatory_budget_list(request: HttpRequest) -> HttpResponse:
    return json_response({"results": record.participatory_budgets(request.build_absolute_uri)})


@api_view
def participatory_budget_detail(request: HttpRequest, pk: str) -> HttpResponse:
    message = "Medborgarbudgeten finns inte eller är inte publicerad."
    return json_response(
        _found(record.participatory_budget(_pk(pk, message), request.build_absolute_uri), message)
    )


EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)


def _date_param(request: HttpRequest, name: str, default: dt.date) -> dt.date:
    """An ISO date (YYYY-MM-DD) from the query string; a date outside 2000–2100 is clamped to
    it (no fault report is older or newer), anything else that is not a date is a 400."""
    raw = request.GET.get(name)
    if raw is None:
        return default
    try:
        if not raw.isascii() or len(raw) != 10:
            raise ValueError
        value = dt.date.fromisoformat(raw)
    except ValueError:
        raise ApiError(400, f"Parametern {name} måste vara ett datum som 2024-01-31.") from None
    return min(max(value, EARLIEST), LATEST)


def _statistics_range(request: HttpRequest) -> tuple[dt.date, dt.date]:
    """start..end inclusive (default: the last 365 days); start after end gives no rows."""
    today = timezone.localdate()
    end = _date_param(request, "end", today)
    start = _date_param(request, "start", end - dt.timedelta(days=365))
    return start, end


@api_view
def fault_statistics(request: HttpRequest) -> HttpResponse:
    start, end = _statistics_range(request)
    return json_response(
        {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "results": record.fault_statistics(start=start, end=end),
        }
    )


@api_view
def fault_statistics_csv(request: HttpRequest) -> HttpResponse:
    start, end = _statistics_range(request)
    rows = [
        [r["month"], r["category"], r["area"], r["received"], r["resolved"]]
        for r in record.fault_statistics(start=start, end=end)
    ]
    return csv_response(
        record.FAULT_STATISTICS_CSV_HEADER, rows, f"insyn-felanmalningar-{start}-{end}.csv"
    )


@api_view
def catalog(request: HttpRequest, fmt: str = "") -> HttpResponse:
    """The DCAT-AP-SE catalogue: RDF/XML, Turtle or JSON-LD by suffix or Accept header."""
    if fmt:
        media_type = catalogue.MEDIA_TYPES_BY_SUFFIX.get(fmt)
        if media_type is None:
            raise ApiError(404, "Katalogen finns som catalog.rdf, catalog.ttl och catalog.jsonld.")
    else:
        media_type = catalogue.negotiate(request.headers.get("Accept", ""))
    body = catalogue.serialise(catalogue.build(request.build_absolute_uri), media_type)
    response = HttpResponse(body, content_type=f"{media_type}; charset=utf-8")
    if not fmt:
        response["Vary"] = "Accept"
    return response


@api_view
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    raise ApiError(404, "Adressen finns inte i det öppna gränssnittet. Se /api/openapi.json.")
