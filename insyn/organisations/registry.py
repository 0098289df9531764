"""A pure-Python registry of a municipality's organisations, used to resolve names in documents.

The published follow-up pages name organisations in three ways: full names ("Kulturnämnden"),
abbreviations and short forms ("KTN", "Arenor och fastigheter") and groups ("Alla nämnder och
bolag"). Full names are often written back to back with no separator at all
("Kommunstyrelsen Uppsalahem AB Arbetsmarknadsnämnden"), so resolution works on words with a
longest-match rule rather than on separators.

This module has no Django dependency; the organisations app loads the same JSON data file into
the database.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ORGANISATION_KINDS: tuple[str, ...] = ("executive_board", "board", "company", "external")

# Characters trimmed from both ends of a name before it is compared.
_TRIM = " \t\n\r\f\v\u00a0.,;:!?\"'()[]"
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2011": "-", "\u2010": "-"})
_SPACE_RE = re.compile(r"\s+")
# A text of names is read as words and separators; commas and semicolons always separate,
# "och" and "samt" only where they are not part of a known name.
_TOKEN_RE = re.compile(r"[,;\u2022]|[^\s,;\u2022]+")
_HARD_SEPARATOR_RE = re.compile(r"[,;\u2022]")
_SOFT_SEPARATOR_RE = re.compile(r"och|samt", re.IGNORECASE)
# Words that end an organisation name, used to split unknown run-together names.
_BOARD_END_RE = re.compile(r"(?:nämnden|nämnd|styrelsen)$", re.IGNORECASE)
_COMPANY_END_RE = re.compile(r"^(?:AB|aktiebolag|aktiebolaget)$", re.IGNORECASE)
_COMPANY_START_RE = re.compile(r"^(?:AB|Aktiebolaget)\s+\S", re.IGNORECASE)


def normalize_name(text: str) -> str:
    """The comparison key of a name: case-folded, single-spaced, without edge punctuation."""
    text = unicodedata.normalize("NFC", text).translate(_DASHES)
    text = _SPACE_RE.sub(" ", text).strip(_TRIM)
    return text.casefold()


def clean_name(text: str) -> str:
    """A name as written, with normalised spacing and without edge punctuation."""
    text = unicodedata.normalize("NFC", text)
    return _SPACE_RE.sub(" ", text).strip(_TRIM)


def guess_kind(name: str) -> str | None:
    """Guess the kind of an organisation from its name: "board", "company" or None."""
    words = clean_name(name).split(" ")
    if not words or not words[-1]:
        return None
    last = words[-1]
    if _BOARD_END_RE.search(last):
        return "board"
    if _COMPANY_END_RE.match(last) or _COMPANY_START_RE.match(clean_name(name)):
        return "company"
    if re.search(r"aktiebolag(?:et)?$", last, re.IGNORECASE):
        return "company"
    return None


def _ends_name(word: str) -> bool:
    """Whether a word typically ends an organisation name ("...nämnden", "... AB")."""
    word = word.strip(_TRIM)
    return bool(_BOARD_END_RE.search(word) or _COMPANY_END_RE.match(word))


@dataclass(frozen=True)
class OrgEntry:
    """A board, company or external body, with the other names documents use for it."""

    name: str
    kind: str  # "executive_board" | "board" | "company" | "external"
    abbreviations: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    active_from: int | None = None
    active_until: int | None = None
    successor: str | None = None  # full name of the organisation it merged into, if any

    def is_active_in(self, year: int) -> bool:
        return (self.active_from is None or self.active_from <= year) and (
            self.active_until is None or self.active_until >= year
        )


@dataclass(frozen=True)
class GroupEntry:
    """A shorthand for every organisation of some kinds, e.g. "Alla nämnder och bolag"."""

    name: str
    kinds: tuple[str, ...]
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Piece:
    """One resolved name in a text: a registry entry, or an unknown name as written."""

    text: str
    entry: OrgEntry | GroupEntry | None

    @property
    def name(self) -> str:
        return self.entry.name if self.entry is not None else self.text


class Registry:
    """Organisations and groups, looked up case-insensitively by name, alias or abbreviation."""

    def __init__(self, organisations: Iterable[OrgEntry], groups: Iterable[GroupEntry]) -> None:
        self.organisations: tuple[OrgEntry, ...] = tuple(organisations)
        self.groups: tuple[GroupEntry, ...] = tuple(groups)
        self.municipality: dict[str, str] = {}
        self._index: dict[str, OrgEntry | GroupEntry] = {}
        for org in self.organisations:
            if org.kind not in ORGANISATION_KINDS:
                raise ValueError(f"Okänd organisationstyp {org.kind!r} för {org.name!r}")
            for key in (org.name, *org.abbreviations, *org.aliases):
                self._add_key(key, org)
        for group in self.groups:
            unknown = set(group.kinds) - set(ORGANISATION_KINDS)
            if unknown:
                raise ValueError(f"Okänd organisationstyp {sorted(unknown)} i {group.name!r}")
            for key in (group.name, *group.aliases):
                self._add_key(key, group)
        # Longest key in words bounds the longest-match search.
        self._max_words = max((len(k.split(" ")) for k in self._index), default=1)
        # resolve_pieces() per text: an import asks about the same few hundred "Ansvariga"
        # and "Berörda" texts on every page.
        self._pieces: dict[str, tuple[_Piece, ...]] = {}

    def _add_key(self, key: str, entry: OrgEntry | GroupEntry) -> None:
        normalized = normalize_name(key)
        if not normalized:
            raise ValueError(f"Tomt namn för {entry.name!r}")
        existing = self._index.get(normalized)
        if existing is not None and existing is not entry:
            raise ValueError(
                f"Namnet {key!r} används både för {existing.name!r} och {entry.name!r}"
            )
        self._index[normalized] = entry

    # -- construction ---------------------------------------------------------------------------

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Registry:
        """Build a registry from the data-file format (see insyn/organisations/data/*.json)."""
        organisations = [
            OrgEntry(
                name=item["name"],
                kind=item["kind"],
                abbreviations=tuple(item.get("abbreviations") or ()),
                aliases=tuple(item.get("aliases") or ()),
                active_from=item.get("active_from"),
                active_until=item.get("active_until"),
                successor=item.get("successor"),
            )
            for item in data.get("organisations", [])
        ]
        groups = [
            GroupEntry(
                name=item["name"],
                kinds=tuple(item["kinds"]),
                aliases=tuple(item.get("aliases") or ()),
            )
            for item in data.get("groups", [])
        ]
        registry = cls(organisations, groups)
        registry.municipality = dict(data.get("municipality") or {})
        return registry

    @classmethod
    def from_file(cls, path: str | Path) -> Registry:
        with open(path, encoding="utf-8") as handle:
            return cls.from_json(json.load(handle))

    # -- queries --------------------------------------------------------------------------------

    def lookup(self, token: str) -> OrgEntry | GroupEntry | None:
        """The entry whose full name, alias or abbreviation is `token` (case-insensitive)."""
        return self._index.get(normalize_name(token))

    def organisation(self, name: str) -> OrgEntry | None:
        entry = self.lookup(name)
        return entry if isinstance(entry, OrgEntry) else None

    def active(self, year: int, kinds: Iterable[str] | None = None) -> list[OrgEntry]:
        """Organisations active in `year`, optionally only of the given kinds."""
        wanted = set(kinds) if kinds is not None else None
        return [
            org
            for org in self.organisations
            if org.is_active_in(year) and (wanted is None or org.kind in wanted)
        ]

    def expand_group(self, name: str, year: int) -> list[OrgEntry]:
        """The organisations a group such as "Alla nämnder och bolag" stands for in `year`."""
        entry = self.lookup(name)
        if not isinstance(entry, GroupEntry):
            raise KeyError(name)
        return self.active(year, entry.kinds)

    # -- resolution -----------------------------------------------------------------------------

    def resolve_run_together(self, text: str) -> tuple[list[str], list[str]]:
        """Resolve full names written back to back without separators.

        Returns (full names of known entries, unknown names), each in order of appearance and
        without duplicates. Known names are found by longest match (case-insensitive); the words
        left between them are split after every word that ends a name ("-nämnden",
        "-styrelsen", "AB").
        """
        return _split_pieces(self.resolve_pieces(text))

    def resolve_list(self, text: str) -> tuple[list[str], list[str]]:
        """Resolve a written list such as "KS, AMN, GSN och Arenor och fastigheter".

        Names may themselves contain "och" ("Gatu- och samhällsmiljönämnden"), so "och" only
        separates names where it is not part of a longer known name. Same return value as
        `resolve_run_together`.
        """
        return _split_pieces(self.resolve_pieces(text))

    def resolve_pieces(self, text: str) -> list[_Piece]:
        """Resolve a list or run-together text into pieces in order (the parsers use this).

        One algorithm serves both forms: at each word, take the longest known name starting
        there; commas and semicolons always separate; "och"/"samt" separate unless they are
        inside a known name or continue a hyphenated word ("Gatu- och ...").
        """
        known = self._pieces.get(text)
        if known is None:
            known = self._pieces[text] = tuple(self._resolve_pieces(text))
        return list(known)

    def _resolve_pieces(self, text: str) -> list[_Piece]:
        tokens = _TOKEN_RE.findall(unicodedata.normalize("NFC", text))
        pieces: list[_Piece] = []
        unknown: list[str] = []

        def flush() -> None:
            name = clean_name(" ".join(unknown))
            if name and any(ch.isalnum() for ch in name):
                pieces.append(_Piece(name, None))
            unknown.clear()

        i = 0
        while i < len(tokens):
            token = tokens[i]
            if _HARD_SEPARATOR_RE.fullmatch(token):
                flush()
                i += 1
                continue
            found = self._longest_match(tokens, i)
            if found is not None:
                flush()
                end, entry = found
                pieces.append(_Piece(clean_name(" ".join(tokens[i:end])), entry))
                i = end
                continue
            if _SOFT_SEPARATOR_RE.fullmatch(token) and not (unknown and unknown[-1].endswith("-")):
                flush()
            else:
                unknown.append(token)
                if _ends_name(token):
                    flush()
            i += 1
        flush()
        return pieces

    def _longest_match(
        self, tokens: list[str], start: int
    ) -> tuple[int, OrgEntry | GroupEntry] | None:
        limit = start
        while (
            limit < len(tokens)
            and limit - start < self._max_words
            and not _HARD_SEPARATOR_RE.fullmatch(tokens[limit])
        ):
            limit += 1
        for end in range(limit, start, -1):
            entry = self._index.get(normalize_name(" ".join(tokens[start:end])))
            if entry is not None:
                return end, entry
        return None

    def __iter__(self) -> Iterator[OrgEntry]:
        return iter(self.organisations)

    def __len__(self) -> int:
        return len(self.organisations)


def _split_pieces(pieces: Iterable[_Piece]) -> tuple[list[str], list[str]]:
    known: list[str] = []
    unknown: list[str] = []
    for piece in pieces:
        target = known if piece.entry is not None else unknown
        if piece.name not in target:
            target.append(piece.name)
    return known, unknown
