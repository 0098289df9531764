"""Read-side helpers for organisations."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.db import connection

from insyn.core.publication import publication_version
from insyn.core.reference import Memo
from insyn.organisations.geometry import DistrictIndex, box_around, distance_m
from insyn.organisations.models import (
    BOARD_KINDS,
    District,
    Municipality,
    Organisation,
    OrganisationGroup,
    OrganisationKind,
)

MUNICIPALITY_CACHE_KEY = "insyn:municipality"


# (publication version, municipality): this process's copy, good while the version is current
# (a saved Municipality bumps it). Every template of a page asks (the context processor runs for
# each included render), so this saves a cache round trip each time.
_memo: tuple[str, Municipality] | None = None


def current_municipality() -> Municipality | None:
    """The municipality this instance serves; cached because every page shows it."""
    global _memo
    version = publication_version()
    memo = _memo
    if memo is not None and memo[0] == version:
        return memo[1]
    municipality = cache.get(MUNICIPALITY_CACHE_KEY)
    if municipality is None:
        municipality = Municipality.objects.order_by("pk").first()
        if municipality is not None:
            cache.set(MUNICIPALITY_CACHE_KEY, municipality, 300)
    # Never remember what an open transaction sees: it may roll back without a bump.
    if municipality is not None and not connection.in_atomic_block:
        _memo = (version, municipality)
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


# --- Districts ---------------------------------------------------------------------------------


def districts_at(lat: float, long: float) -> list[District]:
    """Every district whose shape covers the point, smallest first (a point on a shared border
    is in both). No query: this process's R-tree of the districts' prepared shapes, built again
    when a district has changed (insyn.core.reference; every fault report is routed this way)."""
    return _district_tree.get().candidates(lat, long)


def district_at(lat: float, long: float) -> District | None:
    """The smallest district covering the point, or None."""
    found = districts_at(lat, long)
    return found[0] if found else None


def district_index() -> DistrictIndex:
    """All shaped districts in one R-tree, for looking up many points at once."""
    return DistrictIndex(District.objects.filter(geometry__isnull=False))


_district_tree: Memo[DistrictIndex] = Memo(district_index)


# --- Distance ----------------------------------------------------------------------------------

MAX_RADIUS_M = 20_000


def within_radius(qs: Any, lat: float, long: float, metres: float) -> Any:
    """`qs` (rows with lat/long fields) narrowed to those within `metres` of the point, as a
    QuerySet (so the caller can still order and page in SQL). The bounding box prefilters in
    SQL, the great-circle distance decides; two queries. Used by the public list and map,
    Open311's requests GET and the nearby reports before filing."""
    metres = max(0.0, min(float(metres), MAX_RADIUS_M))
    min_lat, max_lat, min_long, max_long = box_around(lat, long, metres)
    rows = qs.filter(
        lat__gte=min_lat, lat__lte=max_lat, long__gte=min_long, long__lte=max_long
    ).values_list("pk", "lat", "long")
    ids = [pk for pk, y, x in rows if distance_m(lat, long, y, x) <= metres]
    return qs.filter(pk__in=ids)
