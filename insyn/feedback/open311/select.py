"""Every read the Open311 server makes, each with a bounded number of queries.

What a client sees: published fault reports (`PUBLISHED_CASES`, the one rule the public site
uses), plus — with its api_key — the requests it filed itself, and with an organisation's key the
fault reports routed to that organisation.
"""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet

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
)
from insyn.feedback.open311.parse import RequestQuery, UpdateQuery
from insyn.organisations.selectors import within_radius


def _services() -> QuerySet[Category]:
    return Category.objects.for_fault_reports().prefetch_related("questions")


def service_list() -> list[Category]:
    """The active fault-report categories with their questions."""
    return list(_services())


def service(code: str) -> Category | None:
    return _services().filter(code=code).first()


def _visible(key: Open311ApiKey | None) -> Q:
    visible = PUBLISHED_CASES
    if key is not None:
        visible |= Q(api_key=key)
        if key.organisation_id:
            visible |= Q(organisation_id=key.organisation_id, kind=Kind.FAULT)
    return visible


def _cases(key: Open311ApiKey | None) -> QuerySet[Case]:
    return Case.objects.filter(_visible(key)).select_related("category", "organisation")


def requests(query: RequestQuery, key: Open311ApiKey | None) -> list[Case]:
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
    return list(qs[(query.page - 1) * query.size : query.page * query.size])


def request(number: str, key: Open311ApiKey | None) -> Case | None:
    return _cases(key).filter(number=number).first()


def case_by_token(token: str | None) -> Case | None:
    if token is None:
        return None
    return Case.objects.filter(open311_token=token).exclude(open311_token="").first()


def case_by_number(number: str) -> Case | None:
    """Any case, published or not: an update POSTed with a key is checked by the service."""
    return Case.objects.filter(number=number).first()


def latest_public_notes(cases: list[Case]) -> dict[int, str]:
    """Each case's newest public event text (status_notes): one query for the page."""
    notes: dict[int, str] = {}
    for case_id, body in (
        CaseEvent.objects.filter(case_id__in=[c.pk for c in cases], is_public=True)
        .exclude(body="")
        .order_by("case_id", "-created_at", "-pk")
        .values_list("case_id", "body")
    ):
        notes.setdefault(case_id, body)
    return notes


def first_public_photos(cases: list[Case]) -> dict[int, uuid.UUID]:
    """Each case's first public photo (media_url): one query for the page."""
    media: dict[int, uuid.UUID] = {}
    for photo in (
        CasePhoto.objects.filter(case_id__in=[c.pk for c in cases], hidden=False)
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
