"""Every read the Open311 server makes, each with a bounded number of queries.

What a client sees: published fault reports (`PUBLISHED_CASES`, the one rule the public site
uses), plus — with its api_key — the requests it filed itself, and with an organisation's key the
fault reports routed to that organisation.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from insyn.core.reference import Memo
from insyn.feedback.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    PUBLISHED_CASES,
    Case,
    CaseEvent,
    CasePhoto,
    Category,
    Kind,
    Open311ApiKey,
    PublicState,
)
from insyn.feedback.open311.parse import RequestQuery, UpdateQuery
from insyn.organisations.selectors import within_radius


def _services() -> QuerySet[Category]:
    return Category.objects.for_fault_reports().prefetch_related("questions")


def service_list() -> list[Category]:
    """The active fault-report categories with their questions."""
    return list(_services())


def _services_by_code() -> dict[str, Category]:
    return {category.code: category for category in _services()}


# In this process until a category or question changes (insyn.core.reference): every POST asks.
_by_code: Memo[dict[str, Category]] = Memo(_services_by_code)


def service(code: str) -> Category | None:
    """The active fault-report category with this code, with its questions (shared: read only)."""
    return _by_code.get().get(code)


def _visible(key: Open311ApiKey | None) -> Q:
    visible = PUBLISHED_CASES
    if key is not None:
        visible |= Q(api_key=key)
        if key.organisation_id:
            visible |= Q(organisation_id=key.organisation_id, kind=Kind.FAULT)
    return visible


@dataclass(slots=True)
class RequestRow:
    """What `serialise.requests` reads of a case, read as plain values (issue 13: a page of
    1,000 requests built 3,000 model instances; these are tuples from one query)."""

    pk: int
    number: str
    status: str
    is_published: bool
    category_name: str
    category_code: str
    organisation_name: str | None
    public_description: str
    notice: str
    created_at: dt.datetime
    updated_at: dt.datetime
    closed_at: dt.datetime | None
    due_at: dt.datetime | None
    public_address: str
    lat: float | None
    long: float | None


_ROW_FIELDS = (
    "pk",
    "number",
    "status",
    "public_state",
    "kind",
    "category__name",
    "category__code",
    "organisation__name",
    "public_description",
    "notice",
    "created_at",
    "updated_at",
    "closed_at",
    "due_at",
    "public_address",
    "lat",
    "long",
)


def _rows(qs: QuerySet[Case]) -> list[RequestRow]:
    published, fault = PublicState.PUBLISHED, Kind.FAULT
    return [
        RequestRow(pk, number, status, state == published and kind == fault, *rest)
        for pk, number, status, state, kind, *rest in qs.values_list(*_ROW_FIELDS)
    ]


def _cases(key: Open311ApiKey | None) -> QuerySet[Case]:
    return Case.objects.filter(_visible(key))


def _in_page(ids: list[int]) -> Any:
    """The page's case ids for `case_id__in`: on PostgreSQL one array parameter (1,000
    placeholders cost more to send than the query takes to run), elsewhere the list."""
    if connection.vendor == "postgresql" and len(ids) > 20:
        return RawSQL("SELECT unnest(%s::bigint[])", [ids])
    return ids


def requests(query: RequestQuery, key: Open311ApiKey | None) -> list[RequestRow]:
    """One page of the requests the client may see, newest first, narrowed as it asked."""
    qs = _cases(key).order_by("-created_at", "-pk")
    if query.ids:
        qs = qs.filter(number__in=query.ids)
    else:
        if query.codes:
            qs = qs.filter(category__code__in=query.codes)
        if query.status == "open":
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif query.status == "closed":
            qs = qs.filter(status__in=CLOSED_STATUSES)
        qs = qs.filter(created_at__gte=query.start, created_at__lte=query.end)
        if query.lat is not None and query.long is not None:
            qs = within_radius(qs, query.lat, query.long, query.radius)
    return _rows(qs[(query.page - 1) * query.size : query.page * query.size])


def request(number: str, key: Open311ApiKey | None) -> RequestRow | None:
    rows = _rows(_cases(key).filter(number=number)[:1])
    return rows[0] if rows else None


def case_by_token(token: str | None) -> Case | None:
    if token is None:
        return None
    return Case.objects.filter(open311_token=token).exclude(open311_token="").first()


def case_by_number(number: str) -> Case | None:
    """Any case, published or not: an update POSTed with a key is checked by the service."""
    return Case.objects.filter(number=number).first()


def latest_public_notes(cases: Sequence[RequestRow]) -> dict[int, str]:
    """Each case's newest public event text (status_notes): one query for the page."""
    notes: dict[int, str] = {}
    for case_id, body in (
        CaseEvent.objects.filter(case_id__in=_in_page([c.pk for c in cases]), is_public=True)
        .exclude(body="")
        .order_by("case_id", "-created_at", "-pk")
        .values_list("case_id", "body")
    ):
        notes.setdefault(case_id, body)
    return notes


def first_public_photos(cases: Sequence[RequestRow]) -> dict[int, uuid.UUID]:
    """Each case's first public photo (media_url): one query for the page."""
    media: dict[int, uuid.UUID] = {}
    for photo in (
        CasePhoto.objects.filter(case_id__in=_in_page([c.pk for c in cases]), hidden=False)
        .exclude(public_image="")
        .order_by("case_id", "created_at", "pk")
        .only("uuid", "case_id")
    ):
        media.setdefault(photo.case_id, photo.uuid)
    return media


def updates(query: UpdateQuery, key: Open311ApiKey | None) -> list[CaseEvent]:
    """One page of public events on the cases the client may see, oldest first."""
    qs = (
        CaseEvent.objects.filter(
            is_public=True,
            created_at__gte=query.start,
            created_at__lte=query.end,
            case__in=Case.objects.filter(_visible(key)),
        )
        .select_related("case")
        .only("pk", "kind", "status", "body", "data", "created_at", "case__number", "case__status")
        .order_by("created_at", "pk")
    )
    if query.ids:
        qs = qs.filter(case__number__in=query.ids)
    return list(qs[(query.page - 1) * query.size : query.page * query.size])
