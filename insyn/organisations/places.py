"""Finding places: the municipality's gazetteer (`Place`, loaded by `insyn import-places`) first,
then an optional external geocoder (`GEOCODER_URL`, Nominatim or Photon JSON) with a short
timeout. A geocoder that is down or slow never breaks a page: the caller gets the gazetteer's
answers and `geocoder_failed=True` so the page can say so and offer the area list."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction

from insyn.organisations.geometry import (
    SWEREF99TM,
    WGS84,
    GeometryError,
    crs_from_name,
    transform_point,
)

log = logging.getLogger(__name__)

MAX_QUERY = 100


def normalise(text: str) -> str:
    """Lowercase, punctuation to spaces, one space between words ("Kungsg. 12" → "kungsg 12")."""
    return " ".join(re.sub(r"[^\w]+", " ", (text or "").lower()).split())


@dataclass
class Found:
    label: str
    lat: float
    long: float
    kind: str
    source: str  # "gazetteer" | "geocoder"
    approximate: bool = False
    url: str = ""  # set by a page that links to the place


@dataclass
class PlaceSearch:
    query: str
    results: list[Found] = field(default_factory=list)
    geocoder_failed: bool = False


def search_gazetteer(query: str, limit: int = 8) -> list[Found]:
    """Places whose name contains every word of the query; exact and prefix matches first."""
    from insyn.organisations.models import Place, PlaceKind

    words = normalise(query[:MAX_QUERY]).split()[:6]
    if not words:
        return []
    qs = Place.objects.all()
    for word in words:
        qs = qs.filter(search_text__contains=word)
    wanted = " ".join(words)
    kind_rank = {PlaceKind.ADDRESS: 0, PlaceKind.PLACE: 1, PlaceKind.STREET: 2}
    rows = list(qs.order_by("name")[:200])
    rows.sort(
        key=lambda p: (
            normalise(p.name) != wanted,
            not p.search_text.startswith(wanted),
            kind_rank.get(p.kind, 3),
            len(p.name),
            p.name,
        )
    )
    return [Found(str(p), p.lat, p.long, p.kind, "gazetteer", p.approximate) for p in rows[:limit]]


def exact_place(text: str) -> Found | None:
    """The gazetteer's place named exactly `text` (case and punctuation aside), if one."""
    wanted = normalise(text[:MAX_QUERY])
    if not wanted:
        return None
    for found in search_gazetteer(text, limit=3):
        if wanted in (normalise(found.label), normalise(found.label.split(",")[0])):
            return found
    return None


def _bounds() -> tuple[float, float, float, float]:
    """The municipality's bounds (min_lat, max_lat, min_long, max_long) from the settings, as
    insyn.feedback.geo reads them — read here directly, since organisations sits below the
    feature apps in the layer order."""
    from django.conf import settings

    min_lat, max_lat, min_long, max_long = settings.FEEDBACK_BOUNDS
    return min_lat, max_lat, min_long, max_long


def parse_geocoder(data: Any) -> list[Found]:
    """Nominatim (a list of {lat, lon, display_name}) or Photon (GeoJSON features)."""
    found: list[Found] = []
    if isinstance(data, list):
        for item in data:
            try:
                found.append(
                    Found(
                        str(item.get("display_name") or item.get("name"))[:200],
                        float(item["lat"]),
                        float(item["lon"]),
                        "address",
                        "geocoder",
                    )
                )
            except (KeyError, TypeError, ValueError, AttributeError):
                continue
    elif isinstance(data, dict) and isinstance(data.get("features"), list):
        for feature in data["features"]:
            try:
                long, lat = feature["geometry"]["coordinates"][:2]
                props = feature.get("properties") or {}
                street = " ".join(
                    str(p) for p in (props.get("street"), props.get("housenumber")) if p
                )
                parts = [props.get("name"), street, props.get("city")]
                label = ", ".join(dict.fromkeys(str(p) for p in parts if p))
                found.append(Found(label[:200], float(lat), float(long), "address", "geocoder"))
            except (KeyError, TypeError, ValueError, AttributeError):
                continue
    min_lat, max_lat, min_long, max_long = _bounds()
    return [f for f in found if min_lat <= f.lat <= max_lat and min_long <= f.long <= max_long]


def search_geocoder(query: str, limit: int = 5) -> list[Found]:
    """Ask GEOCODER_URL; raises OSError/ValueError when it is down, slow or answers nonsense."""
    url = settings.GEOCODER_URL
    min_lat, max_lat, min_long, max_long = _bounds()
    params = {"q": query[:MAX_QUERY], "limit": str(limit)}
    if "photon" in url or url.rstrip("/").endswith("/api"):
        params["bbox"] = f"{min_long},{min_lat},{max_long},{max_lat}"
    else:
        params.update(
            format="jsonv2",
            countrycodes="se",
            bounded="1",
            viewbox=f"{min_long},{max_lat},{max_long},{min_lat}",
        )
    sep = "&" if "?" in url else "?"
    request = urllib.request.Request(
        url + sep + urllib.parse.urlencode(params),
        headers={"User-Agent": settings.GEOCODER_USER_AGENT, "Accept": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=settings.GEOCODER_TIMEOUT) as response:
        body = response.read(1_000_000)
    return parse_geocoder(json.loads(body))


def find_places(query: str, limit: int = 8) -> PlaceSearch:
    """The gazetteer's places, then the geocoder's if one is configured and room is left."""
    result = PlaceSearch(query=query.strip()[:MAX_QUERY])
    if not normalise(result.query):
        return result
    result.results = search_gazetteer(result.query, limit)
    if settings.GEOCODER_URL and len(result.results) < limit:
        try:
            extra = search_geocoder(result.query, limit - len(result.results))
        except Exception as exc:  # any failure of a remote service is only a missing extra
            log.warning("geocoder failed: %s", exc)
            result.geocoder_failed = True
        else:
            seen = {(round(f.lat, 4), round(f.long, 4)) for f in result.results}
            result.results += [f for f in extra if (round(f.lat, 4), round(f.long, 4)) not in seen]
    return result


# --- Import ----------------------------------------------------------------------------------


class PlaceImportError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _point(x: Any, y: Any, crs: int, label: str) -> tuple[float, float]:
    try:
        fx, fy = float(str(x).replace(",", ".")), float(str(y).replace(",", "."))
    except (TypeError, ValueError):
        raise PlaceImportError([f"{label}: koordinaterna är inte tal."]) from None
    if crs == SWEREF99TM:
        if not (100_000 < fx < 1_100_000 and 6_000_000 < fy < 7_800_000):
            raise PlaceImportError([f"{label}: koordinaterna passar inte SWEREF 99 TM."])
        fx, fy = transform_point(fx, fy, SWEREF99TM, WGS84)
    elif abs(fx) > 180 or abs(fy) > 90:
        raise PlaceImportError(
            [
                f"{label}: koordinaterna ser ut att vara SWEREF 99 TM, inte WGS 84 (fel koordinatsystem)."
            ]
        )
    lat, long = fy, fx
    min_lat, max_lat, min_long, max_long = _bounds()
    if not (min_lat <= lat <= max_lat and min_long <= long <= max_long):
        raise PlaceImportError([f"{label}: punkten ligger utanför kommunen."])
    return lat, long


def parse_places(text: str, *, crs: int | None = None) -> list[dict[str, Any]]:
    """Places from GeoJSON (Point features: name, kind, locality) or CSV (columns namn/name,
    typ/kind, ort/locality and lat+long, or x+y / e+n with --crs EPSG:3006)."""
    from insyn.organisations.models import PlaceKind

    kinds = {k.value for k in PlaceKind}
    aliases = {"adress": "address", "gata": "street", "plats": "place"}
    problems: list[str] = []
    places: list[dict[str, Any]] = []
    stripped = text.lstrip()
    rows: list[tuple[str, dict[str, Any], Any, Any]] = []
    if stripped.startswith("{"):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PlaceImportError(
                [f"Filen är inte giltig JSON (rad {exc.lineno}, kolumn {exc.colno}): {exc.msg}."]
            ) from None
        try:
            if crs is None:
                name = ((doc.get("crs") or {}).get("properties") or {}).get("name")
                crs = crs_from_name(name) if name else WGS84
        except GeometryError as exc:
            raise PlaceImportError([str(exc)]) from None
        for n, feature in enumerate(doc.get("features") or [], start=1):
            props = (feature or {}).get("properties") or {}
            geometry = (feature or {}).get("geometry") or {}
            coords = geometry.get("coordinates") if geometry.get("type") == "Point" else None
            label = f"Plats {n}" + (f" ({props.get('name')})" if props.get("name") else "")
            if not coords or len(coords) < 2:
                problems.append(f"{label}: geometrin måste vara en Point.")
                continue
            rows.append((label, props, coords[0], coords[1]))
    else:
        crs = crs or WGS84
        reader = csv.DictReader(
            io.StringIO(text), delimiter=";" if ";" in text.split("\n", 1)[0] else ","
        )
        for n, row in enumerate(reader, start=2):
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
            label = f"Rad {n}" + (
                f" ({row.get('namn') or row.get('name')})"
                if row.get("namn") or row.get("name")
                else ""
            )
            x = row.get("long") or row.get("lon") or row.get("x") or row.get("e")
            y = row.get("lat") or row.get("y") or row.get("n")
            props = {
                "name": row.get("namn") or row.get("name"),
                "kind": row.get("typ") or row.get("kind"),
                "locality": row.get("ort") or row.get("locality"),
                "approximate": row.get("ungefarlig") or row.get("approximate"),
            }
            rows.append((label, props, x, y))
    if not rows and not problems:
        raise PlaceImportError(["Filen innehåller inga platser."])
    seen: set[tuple[str, str]] = set()
    for label, props, x, y in rows:
        name = str(props.get("name") or "").strip()[:200]
        kind = aliases.get(
            str(props.get("kind") or "place").lower(), str(props.get("kind") or "place").lower()
        )
        if not name:
            problems.append(f"{label}: saknar namn.")
            continue
        if kind not in kinds:
            problems.append(f"{label}: okänd typ {kind!r} (address, street eller place).")
            continue
        try:
            lat, long = _point(x, y, crs, label)
        except PlaceImportError as exc:
            problems.extend(exc.problems)
            continue
        locality = str(props.get("locality") or "").strip()[:100]
        if (name, locality) in seen:
            problems.append(f"{label}: finns redan tidigare i filen.")
            continue
        seen.add((name, locality))
        approximate = str(props.get("approximate") or "").lower() in ("1", "true", "ja", "yes")
        places.append(
            {
                "name": name,
                "kind": kind,
                "locality": locality,
                "lat": lat,
                "long": long,
                "approximate": approximate,
            }
        )
    if problems:
        raise PlaceImportError(problems)
    return places


@transaction.atomic
def import_places(text: str, *, crs: int | None = None) -> tuple[int, int]:
    """Create or update places by (name, locality); all or nothing."""
    from insyn.organisations.models import Place

    created = updated = 0
    for data in parse_places(text, crs=crs):
        place = Place.objects.filter(name=data["name"], locality=data["locality"]).first()
        if place is None:
            Place.objects.create(**data)
            created += 1
        elif any(getattr(place, k) != v for k, v in data.items()):
            for k, v in data.items():
                setattr(place, k, v)
            place.save()
            updated += 1
    return created, updated
