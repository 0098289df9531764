"""Pure parser for Kolada's JSON (API v3, and v2 for archived files). No database, no network.

The format (see the Kolada reference in the project docs):

* Every response is an envelope ``{"values": [...], "count": n, "next_url": ..., "previous_url":
  ...}``. ``count`` is the number of items on *this* page, not a total. Paging continues while
  ``next_url`` (v3) or ``next_page`` (v2) is a non-empty string; missing, ``null`` or ``""``
  means last page.
* Data items: ``{"kpi", "municipality" (or "ou"), "period", "values": [{"gender", "count",
  "status", "value", "isdeleted"}]}``. ``period`` is an int (v3) or a string (v2); ``gender`` is
  T (total), K (kvinnor) or M (män) — v2's documented ``F`` is read as K; ``value`` ``null`` is
  *missing* and stays missing (never 0); ``isdeleted`` (v3) / ``is_deleted`` (v2) removes the
  stored point; for a group (id ``G…``) the value is the unweighted mean of ``count`` members.
* KPI metadata: ``id, title, description, is_divided_by_gender, municipality_type, auspice,
  operating_area, perspective, prel_publication_date, publication_date, publ_period,
  has_ou_data`` (all but id/title optional).
* Municipalities: ``{"id", "title", "type"}`` with type K (kommun) or L/R (region); ``0000`` is
  Riket. Groups: ``{"id": "G…", "title", "members": [...]}`` with members as
  ``member_id``/``member_title`` or ``id``/``title``. Organisational units: ``{"id", "title",
  "municipality"}``.

Anything else raises :class:`KoladaFormatError` naming the source (file or URL) and the item
(its index on the page and, when readable, its ids). No other exception escapes
:func:`parse_page` or :func:`parse_bytes`; the property tests prove it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

ENTITIES = ("kpi", "municipality", "municipality_groups", "ou", "data", "oudata")
METADATA_ENTITIES = ("kpi", "municipality", "municipality_groups", "ou")
DATA_ENTITIES = ("data", "oudata")
GENDERS = {"T": "T", "K": "K", "M": "M", "F": "K"}  # F: v2 documentation's spelling of K
AREA_TYPES = {"K": "K", "L": "L", "R": "L"}  # R: some clients' letter for regions
MIN_PERIOD, MAX_PERIOD = 1800, 2200
MAX_ID_LENGTH = 40
_FILE_ENTITY = re.compile(
    r"^(municipality_groups|municipality|kpi_groups|kpi|oudata|ou|data)"
    r"(?![a-z])"
)


class KoladaImportError(Exception):
    """Anything that stops a Kolada import (bad format, unreachable API)."""


class KoladaFormatError(KoladaImportError):
    """The input does not follow Kolada's format. The message names the source and the item."""

    def __init__(self, message: str, *, source: str = "", item: str = "") -> None:
        self.source = source
        self.item = item
        self.detail = message
        where = ": ".join(part for part in (source, item) if part)
        super().__init__(f"{where}: {message}" if where else message)


@dataclass(frozen=True, slots=True)
class KpiMeta:
    id: str
    title: str
    description: str = ""
    is_divided_by_gender: bool = False
    municipality_type: str = ""
    operating_area: str = ""
    perspective: str = ""
    auspice: str = ""
    publication_date: dt.date | None = None
    prel_publication_date: dt.date | None = None
    publ_period: str = ""
    has_ou_data: bool = False
    unit: str = ""


@dataclass(frozen=True, slots=True)
class AreaMeta:
    id: str
    title: str
    type: str  # K, L (regions and Riket), O (organisational unit)
    municipality: str = ""  # for organisational units


@dataclass(frozen=True, slots=True)
class GroupMeta:
    id: str
    title: str
    members: tuple[tuple[str, str], ...]  # (id, title)


@dataclass(frozen=True, slots=True)
class DataValue:
    index: int  # the item's position on its page, for error messages
    kpi: str
    area: str
    period: int
    gender: str
    value: float | None
    count: int | None
    status: str
    deleted: bool


@dataclass
class Page:
    entity: str | None  # None for a page without items
    items: list[Any]
    next_link: str | None
    count: int | None
    source: str
    warnings: list[str] = field(default_factory=list)
    fetched_at: dt.datetime | None = None  # set by the API source: when this page was fetched


# --- reading -------------------------------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} är inte tillåtet i JSON")


def parse_bytes(data: bytes | str, *, source: str, entity: str | None = None) -> Page:
    """Decode and parse one page (one file or one HTTP response body)."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise KoladaFormatError(
                f"inte UTF-8-kodad text (byte {exc.start})", source=source
            ) from exc
    else:
        text = data
    if not text.strip():
        raise KoladaFormatError("filen är tom", source=source)
    try:
        obj = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise KoladaFormatError(
            f"ogiltig eller avkortad JSON (rad {exc.lineno}, kolumn {exc.colno}): {exc.msg}",
            source=source,
        ) from exc
    except (ValueError, RecursionError) as exc:
        raise KoladaFormatError(f"ogiltig JSON: {exc}", source=source) from exc
    return parse_page(obj, source=source, entity=entity)


def entity_from_filename(name: str) -> str | None:
    """The entity a file holds, from its name (``kpi.json``, ``data-2.json`` …), if it says."""
    stem = name.rsplit("/", 1)[-1].lower()
    match = _FILE_ENTITY.match(stem)
    return match.group(1) if match else None


def detect_entity(item: Any) -> str | None:
    """Which entity an item looks like; None if it cannot be told."""
    if not isinstance(item, dict):
        return None
    if "kpi" in item and "period" in item:
        return "oudata" if "ou" in item else "data"
    if "members" in item:
        return "municipality_groups"
    if any(
        key in item
        for key in (
            "is_divided_by_gender",
            "publ_period",
            "operating_area",
            "municipality_type",
            "perspective",
            "auspice",
            "has_ou_data",
            "publication_date",
        )
    ):
        return "kpi"
    if "type" in item:
        return "municipality"
    if "municipality" in item and "id" in item:
        return "ou"
    return None


def parse_page(obj: Any, *, source: str, entity: str | None = None) -> Page:
    """Parse a decoded envelope into a Page of typed items."""
    if not isinstance(obj, dict):
        raise KoladaFormatError(
            f"väntade ett JSON-objekt med nyckeln ”values”, fick {_type_name(obj)}", source=source
        )
    if "values" not in obj:
        raise KoladaFormatError("nyckeln ”values” saknas", source=source)
    values = obj["values"]
    if not isinstance(values, list):
        raise KoladaFormatError(
            f"”values” ska vara en lista, inte {_type_name(values)}", source=source
        )
    next_link = _next_link(obj, source)
    count = obj.get("count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
        raise KoladaFormatError(f"”count” ska vara ett heltal, inte {_short(count)}", source=source)
    warnings = []
    if count is not None and count != len(values):
        warnings.append(f"{source}: ”count” är {count} men sidan har {len(values)} poster")
    if entity == "kpi_groups":
        raise KoladaFormatError("KPI-grupper (kpi_groups) läses inte in", source=source)
    if entity is not None and entity not in ENTITIES:
        raise KoladaFormatError(f"okänd sorts innehåll {entity!r}", source=source)
    if values and entity is None:
        entity = detect_entity(values[0])
        if entity is None:
            raise KoladaFormatError(
                "kunde inte avgöra vad sidan innehåller (varken KPI:er, kommuner, grupper eller "
                "data); namnge filen efter API-vägen, t.ex. kpi.json eller data-1.json",
                source=source,
                item="post 0",
            )
    items: list[Any] = []
    parser = _PARSERS.get(entity) if entity else None
    for index, raw in enumerate(values):
        assert parser is not None
        result = parser(raw, index, source)
        if isinstance(result, list):
            items.extend(result)
        else:
            items.append(result)
    return Page(
        entity=entity,
        items=items,
        next_link=next_link,
        count=count,
        source=source,
        warnings=warnings,
    )


def _next_link(obj: dict[str, Any], source: str) -> str | None:
    key = "next_url" if "next_url" in obj else "next_page"
    link = obj.get(key)
    if link is None:
        return None
    if not isinstance(link, str):
        raise KoladaFormatError(
            f"”{key}” ska vara en text eller null, inte {_short(link)}", source=source
        )
    return link.strip() or None


# --- items ---------------------------------------------------------------------------------------


def _type_name(value: Any) -> str:
    return {
        dict: "ett objekt",
        list: "en lista",
        str: "en text",
        bool: "ett sanningsvärde",
        int: "ett heltal",
        float: "ett tal",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def _short(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


class _Item:
    """Typed access to one raw item, raising errors that name the item."""

    __slots__ = ("_ids", "index", "raw", "source")

    def __init__(self, raw: Any, index: int, source: str, what: str) -> None:
        self.index = index
        self.source = source
        self._ids: dict[str, Any] = {}
        if not isinstance(raw, dict):
            self.fail(f"{what} ska vara ett objekt, inte {_type_name(raw)} {_short(raw)}")
        self.raw: dict[str, Any] = raw

    def describe(self, **ids: Any) -> None:
        """Ids to name the item by, should it fail (the label is only built then)."""
        self._ids = ids

    @property
    def label(self) -> str:
        parts = [
            f"{name} {value}"
            for name, value in self._ids.items()
            if isinstance(value, (str, int)) and not isinstance(value, bool)
        ]
        return f"post {self.index} ({', '.join(parts)})" if parts else f"post {self.index}"

    def fail(self, message: str) -> None:
        raise KoladaFormatError(message, source=self.source, item=self.label)

    def ident(
        self,
        key: str,
        *,
        required: bool = True,
        obj: dict[str, Any] | None = None,
        name: str | None = None,
    ) -> str:
        data = self.raw if obj is None else obj
        value = data.get(key)
        label = name or key
        if value is None:
            if required:
                self.fail(f"”{label}” saknas")
            return ""
        if not isinstance(value, str):
            self.fail(f"”{label}” ska vara en text, inte {_type_name(value)} {_short(value)}")
        value = value.strip()
        if required and not value:
            self.fail(f"”{label}” är tom")
        if len(value) > MAX_ID_LENGTH:
            self.fail(f"”{label}” är för lång ({len(value)} tecken)")
        return value

    def text(self, key: str, *, default: str = "", max_length: int = 10_000) -> str:
        value = self.raw.get(key)
        if value is None:
            return default
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = ", ".join(value)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.fail(f"”{key}” ska vara en text, inte {_type_name(value)} {_short(value)}")
        return value.strip()[:max_length]

    def flag(self, *keys: str, obj: dict[str, Any] | None = None) -> bool:
        data = self.raw if obj is None else obj
        for key in keys:
            if key in data:
                value = data[key]
                if value is None:
                    return False
                if isinstance(value, bool):
                    return value
                if isinstance(value, int) and value in (0, 1):
                    return bool(value)
                self.fail(f"”{key}” ska vara true eller false, inte {_short(value)}")
        return False

    def date(self, key: str) -> dt.date | None:
        value = self.raw.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            self.fail(f"”{key}” ska vara ett datum (ÅÅÅÅ-MM-DD), inte {_short(value)}")
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            self.fail(f"”{key}” ska vara ett datum (ÅÅÅÅ-MM-DD), inte {_short(value)}")
        return None  # pragma: no cover


def _parse_kpi(raw: Any, index: int, source: str) -> KpiMeta:
    item = _Item(raw, index, source, "en KPI")
    item.describe(kpi=raw.get("id"))
    publ_period = raw.get("publ_period")
    if publ_period is not None and (
        isinstance(publ_period, bool) or not isinstance(publ_period, (str, int))
    ):
        item.fail(f"”publ_period” ska vara ett årtal, inte {_short(publ_period)}")
    kpi_id = item.ident("id")
    return KpiMeta(
        id=kpi_id,
        title=item.text("title", max_length=500) or kpi_id,
        description=item.text("description"),
        is_divided_by_gender=item.flag("is_divided_by_gender"),
        municipality_type=item.text("municipality_type", max_length=5),
        operating_area=item.text("operating_area", max_length=300),
        perspective=item.text("perspective", max_length=100),
        auspice=item.text("auspice", max_length=20) or item.text("auspices", max_length=20),
        publication_date=item.date("publication_date"),
        prel_publication_date=item.date("prel_publication_date"),
        publ_period="" if publ_period is None else str(publ_period).strip()[:20],
        has_ou_data=item.flag("has_ou_data"),
        unit=item.text("unit", max_length=50),
    )


def _parse_municipality(raw: Any, index: int, source: str) -> AreaMeta:
    item = _Item(raw, index, source, "en kommun")
    item.describe(kommun=raw.get("id"))
    area_id = item.ident("id")
    raw_type = raw.get("type")
    if raw_type is None or raw_type == "":
        area_type = infer_area_type(area_id)
    elif isinstance(raw_type, str) and raw_type.strip().upper() in AREA_TYPES:
        area_type = AREA_TYPES[raw_type.strip().upper()]
    else:
        item.fail(f"”type” ska vara K, L eller R, inte {_short(raw_type)}")
    return AreaMeta(id=area_id, title=item.text("title", max_length=200) or area_id, type=area_type)


def _parse_ou(raw: Any, index: int, source: str) -> AreaMeta:
    item = _Item(raw, index, source, "en organisatorisk enhet")
    item.describe(enhet=raw.get("id"))
    area_id = item.ident("id")
    return AreaMeta(
        id=area_id,
        title=item.text("title", max_length=200) or area_id,
        type="O",
        municipality=item.ident("municipality", required=False),
    )


def _parse_group(raw: Any, index: int, source: str) -> GroupMeta:
    item = _Item(raw, index, source, "en kommungrupp")
    item.describe(grupp=raw.get("id"))
    group_id = item.ident("id")
    if not group_id.upper().startswith("G"):
        item.fail(f"en kommungrupps id ska börja med G, inte {group_id!r}")
    members_raw = raw.get("members")
    if members_raw is None:
        members_raw = []
    if not isinstance(members_raw, list):
        item.fail(f"”members” ska vara en lista, inte {_type_name(members_raw)}")
    members: list[tuple[str, str]] = []
    for position, member in enumerate(members_raw):
        if not isinstance(member, dict):
            item.fail(f"medlem {position} ska vara ett objekt, inte {_short(member)}")
        id_key = "member_id" if "member_id" in member else "id"
        title_key = "member_title" if "member_title" in member else "title"
        member_id = item.ident(id_key, obj=member, name=f"medlem {position}: {id_key}")
        title = member.get(title_key)
        if title is not None and not isinstance(title, str):
            item.fail(f"medlem {position}: ”{title_key}” ska vara en text, inte {_short(title)}")
        members.append((member_id, (title or member_id).strip()[:200]))
    return GroupMeta(
        id=group_id, title=item.text("title", max_length=300) or group_id, members=tuple(members)
    )


def _parse_period(item: _Item, value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        period = value
    elif isinstance(value, str) and re.fullmatch(r"[0-9]{1,4}", value.strip()):
        period = int(value.strip())
    else:
        item.fail(f"”period” ska vara ett årtal (heltal eller text), inte {_short(value)}")
    if not MIN_PERIOD <= period <= MAX_PERIOD:
        item.fail(f"”period” {period} är inget rimligt årtal")
    return period


_FAST_GENDERS = {"T": "T", "K": "K", "M": "M"}


def _fast_entry(entry: Any) -> tuple[str, float | None, int | None, str, bool] | None:
    """The common, well-formed value entry without any checks beyond types; None otherwise
    (the careful path then explains what is wrong)."""
    if type(entry) is not dict:
        return None
    gender = entry.get("gender", "T")
    value = entry.get("value")
    count = entry.get("count")
    status = entry.get("status")
    deleted = entry["isdeleted"] if "isdeleted" in entry else entry.get("is_deleted")
    if (
        type(gender) is str
        and gender in _FAST_GENDERS
        and (value is None or (type(value) is float and math.isfinite(value)) or type(value) is int)
        and (count is None or (type(count) is int and count >= 0))
        and (
            status is None
            or (type(status) is str and len(status) <= 50 and status == status.strip())
        )
        and (deleted is None or type(deleted) is bool)
    ):
        return (gender, None if value is None else float(value), count, status or "", bool(deleted))
    return None


def _parse_data(raw: Any, index: int, source: str) -> list[DataValue]:
    """A data item: the common well-formed case quickly, anything else through the checks."""
    if type(raw) is dict:
        kpi = raw.get("kpi")
        area = raw["ou"] if "ou" in raw else raw.get("municipality")
        period = raw.get("period")
        entries = raw.get("values")
        if (
            type(kpi) is str
            and 0 < len(kpi) <= MAX_ID_LENGTH
            and kpi == kpi.strip()
            and type(area) is str
            and 0 < len(area) <= MAX_ID_LENGTH
            and area == area.strip()
            and type(period) is int
            and MIN_PERIOD <= period <= MAX_PERIOD
            and type(entries) is list
        ):
            result: list[DataValue] = []
            seen: set[str] = set()
            for entry in entries:
                fast = _fast_entry(entry)
                if fast is None or fast[0] in seen:
                    return _careful_data(raw, index, source)
                seen.add(fast[0])
                result.append(DataValue(index, kpi, area, period, *fast))
            return result
    return _careful_data(raw, index, source)


def _careful_data(raw: Any, index: int, source: str) -> list[DataValue]:
    item = _Item(raw, index, source, "en datapost")
    area_key = "ou" if "ou" in item.raw else "municipality"
    item.describe(
        kpi=raw.get("kpi"),
        **{("enhet" if area_key == "ou" else "kommun"): raw.get(area_key)},
        period=raw.get("period"),
    )
    kpi = item.ident("kpi")
    area = item.ident(area_key)
    period = _parse_period(item, raw.get("period"))
    entries = raw.get("values")
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        item.fail(f"”values” ska vara en lista, inte {_type_name(entries)}")
    result: list[DataValue] = []
    seen: set[str] = set()
    for position, entry in enumerate(entries):
        fast = _fast_entry(entry)
        if fast is None:
            gender, value, count, status, deleted = _careful_entry(item, position, entry)
        else:
            gender, value, count, status, deleted = fast
        if gender in seen:
            item.fail(f"värde {position}: könet {gender} förekommer två gånger")
        seen.add(gender)
        result.append(DataValue(index, kpi, area, period, gender, value, count, status, deleted))
    return result


def _careful_entry(
    item: _Item, position: int, entry: Any
) -> tuple[str, float | None, int | None, str, bool]:
    where = f"värde {position}"
    if not isinstance(entry, dict):
        item.fail(f"{where} ska vara ett objekt, inte {_short(entry)}")
    gender_raw = entry.get("gender", "T")
    if gender_raw is None:
        gender_raw = "T"
    if not isinstance(gender_raw, str) or gender_raw.strip().upper() not in GENDERS:
        item.fail(f"{where}: ”gender” ska vara T, K eller M, inte {_short(gender_raw)}")
    gender = GENDERS[gender_raw.strip().upper()]
    value = entry.get("value")
    if value is not None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            item.fail(
                f"{where} ({gender}): ”value” ska vara ett tal eller null, "
                f"inte {_type_name(value)} {_short(value)}"
            )
        value = float(value)
        if not math.isfinite(value):
            item.fail(f"{where} ({gender}): ”value” är inget ändligt tal")
    count = entry.get("count")
    if count is not None:
        if isinstance(count, float) and count.is_integer() and count >= 0:
            count = int(count)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            item.fail(f"{where} ({gender}): ”count” ska vara ett heltal ≥ 0, inte {_short(count)}")
    status = entry.get("status")
    if status is None:
        status = ""
    if not isinstance(status, str):
        item.fail(f"{where} ({gender}): ”status” ska vara en text, inte {_short(status)}")
    deleted = item.flag("isdeleted", "is_deleted", obj=entry)
    return gender, value, count, status.strip()[:50], deleted


_PARSERS = {
    "kpi": _parse_kpi,
    "municipality": _parse_municipality,
    "municipality_groups": _parse_group,
    "ou": _parse_ou,
    "data": _parse_data,
    "oudata": _parse_data,
}


def infer_area_type(area_id: str) -> str:
    """The type of an area known only by its id: G… group, V… unit, 00xx region/Riket."""
    if area_id.upper().startswith("G"):
        return "G"
    if area_id.upper().startswith("V"):
        return "O"
    if len(area_id) == 4 and area_id.startswith("00"):
        return "L"
    return "K"


def default_unit(title: str) -> str:
    """A unit guessed from a Kolada title: "…, andel (%)" → "%", "…, kr/inv" → "kr/inv"."""
    title = title.strip()
    match = re.search(r"\(([^()]{1,20})\)\s*$", title)
    if match:
        return match.group(1).strip()
    if "," in title:
        tail = title.rsplit(",", 1)[1].strip()
        if len(tail) <= 15 and ("/" in tail or tail in {"kr", "antal", "%", "dagar", "år"}):
            return tail
    return ""
