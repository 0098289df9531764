"""Where Kolada pages come from: files on disk, or the live API. No database.

Both sources give the pages in two phases — metadata first (KPIs, municipalities, groups, units),
then data — so that data can be checked against the metadata. Pages are parsed lazily, one at a
time, so a large import never holds every value in memory; the writer runs the whole import in one
transaction, so a bad page late in the run still leaves the database as it was.

Files: each file is one page (one envelope, exactly as the API returned it). Paging across files:

1. A directory stands for every ``*.json`` file directly in it, in natural order (``data-2`` before
   ``data-10``).
2. What a file holds is told by its name, as the API path: ``kpi…``, ``municipality…``,
   ``municipality_groups…``, ``ou…``, ``data…``, ``oudata…`` (e.g. ``kpi.json``,
   ``data-N00945-1.json``); a file with another name is recognised by its first item.
3. A page whose ``next_url`` (v3) or ``next_page`` (v2) is non-empty continues in a sibling file:
   the link's last path segment (``"next_url": "data-2.json"``, or a URL ending in that name), or,
   for a link with ``?page=N``, the sibling with the same stem and N (``data-1.json`` →
   ``data-2.json``). If no such file exists the import stops with an error — the export is
   truncated — rather than importing part of a series.
4. Every file is read once, whether it is reached through a link or listed itself.

``insyn import-kolada --base-url … --save-dir DIR`` writes what it fetches in exactly this layout
(links rewritten to the sibling file names), so a live import can be replayed offline.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from insyn.indicators.kolada import (
    DATA_ENTITIES,
    KoladaFormatError,
    KoladaImportError,
    Page,
    entity_from_filename,
    parse_bytes,
)

MAX_IDS_PER_SEGMENT = 25  # Kolada v3 refuses longer comma-separated lists in a path segment
PER_PAGE = 5000  # Kolada's maximum page size
MAX_PAGES_PER_REQUEST = 10_000


class KoladaFetchError(KoladaImportError):
    """The live API could not be read."""


class PageSource(Protocol):
    description: str

    def metadata_pages(self) -> Iterator[Page]: ...

    def data_pages(self) -> Iterator[Page]: ...


def _natural_key(path: Path) -> list[Any]:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", path.name)]


class FileSource:
    """Kolada pages saved as files (tests, fixtures, offline imports)."""

    def __init__(self, paths: Sequence[str | Path]) -> None:
        self.files: list[Path] = []
        self.labels: dict[Path, str] = {}
        for given in paths:
            path = Path(given)
            if path.is_dir():
                found = sorted(
                    (p for p in path.iterdir() if p.suffix.lower() == ".json" and p.is_file()),
                    key=_natural_key,
                )
                if not found:
                    raise KoladaFormatError(
                        "katalogen innehåller inga .json-filer", source=str(path)
                    )
                for file in found:
                    self._add(file, str(file))
            elif path.is_file():
                self._add(path, str(path))
            else:
                raise KoladaFormatError("filen eller katalogen finns inte", source=str(path))
        self.description = ", ".join(str(p) for p in paths)
        self._consumed: set[Path] = set()

    def _add(self, path: Path, label: str) -> None:
        key = path.resolve()
        if key not in self.labels:
            self.files.append(key)
            self.labels[key] = label

    def _label(self, path: Path) -> str:
        return self.labels.get(path) or str(path)

    def _read(self, path: Path, entity: str | None) -> Page:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise KoladaFormatError(
                f"kan inte läsas: {exc.strerror}", source=self._label(path)
            ) from exc
        return parse_bytes(data, source=self._label(path), entity=entity)

    def _resolve_next(self, link: str, current: Path) -> Path:
        parts = urllib.parse.urlsplit(link)
        name = urllib.parse.unquote(parts.path.rstrip("/").rsplit("/", 1)[-1])
        candidates = [name, f"{name}.json"] if name else []
        page_numbers = urllib.parse.parse_qs(parts.query).get("page") or []
        if page_numbers and page_numbers[0].isdigit():
            base = re.sub(r"[-_.]?\d+$", "", current.stem) or current.stem
            number = page_numbers[0]
            candidates += [f"{base}-{number}.json", f"{base}_{number}.json", f"{base}{number}.json"]
        for candidate in candidates:
            if not candidate or candidate in {".", ".."} or "\\" in candidate:
                continue
            path = current.parent / candidate
            if path.is_file():
                resolved = path.resolve()
                self.labels.setdefault(resolved, str(Path(self._label(current)).parent / candidate))
                return resolved
        raise KoladaFormatError(
            f"sidan hänvisar till nästa sida {link!r}, men ingen sådan fil finns bredvid den "
            "(exporten verkar avkortad); inget har lästs in",
            source=self._label(current),
        )

    def _chain(self, head: Path, entity: str | None) -> Iterator[Page]:
        path: Path | None = head
        while path is not None and path not in self._consumed:
            self._consumed.add(path)
            page = self._read(path, entity)
            entity = entity or page.entity
            yield page
            path = self._resolve_next(page.next_link, path) if page.next_link else None

    def metadata_pages(self) -> Iterator[Page]:
        for path in self.files:
            if path in self._consumed:
                continue
            entity = entity_from_filename(path.name)
            if entity in DATA_ENTITIES:
                continue
            if entity is None:
                entity = self._read(path, None).entity
                if entity is None or entity in DATA_ENTITIES:
                    continue
            yield from self._chain(path, entity)

    def data_pages(self) -> Iterator[Page]:
        for path in self.files:
            if path not in self._consumed:
                yield from self._chain(path, entity_from_filename(path.name))


def chunks(items: Sequence[Any], size: int = MAX_IDS_PER_SEGMENT) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


Opener = Callable[[urllib.request.Request, float], Any]


def _default_opener(request: urllib.request.Request, timeout: float) -> Any:
    return urllib.request.urlopen(request, timeout=timeout)  # the scheme is checked: http(s) only


class ApiSource:
    """Kolada's live v3 API: ids chunked to 25 per path segment, 5000 per page, paging followed."""

    def __init__(
        self,
        base_url: str,
        *,
        kpis: Sequence[str],
        municipalities: Sequence[str] = (),
        groups: Sequence[str] = (),
        years: Sequence[int] = (),
        from_date: dt.date | None = None,
        save_dir: Path | None = None,
        timeout: float = 60.0,
        retries: int = 2,
        opener: Opener | None = None,
        now: Callable[[], dt.datetime] | None = None,
    ) -> None:
        scheme = urllib.parse.urlsplit(base_url).scheme
        if scheme not in {"http", "https"}:
            raise KoladaFetchError(f"Kolada-adressen måste börja med https://, inte {base_url!r}")
        if not kpis:
            raise KoladaFetchError("ange minst en KPI (--kpi) att hämta från Kolada")
        self.base_url = base_url.rstrip("/")
        self.kpis = list(dict.fromkeys(kpis))
        self.municipalities = list(dict.fromkeys(municipalities))
        self.groups = list(dict.fromkeys(groups))
        self.years = sorted(set(years))
        self.from_date = from_date
        self.save_dir = save_dir
        self.timeout = timeout
        self.retries = retries
        self.opener = opener or _default_opener
        self.now = now or (lambda: dt.datetime.now(dt.UTC))
        self.description = f"{self.base_url} ({len(self.kpis)} KPI:er)"
        self.requested: list[str] = []
        self._saved: dict[str, int] = {}

    def url(self, path: str, params: dict[str, Any] | None = None) -> str:
        quoted = urllib.parse.quote(path, safe="/,")
        query = urllib.parse.urlencode(params or {})
        return f"{self.base_url}/{quoted}" + (f"?{query}" if query else "")

    def _fetch(self, url: str) -> bytes:
        request = urllib.request.Request(
            url, headers={"Accept": "application/json", "User-Agent": "Insyn Kolada-import"}
        )
        for attempt in range(self.retries + 1):
            try:
                with self.opener(request, self.timeout) as response:
                    return response.read()
            except urllib.error.HTTPError as exc:
                if exc.code < 500 or attempt == self.retries:
                    raise KoladaFetchError(f"{url}: Kolada svarade HTTP {exc.code}") from exc
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                if attempt == self.retries:
                    raise KoladaFetchError(f"{url}: kunde inte nå Kolada ({exc})") from exc
            time.sleep(min(2**attempt, 10))
        raise KoladaFetchError(f"{url}: kunde inte nå Kolada")  # pragma: no cover

    def pages(self, path: str, entity: str, params: dict[str, Any] | None = None) -> Iterator[Page]:
        url: str | None = self.url(path, params)
        seen: set[str] = set()
        while url:
            if url in seen or len(seen) >= MAX_PAGES_PER_REQUEST:
                raise KoladaFetchError(f"{url}: Kolada-sidorna hänvisar i en slinga")
            seen.add(url)
            self.requested.append(url)
            fetched_at = self.now()
            body = self._fetch(url)
            page = parse_bytes(body, source=url, entity=entity)
            page.fetched_at = fetched_at
            next_url = urllib.parse.urljoin(url, page.next_link) if page.next_link else None
            if self.save_dir is not None:
                self._save(entity, body, has_next=next_url is not None)
            yield page
            url = next_url

    def _save(self, entity: str, body: bytes, *, has_next: bool) -> None:
        assert self.save_dir is not None
        self.save_dir.mkdir(parents=True, exist_ok=True)
        number = self._saved.get(entity, 0) + 1
        self._saved[entity] = number
        obj = json.loads(body)
        key = "next_page" if "next_page" in obj and "next_url" not in obj else "next_url"
        obj[key] = f"{entity}-{number + 1:04d}.json" if has_next else None
        (self.save_dir / f"{entity}-{number:04d}.json").write_text(
            json.dumps(obj, ensure_ascii=False), encoding="utf-8"
        )

    def metadata_pages(self) -> Iterator[Page]:
        for chunk in chunks(self.kpis):
            yield from self.pages(f"kpi/{','.join(chunk)}", "kpi")
        yield from self.pages("municipality", "municipality")
        for chunk in chunks(self.groups):
            yield from self.pages(f"municipality_groups/{','.join(chunk)}", "municipality_groups")

    def data_pages(self) -> Iterator[Page]:
        params: dict[str, Any] = {"per_page": PER_PAGE}
        if self.from_date:
            params["from_date"] = self.from_date.isoformat()
        areas = self.municipalities + [g for g in self.groups if g not in self.municipalities]
        year_chunks: Iterable[list[int] | None] = list(chunks(self.years)) or [None]
        for kpi_chunk in chunks(self.kpis):
            for year_chunk in year_chunks:
                tail = f"/year/{','.join(str(y) for y in year_chunk)}" if year_chunk else ""
                if areas:
                    for area_chunk in chunks(areas):
                        yield from self.pages(
                            f"data/kpi/{','.join(kpi_chunk)}/municipality/"
                            f"{','.join(area_chunk)}{tail}",
                            "data",
                            params,
                        )
                else:
                    if not tail:
                        raise KoladaFetchError(
                            "ange år (--years) eller kommuner (--municipality) för datahämtningen"
                        )
                    yield from self.pages(f"data/kpi/{','.join(kpi_chunk)}{tail}", "data", params)
