"""Reads for the feedback pages, Open311 and the goal/assignment panels — bounded queries."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    CharField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models import Case as SqlCase
from django.db.models.functions import Floor
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from insyn.core.parallel import beside
from insyn.core.registry import LoopItem, Panel
from insyn.feedback.models import (
    ACTIVE_STATUSES,
    CLOSED_STATUSES,
    LOCATED,
    MAP_CELL_LAT,
    MAP_CELL_LONG,
    MAP_SUM_UNIT,
    OPEN_STATUSES,
    PUBLISHED_CASES,
    Case,
    CaseEvent,
    CaseFollower,
    CaseMapCell,
    CasePhoto,
    CaseStatus,
    Category,
    CategoryQuestion,
    DialogueLink,
    Kind,
    Theme,
)
from insyn.feedback.services import hash_token
from insyn.goals.models import Assignment, Goal, Report
from insyn.organisations.geometry import distance_m
from insyn.organisations.models import Organisation
from insyn.organisations.selectors import within_radius

INBOX_PAGE_SIZE = 50
PUBLIC_PAGE_SIZE = 25
NEARBY_METRES = 300
NEARBY_LIMIT = 10


# --- Categories -------------------------------------------------------------------------------


def fault_categories() -> list[Category]:
    return list(Category.objects.for_fault_reports())


def feedback_categories() -> list[Category]:
    return list(Category.objects.for_feedback())


def category_with_questions(code: str) -> Category | None:
    return Category.objects.active().filter(code=code).prefetch_related("questions").first()


# --- Pages of results without COUNT(*) (the inbox must stay fast at a million cases) -----------


@dataclass
class Page:
    items: list[Any]
    number: int
    has_next: bool
    page_size: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.page_size + 1


def paginate(qs: QuerySet, page: int, size: int) -> Page:
    page = max(1, min(page, 10_000))
    rows = list(qs[(page - 1) * size : page * size + 1])
    return Page(rows[:size], page, len(rows) > size, size)


# --- Inbox ------------------------------------------------------------------------------------


@dataclass
class InboxFilters:
    status: str = ""
    category: int | None = None
    organisation: int | None = None  # 0 = not assigned
    kind: str = ""
    overdue: bool = False
    number: str = ""
    page: int = 1

    def querystring(self) -> str:
        """The filters (not the page) as a query string, for pagination links."""
        values = {
            "status": self.status,
            "kategori": self.category,
            "organisation": self.organisation,
            "typ": self.kind,
            "forsenade": "1" if self.overdue else "",
            "nummer": self.number,
        }
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})


def _inbox_conditions(
    filters: InboxFilters, organisation_ids: set[int] | None, *, unassigned: Q
) -> Q:
    """What the inbox's filters (and a case handler's organisations) ask of a case's status,
    category, organisation and kind: of the cases, and of the map's stored grid, which has the
    same four columns (`unassigned`: how each says a case has no organisation)."""
    conditions = Q()
    if organisation_ids is not None:
        conditions &= Q(organisation_id__in=organisation_ids)
    if filters.status == "open":
        conditions &= Q(status__in=OPEN_STATUSES)
    elif filters.status in CaseStatus.values:
        conditions &= Q(status=filters.status)
    if filters.category:
        conditions &= Q(category_id=filters.category)
    if filters.organisation == 0:
        conditions &= unassigned
    elif filters.organisation:
        conditions &= Q(organisation_id=filters.organisation)
    if filters.kind in Kind.values:
        conditions &= Q(kind=filters.kind)
    return conditions


def _inbox_filtered(
    filters: InboxFilters, now: dt.datetime, organisation_ids: set[int] | None = None
) -> QuerySet[Case]:
    qs = Case.objects.filter(
        _inbox_conditions(filters, organisation_ids, unassigned=Q(organisation__isnull=True))
    )
    if filters.number:
        number = filters.number.strip().upper()
        qs = qs.filter(number=number) if valid_number(number) else qs.none()
    if filters.overdue:
        qs = qs.filter(status__in=ACTIVE_STATUSES, due_at__lt=now)
    return qs


def inbox(
    filters: InboxFilters,
    *,
    now: dt.datetime | None = None,
    page_size: int = INBOX_PAGE_SIZE,
    organisation_ids: set[int] | None = None,
) -> Page:
    """The staff inbox; `organisation_ids` limits it to those organisations' cases (a case
    handler's view), None shows every case (the contact centre)."""
    now = now or timezone.now()
    qs = (
        _inbox_filtered(filters, now, organisation_ids)
        .select_related("category", "organisation", "area")
        .only(
            "number",
            "kind",
            "status",
            "created_at",
            "due_at",
            "address_text",
            "public_state",
            "source",
            "merged_into_id",
            "category__name",
            "organisation__name",
            "area__name",
        )
    )
    return paginate(qs.order_by("-created_at", "-id"), filters.page, page_size)


INBOX_MAP_COUNT_LIMIT = 1000  # the inbox says "över 1 000" rather than count a million


def inbox_map_count(
    filters: InboxFilters,
    *,
    now: dt.datetime | None = None,
    organisation_ids: set[int] | None = None,
) -> int:
    """How many located cases match the filters, counted up to INBOX_MAP_COUNT_LIMIT + 1 (a
    COUNT over a LIMIT: the inbox page never counts every case), planned for its filters."""
    with _planned_for_these_values():
        return (
            _inbox_filtered(filters, now or timezone.now(), organisation_ids)
            .filter(LOCATED)
            .order_by()[: INBOX_MAP_COUNT_LIMIT + 1]
            .count()
        )


def inbox_map_points(
    filters: InboxFilters,
    *,
    bbox: tuple[float, float, float, float] | None = None,
    zoom: int | None = None,
    now: dt.datetime | None = None,
    organisation_ids: set[int] | None = None,
) -> dict[str, Any]:
    """The inbox's map for one viewport: the located cases matching the filters, limited like
    the inbox, as points or grid clusters like the public map (`map_view`). Clusters of cells
    no smaller than the stored grid's, for filters the grid keeps (all but overdue and the
    case number), are read from the grid (`CaseMapCell`): the same clusters, from a few
    thousand rows instead of every located case in view."""
    qs = _inbox_filtered(filters, now or timezone.now(), organisation_ids).filter(LOCATED)
    stored = None
    if not filters.overdue and not filters.number:
        stored = _stored_cells(filters, organisation_ids)
    return map_view(qs, bbox=bbox, zoom=zoom, stored=stored)


def _stored_cells(filters: InboxFilters, organisation_ids: set[int] | None) -> QuerySet:
    """The grid's rows for the inbox's filters (those `_inbox_filtered` asks of the cases)."""
    return CaseMapCell.objects.filter(
        _inbox_conditions(filters, organisation_ids, unassigned=Q(organisation_id=0))
    )


CASE_NUMBER = re.compile(r"^[A-Z]{1,10}-\d{4}-\d{1,12}$")


def valid_number(number: str) -> bool:
    return bool(CASE_NUMBER.match(number or ""))


def case_for_staff(number: str) -> Case | None:
    if not valid_number(number):
        return None
    return (
        Case.objects.select_related(
            "category",
            "organisation",
            "area",
            "merged_into",
            "goal",
            "assignment",
            "theme",
            "api_key",
            "created_by",
        )
        .filter(number=number)
        .first()
    )


def extra_answers(case: Case) -> list[tuple[str, str]]:
    """A case's answers to its category's extra questions as (question, answer) labels — never
    the raw keys ("stolpnummer", "antal") the form and Open311 store (one query)."""
    if not case.attributes:
        return []
    questions = {q.code: q for q in CategoryQuestion.objects.filter(category_id=case.category_id)}
    rows = []
    for code, value in case.attributes.items():
        question = questions.get(code)
        if question is None:
            rows.append((str(code), str(value)))
            continue
        names = dict(question.choices)
        values = value if isinstance(value, list) else [value]
        shown = ", ".join(names.get(str(v), str(v)) for v in values)
        rows.append((question.description, shown))
    return rows


def case_detail(case: Case) -> dict[str, Any]:
    """Events, photos, followers count, duplicates and history for the staff case page."""
    events = list(case.events.select_related("actor", "api_key").order_by("created_at", "pk"))
    history = list(
        case.history.select_related("history_user", "organisation").order_by("-history_date")[:50]
    )
    return {
        "extra_answers": extra_answers(case),
        "events": events,
        "photos": list(case.photos.all()),
        "follower_count": case.followers.count(),
        "duplicates": list(case.duplicates.only("number", "created_at")[:50]),
        "history": history,
    }


# --- Public list and map ---------------------------------------------------------------------


def published_reports() -> QuerySet[Case]:
    return Case.objects.published()


@dataclass
class PublicFilters:
    category: int | None = None
    status: str = ""  # "open" | "closed" | ""
    page: int = 1
    goal: int | None = None  # linked to the goal (directly, via an assignment or a theme)
    assignment: int | None = None  # linked to the assignment (directly or via a theme)
    near: tuple[float, float, int] | None = None  # lat, long, metres


def linked_object(*, goal_id: int | None, assignment_id: int | None) -> Any:
    """The goal or assignment a filtered public list is about (for its heading), or None."""
    if assignment_id:
        return Assignment.objects.select_related("goal__plan").filter(pk=assignment_id).first()
    if goal_id:
        return Goal.objects.select_related("plan").filter(pk=goal_id).first()
    return None


def _public_filtered(qs: QuerySet[Case], filters: PublicFilters) -> QuerySet[Case]:
    if filters.category:
        qs = qs.filter(category_id=filters.category)
    if filters.goal:
        qs = qs.filter(_linked_to_goal(filters.goal))
    if filters.assignment:
        qs = qs.filter(_linked_to_assignment(filters.assignment))
    if filters.status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif filters.status == "closed":
        qs = qs.filter(status__in=CLOSED_STATUSES)
    if filters.near:
        qs = within_radius(qs, *filters.near)
    return qs


def public_list(filters: PublicFilters) -> Page:
    qs = (
        published_reports()
        .select_related("category", "area")
        .only(
            "number",
            "status",
            "created_at",
            "updated_at",
            "public_description",
            "public_address",
            "lat",
            "long",
            "category__name",
            "area__name",
            "kind",
            "public_state",
            "merged_into_id",
        )
    )
    qs = _public_filtered(qs, filters)
    return paginate(qs.order_by("-created_at", "-id"), filters.page, PUBLIC_PAGE_SIZE)


@contextmanager
def _planned_for_these_values() -> Iterator[None]:
    """On PostgreSQL, run the enclosed queries in a transaction whose statements are planned
    for the values they are given (`plan_cache_mode = force_custom_plan`), also once they are
    prepared statements (settings.py, DB_PREPARE_THRESHOLD).

    After five runs of a prepared statement PostgreSQL may switch to one generic plan for every
    value, which cannot prove a partial index's condition from parameters (`kind = $3` is not
    `kind = 'felanmalan'`) nor see how much of the table a range holds: the public map's grid
    over a million cases then read 600,000 rows through the heap instead of 200,000 from
    fb_case_public_geo alone, 2 s instead of 60 ms, from the eleventh request of a server
    thread on (issue 13). Planning these few large reads afresh costs a fraction of a
    millisecond."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        yield


MAP_POINT_LIMIT = 2000  # above this many reports in the viewport the map gets grid clusters
MAP_GRID = 40  # at most this many cluster cells across and down a viewport
MAP_CELL_PIXELS = 64  # a cluster cell's side on screen when the map says its zoom


def _cell_size(bbox: tuple[float, float, float, float], zoom: int | None) -> int:
    """A cluster cell's size for a viewport, as k: the cell is MAP_CELL_LAT·2^k degrees high and
    MAP_CELL_LONG·2^k wide (the stored grid's cell at k = 0; about square on screen in
    Sweden). The smallest such cell at least MAP_CELL_PIXELS wide on screen at `zoom` (web
    mercator: 256 px a tile) and at least 1/MAP_GRID of the viewport each way, so there are at
    most MAP_GRID + 1 cells across and down. Cells of fixed sizes, not fitted to the viewport:
    a cluster stays where it is as the map pans, and the stored grid's counts add up to it."""
    west, south, east, north = bbox
    width = (east - west) / MAP_GRID
    if zoom is not None:
        width = max(width, 360 / 2**zoom / 256 * MAP_CELL_PIXELS)
    height = (north - south) / MAP_GRID
    need = max(width / MAP_CELL_LONG, height / MAP_CELL_LAT, 2.0**-30)
    return max(-30, math.ceil(math.log2(need)))


def public_map_view(
    filters: PublicFilters,
    bbox: tuple[float, float, float, float] | None = None,
    zoom: int | None = None,
) -> dict[str, Any]:
    """The public map's data for one viewport (`bbox` = west, south, east, north in WGS 84;
    None: everywhere): published, located fault reports matching the list's filters (see
    `map_view`)."""
    return map_view(
        _public_filtered(published_reports().filter(LOCATED), filters), bbox=bbox, zoom=zoom
    )


def map_view(
    qs: QuerySet[Case],
    *,
    bbox: tuple[float, float, float, float] | None,
    zoom: int | None,
    stored: QuerySet[CaseMapCell] | None = None,
) -> dict[str, Any]:
    """A map's data for one viewport from located cases `qs`: up to MAP_POINT_LIMIT of them
    one row each (lat, long, number, category id, status; newest first); above it, grid
    clusters counted in the database (GROUP BY the cell: lat, long of the cells' mean point,
    count), so the answer stays small for any number of cases. Three queries at most.

    At a million cases (issue 13): whether the viewport holds more than MAP_POINT_LIMIT is
    counted up to the limit, points are sorted here (no ORDER BY over the viewport), clusters
    are grouped by hashing, and all of it reads a lat/long index (fb_case_public_geo,
    fb_case_located; the clusters from the index alone), so no viewport scans the table; each
    query is planned for its own viewport and filters (`_planned_for_these_values`).

    A cluster counts every case of its cell, also the part of a cell at the viewport's edge
    that is off the screen. `stored`: the stored grid's rows for the same cases, which give
    the clusters when the cells are no smaller than the grid's."""
    with _planned_for_these_values():
        return _map_view(qs, bbox=bbox, zoom=zoom, stored=stored)


def _map_view(
    qs: QuerySet[Case],
    *,
    bbox: tuple[float, float, float, float] | None,
    zoom: int | None,
    stored: QuerySet[CaseMapCell] | None,
) -> dict[str, Any]:
    if bbox is not None:
        west, south, east, north = bbox
        in_view = qs.filter(lat__gte=south, lat__lte=north, long__gte=west, long__lte=east)
        # Points or clusters? A count that stops at the limit, from the index alone.
        if in_view.order_by().values("lat")[: MAP_POINT_LIMIT + 1].count() <= MAP_POINT_LIMIT:
            return {**_map_payload(_points(in_view)), "clusters": []}
    else:  # an old client: the grid over where the cases are
        extent = qs.aggregate(
            n=Count("*"), s=Min("lat"), n_=Max("lat"), w=Min("long"), e=Max("long")
        )
        if extent["n"] <= MAP_POINT_LIMIT:
            return {**_map_payload(_points(qs)), "clusters": []}
        bbox = (
            extent["w"],
            extent["s"],
            max(extent["e"], extent["w"] + 1e-6),
            max(extent["n_"], extent["s"] + 1e-6),
        )
    k = _cell_size(bbox, zoom)
    west, south, east, north = bbox
    height, width = math.ldexp(MAP_CELL_LAT, k), math.ldexp(MAP_CELL_LONG, k)
    rows_, cols = (
        (math.floor(south / height), math.floor(north / height)),
        (math.floor(west / width), math.floor(east / width)),
    )
    if stored is not None and k >= 0:
        cells = [
            (y, x, n, float(lat) * MAP_SUM_UNIT, float(long) * MAP_SUM_UNIT)  # sum: numeric
            for y, x, n, lat, long in _stored_clusters(stored, k, rows_, cols)
        ]
    else:
        cells = _counted_clusters(qs, height, width, rows_, cols)
    clusters = [
        [round(lat / n, 5), round(long / n, 5), n]
        for y, x, n, lat, long in sorted(cells)
        if n > 0 and rows_[0] <= y <= rows_[1] and cols[0] <= x <= cols[1]
    ]
    return {
        "count": sum(n for _lat, _long, n in clusters),
        "categories": {},
        "statuses": {},
        "points": [],
        "clusters": clusters,
    }


Cells = list[tuple[int, int, int, float, float]]  # cell row, column, cases, sum of lat, long


def _counted_clusters(
    qs: QuerySet[Case],
    height: float,
    width: float,
    rows: tuple[int, int],
    cols: tuple[int, int],
) -> Cells:
    """The cells' counts from the cases: those in the viewport's whole cells, grouped by cell."""
    # Grouped by hashing, unordered (a sort of every row in view spilled to disk); the few
    # cells are put in order here. PostgreSQL cannot tell that FLOOR(lat / h) takes a few dozen
    # values and, expecting a group for every few rows, chose to sort the 150,000 open cases of
    # a million (on disk): sorting is ruled out for this one query, in map_view's transaction.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_sort = off")
    found = (
        qs.filter(
            lat__gte=rows[0] * height,
            lat__lt=(rows[1] + 1) * height,
            long__gte=cols[0] * width,
            long__lt=(cols[1] + 1) * width,
        )
        .annotate(cell_y=Floor(F("lat") / height), cell_x=Floor(F("long") / width))
        .values("cell_y", "cell_x")
        .annotate(n=Count("*"), lat_sum=Sum("lat"), long_sum=Sum("long"))
        .order_by()
        .values_list("cell_y", "cell_x", "n", "lat_sum", "long_sum")
    )
    return [(int(y), int(x), n, lat, long) for y, x, n, lat, long in found]


def _stored_clusters(
    stored: QuerySet[CaseMapCell], k: int, rows: tuple[int, int], cols: tuple[int, int]
) -> Cells:
    """The same cells' counts from the stored grid: its cells 2^k by 2^k to a cluster cell."""
    size = 2**k
    found = (
        stored.filter(
            cell_lat__gte=rows[0] * size,
            cell_lat__lt=(rows[1] + 1) * size,
            cell_long__gte=cols[0] * size,
            cell_long__lt=(cols[1] + 1) * size,
        )
        .annotate(cell_y=F("cell_lat").bitrightshift(k), cell_x=F("cell_long").bitrightshift(k))
        .values("cell_y", "cell_x")
        .annotate(cases=Sum("n"), lats=Sum("lat_sum"), longs=Sum("long_sum"))
        .order_by()
        .values_list("cell_y", "cell_x", "cases", "lats", "longs")
    )
    return list(found)


def _points(qs: QuerySet[Case]) -> list[list[Any]]:
    """Map rows of at most MAP_POINT_LIMIT cases, newest first (as ORDER BY -created_at, -id
    would give them; sorted here, so that the database reads only the viewport's index)."""
    found = list(
        qs.order_by().values_list(
            "lat", "long", "number", "category_id", "status", "created_at", "pk"
        )
    )
    found.sort(key=lambda row: (row[5], row[6]), reverse=True)
    return [
        [round(lat, 5), round(long, 5), number, str(category), status]  # type: ignore[arg-type]
        for lat, long, number, category, status, _created, _pk in found
    ]


def _map_payload(rows: list[list[Any]]) -> dict[str, Any]:
    used = {int(row[3]) for row in rows}
    categories = {
        str(pk): name for pk, name in Category.objects.filter(pk__in=used).values_list("pk", "name")
    }
    return {
        "count": len(rows),
        "categories": categories,
        "statuses": {str(value): str(label) for value, label in CaseStatus.choices},
        "points": rows,
    }


def public_report(number: str) -> Case | None:
    if not valid_number(number):
        return None
    return published_reports().select_related("category", "area").filter(number=number).first()


def public_photos(case: Case) -> list[CasePhoto]:
    return list(case.photos.filter(hidden=False).exclude(public_image=""))


def public_events(case: Case) -> list[CaseEvent]:
    return list(case.events.filter(is_public=True).order_by("created_at", "pk"))


def tracking_content(follower: CaseFollower) -> dict[str, Any]:
    """What a private tracking link shows of the followed case: everything public about it to
    its reporter, and to someone who merely follows only once it is published."""
    case = follower.case
    if not follower.may_see_case:
        return {"events": [], "photos": [], "governance": None, "withheld": True}
    return {
        "events": public_events(case),
        "photos": public_photos(case) if case.is_published else [],
        "governance": governance_link(case),
        "withheld": False,
    }


# --- Nearby open reports (before filing a duplicate) ----------------------------------------


@dataclass
class Nearby:
    case: Case
    distance: int | None
    show_text: bool
    form: Any = None


def nearby_open_reports(
    *,
    category: Category,
    lat: float | None = None,
    long: float | None = None,
    area_id: int | None = None,
    radius: int = NEARBY_METRES,
    limit: int = NEARBY_LIMIT,
) -> list[Nearby]:
    """Published open fault reports in the same category close by. A report that moderation
    has not published yet is nobody else's business: not named, not counted, no distance."""
    qs = (
        Case.objects.published()
        .filter(category=category, status__in=OPEN_STATUSES)
        .only(
            "number",
            "status",
            "created_at",
            "lat",
            "long",
            "public_state",
            "public_description",
            "public_address",
            "kind",
            "category_id",
            "area_id",
        )
    )
    if lat is not None and long is not None:
        rows = list(within_radius(qs, lat, long, radius).order_by("-created_at")[:200])
        found = sorted(
            ((distance_m(lat, long, c.lat, c.long), c) for c in rows), key=lambda t: t[0]
        )[:limit]
        return [Nearby(c, round(d), c.is_published) for d, c in found]
    if area_id:
        rows = list(qs.filter(area_id=area_id).order_by("-created_at")[:limit])
        return [Nearby(c, None, c.is_published) for c in rows]
    return []


def nearby_map_payload(nearby: list[Nearby]) -> dict[str, Any]:
    """The nearby reports with a point, in the public map's format (for the map on step 2);
    built from the already published rows, no new query but the category names."""
    return _map_payload(
        [
            [
                round(lat, 5),
                round(long, 5),
                n.case.number,
                str(n.case.category_id),
                n.case.status,
            ]
            for n in nearby
            if (lat := n.case.lat) is not None and (long := n.case.long) is not None
        ]
    )


# --- Tracking page ----------------------------------------------------------------------------


def follower_by_token(token: str) -> CaseFollower | None:
    if not token or len(token) > 100:
        return None
    return (
        CaseFollower.objects.select_related(
            "case",
            "case__category",
            "case__organisation",
            "case__area",
            "case__assignment",
            "case__goal",
            "case__theme",
            "case__theme__assignment",
            "case__theme__goal",
            "reported_case",
        )
        .filter(token_hash=hash_token(token))
        .first()
    )


@dataclass
class GovernanceLink:
    assignment: Any = None
    goal: Any = None
    theme: Any = None
    report: Report | None = None


def latest_compiled_report(assignment: Any) -> Report | None:
    reports = list(
        Report.objects.compiled_published()
        .filter(assignment=assignment)
        .select_related("period")[:20]
    )
    return max(reports, key=lambda r: r.period.sort_key) if reports else None


def governance_link(case: Case) -> GovernanceLink | None:
    """What the municipality is doing about it: the linked assignment (directly or by theme)
    and its latest published compiled status, else the linked goal."""
    theme = case.theme
    assignment = case.assignment or (theme.assignment if theme else None)
    goal = case.goal or (theme.goal if theme else None)
    if assignment is None and goal is None:
        return None
    report = latest_compiled_report(assignment) if assignment is not None else None
    if goal is None and assignment is not None:
        goal = assignment.goal
    return GovernanceLink(assignment=assignment, goal=goal, theme=theme, report=report)


# --- Statistics ------------------------------------------------------------------------------


@dataclass
class Statistics:
    start: dt.date
    end: dt.date
    total: int = 0
    by_kind: list[tuple[str, int]] = field(default_factory=list)
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_organisation: list[tuple[str, int]] = field(default_factory=list)
    by_month: list[tuple[str, int]] = field(default_factory=list)
    median_first_answer: dt.timedelta | None = None
    median_resolution: dt.timedelta | None = None
    resolved: int = 0
    resolved_on_time: int = 0
    fixed_yes: int = 0
    fixed_no: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return self.resolved_on_time / self.resolved if self.resolved else None


class _Microseconds(Aggregate):
    """An ordered-set aggregate over the microseconds from created_at to `end_field` (rows
    where it is set), as float8: PostgreSQL sorts float8 with its fast comparator and intervals
    through the generic one, which halves the time a year of cases takes (issue 13)."""

    template = (
        "%(function)s(0.5) WITHIN GROUP "
        "(ORDER BY round(date_part('epoch', %(expressions)s) * 1000000))"
    )
    output_field = FloatField()

    def __init__(self, end_field: str) -> None:
        super().__init__(
            ExpressionWrapper(F(end_field) - F("created_at"), output_field=DurationField()),
            filter=Q(**{f"{end_field}__isnull": False}),
        )


class _Median(_Microseconds):
    function = "percentile_cont"  # the middle value, or the mean of the middle two


class _LowerMiddle(_Microseconds):
    function = "percentile_disc"  # the lower of the middle two (the same sort, shared)


def _median(low: float | None, middle: float | None) -> dt.timedelta | None:
    """percentile_cont(0.5) of the intervals to the microsecond, from the float8 ones: PostgreSQL
    interpolates intervals as low + (high - low) × 0.5 rounded half to even, so the same is done
    here with the lower middle value (`middle - low` is that half, exact in a float8)."""
    if low is None or middle is None:
        return None
    return dt.timedelta(microseconds=int(low + round(middle - low)))


def _median_duration(qs: QuerySet[Case], end_field: str) -> dt.timedelta | None:
    """The portable median: count, then the middle row(s) by duration."""
    qs = qs.filter(**{f"{end_field}__isnull": False})
    n = qs.count()
    if not n:
        return None
    ordered = (
        qs.annotate(d=F(end_field) - F("created_at")).order_by("d").values_list("d", flat=True)
    )
    if n % 2:
        return ordered[n // 2]
    low, high = list(ordered[n // 2 - 1 : n // 2 + 1])
    return (low + high) / 2


def _ranked(counts: dict[Any, int], label: Any) -> list[tuple[str, int]]:
    return sorted(
        ((str(label(key)), n) for key, n in counts.items()), key=lambda row: (-row[1], row[0])
    )


def _month_starts(start: dt.date, end: dt.date, tz: Any) -> list[dt.datetime]:
    """The first moments (in `tz`) of the months that begin after `start` and by `end`."""
    starts: list[dt.datetime] = []
    year, month = start.year, start.month
    while True:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        first = dt.date(year, month, 1)
        if first > end:
            return starts
        starts.append(dt.datetime.combine(first, dt.time.min, tzinfo=tz))


@contextmanager
def _statistics_transaction() -> Iterator[None]:
    """PostgreSQL: the statistics' hash table and sorts of up to a year of cases in memory, not
    in temporary files, nor planned as if they spilled (at the default work_mem the GROUP BY of
    a year of a million cases was costed past jit_above_cost and compiled first); each query
    planned for its period."""
    with _planned_for_these_values():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '64MB'")
        yield


def _medians(qs: QuerySet[Case]) -> dict[str, float | None]:
    """PostgreSQL: the middle durations to the first answer and to resolution (the lower middle
    value and percentile_cont of each, see _median), sorted in memory."""
    with _statistics_transaction():
        return qs.aggregate(
            first_low=_LowerMiddle("first_answered_at"),
            first=_Median("first_answered_at"),
            resolution_low=_LowerMiddle("resolved_at"),
            resolution=_Median("resolved_at"),
        )


def statistics(*, start: dt.date, end: dt.date) -> Statistics:
    """Volumes, medians and on-time rate for cases received between start and end (inclusive).

    One GROUP BY (kind, category, organisation, month) with every count, summed up in Python,
    and on PostgreSQL one row of medians (percentile_cont, sorted in memory) read at the same
    time on a second connection (insyn.core.parallel.beside); both read the
    period from fb_case_statistics alone (an index-only scan, issue 13). The month is the
    number of the period's month starts a case comes after (a CASE over the dozen instants,
    computed here in the municipality's time zone), not the time zone conversion of every row
    (DATE_TRUNC of created_at AT TIME ZONE: half the GROUP BY's time over a year of a million
    cases). SQLite takes the medians from the middle rows instead.
    """
    tz = timezone.get_current_timezone()
    start_dt = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    end_dt = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    qs = Case.objects.filter(
        created_at__gte=start_dt, created_at__lt=end_dt, merged_into__isnull=True
    )
    month_starts = _month_starts(start, end, tz)
    months = [start.strftime("%Y-%m")] + [first.strftime("%Y-%m") for first in month_starts]
    month = SqlCase(
        *(When(created_at__lt=first, then=Value(i)) for i, first in enumerate(month_starts)),
        default=Value(len(month_starts)),
        output_field=IntegerField(),
    )
    stats = Statistics(start=start, end=end)
    by_kind: Counter = Counter()
    by_category: Counter = Counter()
    by_org: Counter = Counter()
    by_month: Counter = Counter()
    resolved = Q(resolved_at__isnull=False, due_at__isnull=False)
    # PostgreSQL: the medians' scan and sorts on a second connection (another core) while this
    # one groups and counts (parallel.beside); both took about 120 ms of a year of a million
    # cases one after the other.
    medians = beside(lambda: _medians(qs)) if connection.vendor == "postgresql" else None
    with _statistics_transaction():
        rows = list(
            qs.annotate(month=month)
            .values("kind", "category_id", "organisation_id", "month")
            .annotate(
                n=Count("*"),
                resolved=Count("created_at", filter=resolved),
                on_time=Count("created_at", filter=resolved & Q(resolved_at__lte=F("due_at"))),
                yes=Count("created_at", filter=Q(resident_says_fixed=True)),
                no=Count("created_at", filter=Q(resident_says_fixed=False)),
            )
            .order_by()
        )
    for row in rows:
        by_kind[row["kind"]] += row["n"]
        by_category[row["category_id"]] += row["n"]
        by_org[row["organisation_id"]] += row["n"]
        by_month[months[row["month"]]] += row["n"]
        stats.resolved += row["resolved"]
        stats.resolved_on_time += row["on_time"]
        stats.fixed_yes += row["yes"]
        stats.fixed_no += row["no"]
    kinds = dict(Kind.choices)
    categories = dict(Category.objects.filter(pk__in=list(by_category)).values_list("pk", "name"))
    organisations = dict(
        Organisation.objects.filter(pk__in=[k for k in by_org if k]).values_list("pk", "name")
    )
    stats.by_kind = _ranked(by_kind, lambda k: kinds.get(k, k))
    stats.by_category = _ranked(by_category, lambda k: categories.get(k, k))
    stats.by_organisation = _ranked(by_org, lambda k: organisations.get(k) or _("Ej fördelat"))
    stats.by_month = sorted(by_month.items())
    stats.total = sum(by_kind.values())
    if medians is not None:
        found = medians.result()
        stats.median_first_answer = _median(found["first_low"], found["first"])
        stats.median_resolution = _median(found["resolution_low"], found["resolution"])
    elif stats.total:
        stats.median_first_answer = _median_duration(qs, "first_answered_at")
        stats.median_resolution = _median_duration(qs, "resolved_at")
    return stats


# --- Panels on goal and assignment pages ("Det här har invånare sagt") -----------------------


def _linked_to_goal(goal_id: int) -> Q:
    return (
        Q(goal_id=goal_id)
        | Q(assignment__goal_id=goal_id)
        | Q(theme__goal_id=goal_id)
        | Q(theme__assignment__goal_id=goal_id)
    )


def _linked_to_assignment(assignment_id: int) -> Q:
    return Q(assignment_id=assignment_id) | Q(theme__assignment_id=assignment_id)


def _panel(cases: QuerySet[Case], themes: QuerySet[Theme], list_url: str) -> Panel | None:
    """How many cases of each kind are linked here, and how many of them the public list shows
    (published fault reports): the link names that number and the list shows exactly those.
    One query: the counts per kind and per theme side by side (UNION ALL), themes by title."""
    kinds = dict(Kind.choices)
    per_kind = (
        cases.filter(merged_into__isnull=True)
        .values("kind")
        .annotate(
            part=Value("kind", output_field=CharField()),
            n=Count("id"),
            public=Count("id", filter=PUBLISHED_CASES),
        )
        .values_list("part", "kind", "n", "public")
        .order_by()
    )
    per_theme = (
        themes.annotate(
            part=Value("theme", output_field=CharField()),
            n=Count("cases", filter=Q(cases__merged_into__isnull=True)),
            public=Value(0, output_field=IntegerField()),
        )
        .values_list("part", "title", "n", "public")
        .order_by()
    )
    rows: list[tuple[str, int, int]] = []  # kind, cases, published
    theme_rows: list[tuple[str, int]] = []
    for part, label, n, public in per_kind.union(per_theme, all=True).order_by("part", "kind"):
        if part == "kind":
            rows.append((str(label), int(n), int(public)))
        elif len(theme_rows) < 20:
            theme_rows.append((str(label), int(n)))
    rows.sort(key=lambda row: (-row[1], row[0]))
    counts = [(str(kinds.get(kind, kind)), n) for kind, n, _public in rows]
    total = sum(n for _label, n in counts)
    if not total and not theme_rows:
        return None
    return Panel(
        template="feedback/panels/residents.html",
        title=_("Det här har invånare sagt"),
        context={
            "feedback_total": total,
            "feedback_public": sum(public for _kind, _n, public in rows),
            "feedback_counts": counts,
            "feedback_themes": theme_rows,
            "feedback_list_url": list_url,
        },
    )


def goal_panel(goal: Any) -> Panel | None:
    cases = Case.objects.filter(_linked_to_goal(goal.pk))
    themes = Theme.objects.filter(Q(goal=goal) | Q(assignment__goal=goal))
    return _panel(cases, themes, f"{reverse('feedback:reports')}?mal={goal.pk}")


def assignment_panel(assignment: Any) -> Panel | None:
    cases = Case.objects.filter(_linked_to_assignment(assignment.pk))
    themes = Theme.objects.filter(assignment=assignment)
    return _panel(cases, themes, f"{reverse('feedback:reports')}?uppdrag={assignment.pk}")


# --- "Ni sa — vi gjorde": what residents reported about a goal or assignment ---------------------

PUBLIC_DIALOGUE_STATES = ("published", "closed")  # dialogue.models.DialogueState, not imported
LOOP_DIALOGUE_DAYS = 365


def _loop(linked: Q, dialogues: dict[str, Any], list_url: str) -> list[LoopItem]:
    """One query: the cases linked here (directly or by theme) and those of the themes and
    categories that a public dialogue about this goal is linked to (a category: the last year),
    counted per theme, else per category. Counts only; merged duplicates left out."""
    since = timezone.now() - dt.timedelta(days=LOOP_DIALOGUE_DAYS)
    links = DialogueLink.objects.filter(dialogue__state__in=PUBLIC_DIALOGUE_STATES, **dialogues)
    rows = (
        Case.objects.filter(merged_into__isnull=True)
        .filter(
            linked
            | Q(theme_id__in=links.filter(theme__isnull=False).values("theme_id"))
            | Q(
                category_id__in=links.filter(category__isnull=False).values("category_id"),
                created_at__gte=since,
            )
        )
        .values("theme__title", "category__name")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: Counter[str] = Counter()
    for row in rows:
        counts[row["theme__title"] or row["category__name"]] += row["n"]
    return [
        LoopItem(
            stage="said",
            title=label,
            text=ngettext(
                "%(n)s synpunkt eller felanmälan", "%(n)s synpunkter och felanmälningar", n
            )
            % {"n": n},
            url=list_url,
            count=n,
            order=-n,
        )
        for label, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def goal_loop(goal: Any) -> list[LoopItem]:
    return _loop(
        _linked_to_goal(goal.pk),
        {"dialogue__goals": goal},
        f"{reverse('feedback:reports')}?mal={goal.pk}",
    )


def assignment_loop(assignment: Any) -> list[LoopItem]:
    return _loop(
        _linked_to_assignment(assignment.pk),
        {"dialogue__assignments": assignment},
        f"{reverse('feedback:reports')}?uppdrag={assignment.pk}",
    )


def dialogue_links(*, dialogue_id: int | None = None) -> list[DialogueLink]:
    """The staff list of links between dialogues and themes of cases (optionally one dialogue)."""
    links = DialogueLink.objects.select_related("dialogue", "theme", "category").order_by(
        "dialogue__title", "pk"
    )
    if dialogue_id is not None:
        links = links.filter(dialogue_id=dialogue_id)
    return list(links)
