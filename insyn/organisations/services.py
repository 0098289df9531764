"""Writes to the organisation registry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils.text import slugify

from insyn.organisations.geometry import WGS84, GeometryError, crs_from_name, parse_geometry
from insyn.organisations.models import (
    District,
    DistrictKind,
    Municipality,
    Organisation,
    OrganisationAlias,
    OrganisationGroup,
)
from insyn.organisations.registry import GroupEntry, OrgEntry, Registry
from insyn.organisations.selectors import MUNICIPALITY_CACHE_KEY

DATA_DIR = Path(__file__).resolve().parent / "data"


def _unique_slug(model: Any, base: str, exclude_pk: int | None = None) -> str:
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
            parent_company=municipality.get("parent_company", ""),
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
    registry = Registry(organisations, groups)
    municipality = Municipality.objects.order_by("pk").first()
    if municipality is not None:
        registry.municipality = {
            key: value
            for key, value in {
                "name": municipality.name,
                "short_name": municipality.short_name,
                "code": municipality.code,
                "parent_company": municipality.parent_company,
            }.items()
            if value
        }
    return registry


# --- Districts from GeoJSON ------------------------------------------------------------------

DEMO_DISTRICTS_FILE = DATA_DIR / "uppsala_districts.geojson"


class AreaImportError(ValueError):
    """A GeoJSON file that cannot be imported; `problems` are Swedish, one per wrong feature."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _line_of(text: str, needle: str, start: int = 0) -> int | None:
    at = text.find(needle, start) if needle else -1
    return text.count("\n", 0, at) + 1 if at >= 0 else None


def parse_areas(
    text: str, *, crs: int | None = None, kind: str | None = None
) -> list[dict[str, Any]]:
    """Checked districts from a GeoJSON FeatureCollection (or one Feature): a list of dicts
    with name, code, kind, order, approximate and WGS 84 geometry. Every problem is collected
    (feature number, name and line) and raised together as AreaImportError."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AreaImportError(
            [f"Filen är inte giltig JSON (rad {exc.lineno}, kolumn {exc.colno}): {exc.msg}."]
        ) from None
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        features: Any = [doc]
    elif isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        features = doc.get("features")
    else:
        raise AreaImportError(["Filen är inte GeoJSON: väntade en FeatureCollection."])
    if not isinstance(features, list) or not features:
        raise AreaImportError(["Filen innehåller inga områden (features är tom)."])
    try:
        if crs is None:
            name = ((doc.get("crs") or {}).get("properties") or {}).get("name")
            crs = crs_from_name(name) if name else WGS84
    except GeometryError as exc:
        raise AreaImportError([str(exc)]) from None
    kinds = {k.value for k in DistrictKind}
    problems: list[str] = []
    areas: list[dict[str, Any]] = []
    seen: set[str] = set()
    cursor = 0
    for number, feature in enumerate(features, start=1):
        props = (feature.get("properties") if isinstance(feature, dict) else None) or {}
        name = str(props.get("name") or props.get("namn") or "").strip()
        line = _line_of(text, json.dumps(name, ensure_ascii=False)[1:-1], cursor) if name else None
        if line:
            cursor = text.find(json.dumps(name, ensure_ascii=False)[1:-1], cursor)
        label = (
            f"Område {number}" + (f" ({name})" if name else "") + (f", rad {line}" if line else "")
        )
        if not name:
            problems.append(f"{label}: saknar namn (egenskapen name).")
            continue
        if name in seen:
            problems.append(f"{label}: namnet finns redan tidigare i filen.")
            continue
        seen.add(name)
        feature_kind = str(props.get("kind") or kind or DistrictKind.DISTRICT)
        if feature_kind not in kinds:
            problems.append(f"{label}: okänd typ {feature_kind!r} (district eller service_area).")
            continue
        try:
            geometry = parse_geometry(feature.get("geometry"), crs=crs, label=label)
        except GeometryError as exc:
            problems.append(str(exc))
            continue
        areas.append(
            {
                "name": name[:200],
                "code": str(props.get("code") or props.get("kod") or "")[:20],
                "kind": feature_kind,
                "order": number,
                "approximate": bool(props.get("approximate", False)),
                "geometry": geometry,
            }
        )
    if problems:
        raise AreaImportError(problems)
    return areas


@transaction.atomic
def import_areas(text: str, *, crs: int | None = None, kind: str | None = None) -> tuple[int, int]:
    """Create or update districts by name from GeoJSON; all or nothing. Returns (created,
    updated). Districts not in the file are kept (cases and population still refer to them)."""
    created = updated = 0
    for area in parse_areas(text, crs=crs, kind=kind):
        district = District.objects.filter(name=area["name"]).first()
        if district is None:
            District.objects.create(slug=_unique_slug(District, area["name"]), **area)
            created += 1
        elif _set_if_changed(district, **area):
            updated += 1
    return created, updated


def load_demo_districts() -> tuple[int, int]:
    """The demo's districts of Uppsala: APPROXIMATE shapes, marked approximate."""
    return import_areas(DEMO_DISTRICTS_FILE.read_text(encoding="utf-8"))


DEMO_PLACES_FILE = DATA_DIR / "uppsala_places.csv"


def load_demo_places() -> tuple[int, int]:
    """The demo gazetteer of Uppsala: a few places, streets and addresses, APPROXIMATE points."""
    from insyn.organisations.places import import_places

    return import_places(DEMO_PLACES_FILE.read_text(encoding="utf-8"))
