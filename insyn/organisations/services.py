"""Writes to the organisation registry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils.text import slugify

from insyn.importers.registry import GroupEntry, OrgEntry, Registry
from insyn.organisations.models import (
    Municipality,
    Organisation,
    OrganisationAlias,
    OrganisationGroup,
)
from insyn.organisations.selectors import MUNICIPALITY_CACHE_KEY

DATA_DIR = Path(__file__).resolve().parent / "data"


def _unique_slug(model: type, base: str, exclude_pk: int | None = None) -> str:
    slug = slugify(base)[:190] or "organisation"
    candidate, n = slug, 2
    while model.objects.filter(slug=candidate).exclude(pk=exclude_pk).exists():
        candidate, n = f"{slug}-{n}", n + 1
    return candidate


def _set_if_changed(obj: Any, **values: Any) -> bool:
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save()
    return bool(changed)


def ensure_organisation(*, name: str, kind: str, short_name: str = "") -> Organisation:
    """The organisation with this exact name, created if it is new."""
    org = Organisation.objects.filter(name=name).first()
    if org is None:
        org = Organisation.objects.create(
            name=name, kind=kind, short_name=short_name, slug=_unique_slug(Organisation, name)
        )
    return org


@transaction.atomic
def load_registry(data: dict[str, Any]) -> tuple[int, int]:
    """Load a registry in the data-file format (insyn/organisations/data/*.json), idempotently.

    Returns (organisations created, organisations updated).
    """
    registry = Registry.from_json(data)  # validates the names do not collide
    municipality = data.get("municipality") or {}
    if municipality:
        obj, _ = Municipality.objects.get_or_create(
            code=municipality["code"],
            defaults={
                "name": municipality["name"],
                "short_name": municipality.get("short_name", municipality["name"]),
            },
        )
        _set_if_changed(
            obj,
            name=municipality["name"],
            short_name=municipality.get("short_name", municipality["name"]),
        )
        cache.delete(MUNICIPALITY_CACHE_KEY)
    created = updated = 0
    by_name: dict[str, Organisation] = {}
    for entry in registry.organisations:
        org = Organisation.objects.filter(name=entry.name).first()
        short = entry.abbreviations[0] if entry.abbreviations else ""
        if org is None:
            org = Organisation.objects.create(
                name=entry.name,
                kind=entry.kind,
                short_name=short,
                slug=_unique_slug(Organisation, entry.name),
                active_from=entry.active_from,
                active_until=entry.active_until,
            )
            created += 1
        elif _set_if_changed(
            org,
            kind=entry.kind,
            short_name=short or org.short_name,
            active_from=entry.active_from,
            active_until=entry.active_until,
        ):
            updated += 1
        by_name[entry.name] = org
        _sync_aliases(org, entry)
    for entry in registry.organisations:
        successor_name = getattr(entry, "successor", None)
        if successor_name and successor_name in by_name:
            _set_if_changed(by_name[entry.name], successor=by_name[successor_name])
    for group in registry.groups:
        _load_group(group)
    return created, updated


def _sync_aliases(org: Organisation, entry: OrgEntry) -> None:
    wanted = {a: OrganisationAlias.Kind.ABBREVIATION for a in entry.abbreviations}
    wanted.update({a: OrganisationAlias.Kind.ALIAS for a in entry.aliases if a not in wanted})
    existing = {a.alias.lower(): a for a in org.aliases.all()}
    for alias, kind in wanted.items():
        if alias.lower() not in existing:
            OrganisationAlias.objects.create(organisation=org, alias=alias, kind=kind)


def _load_group(entry: GroupEntry) -> OrganisationGroup:
    group = OrganisationGroup.objects.filter(name=entry.name).first()
    if group is None:
        return OrganisationGroup.objects.create(
            name=entry.name,
            slug=_unique_slug(OrganisationGroup, entry.name),
            kinds=list(entry.kinds),
            aliases=list(entry.aliases),
        )
    _set_if_changed(group, kinds=list(entry.kinds), aliases=list(entry.aliases))
    return group


def load_registry_file(path: str | Path) -> tuple[int, int]:
    with open(path, encoding="utf-8") as handle:
        return load_registry(json.load(handle))


def registry_from_database() -> Registry:
    """The registry as the importers need it, built from the database (three queries)."""
    organisations = [
        OrgEntry(
            name=org.name,
            kind=org.kind,
            abbreviations=tuple(
                a.alias for a in org.aliases.all() if a.kind == OrganisationAlias.Kind.ABBREVIATION
            ),
            aliases=tuple(
                a.alias for a in org.aliases.all() if a.kind != OrganisationAlias.Kind.ABBREVIATION
            ),
            active_from=org.active_from,
            active_until=org.active_until,
        )
        for org in Organisation.objects.prefetch_related("aliases")
    ]
    groups = [
        GroupEntry(name=g.name, kinds=tuple(g.kinds), aliases=tuple(g.aliases))
        for g in OrganisationGroup.objects.all()
    ]
    return Registry(organisations, groups)
