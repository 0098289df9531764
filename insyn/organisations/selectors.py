"""Read-side helpers for organisations."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache

from insyn.organisations.models import (
    BOARD_KINDS,
    Municipality,
    Organisation,
    OrganisationGroup,
    OrganisationKind,
)

MUNICIPALITY_CACHE_KEY = "insyn:municipality"


def current_municipality() -> Municipality | None:
    """The municipality this instance serves; cached because every page shows it."""
    municipality = cache.get(MUNICIPALITY_CACHE_KEY)
    if municipality is None:
        municipality = Municipality.objects.order_by("pk").first()
        if municipality is not None:
            cache.set(MUNICIPALITY_CACHE_KEY, municipality, 300)
    return municipality


def expand_responsible(
    organisations: Iterable[Organisation], groups: Iterable[OrganisationGroup], year: int
) -> list[Organisation]:
    """Every organisation named directly or through a group, for the given year, by name."""
    found: dict[int, Organisation] = {org.pk: org for org in organisations}
    kinds = {kind for group in groups for kind in group.kinds}
    if kinds:
        for org in Organisation.objects.filter(kind__in=kinds).active_in(year):
            found.setdefault(org.pk, org)
    return sorted(found.values(), key=lambda org: org.name)


def count_by_kind(organisations: Iterable[Organisation]) -> tuple[int, int]:
    """(boards, companies) among the organisations; the executive board counts as a board."""
    boards = companies = 0
    for org in organisations:
        if org.kind in BOARD_KINDS:
            boards += 1
        elif org.kind == OrganisationKind.COMPANY:
            companies += 1
    return boards, companies
