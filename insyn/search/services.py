"""Full-text search with Swedish stemming, on SQLite (FTS5) and on PostgreSQL (`swedish`).

Every app that publishes something searchable writes it here and nowhere else:

- `index_document(object_key=..., kind=..., url=..., title=..., body=..., year=...)` adds or
  replaces one document. `object_key` names the thing ("goals.assignment:12",
  "dialogue.dialogue:3"); `kind` is what the search page filters on ("assignment", "goal",
  "dialogue", ...). Only ever pass published material.
- `remove_document(object_key)` / `remove_documents(prefix)` take things out again (unpublished,
  deleted). `remove_documents("dialogue.")` empties one app's share.
- `search(query, kinds=..., limit=...)` returns `SearchHit`s, best first.

How a query matches, on both backends alike: the query is split into words (letters and digits;
everything else, including quotes, `*`, parentheses and operators such as AND/OR/NEAR, is only a
separator, so no input can raise), each word is reduced to its Swedish Snowball stem and matched
as a prefix of the stems in the documents, and every word must match. "trygghetsvandring" thus
finds "trygghetsvandringar", "skolor" finds "skolan", "försenade" finds "försenat".

SQLite: the FTS5 table `search_searchdocument_fts` (migration 0002) indexes the `stemmed`
column, kept in sync by triggers; ranking is bm25. PostgreSQL: `to_tsvector('swedish', ...)` over
title and body (a GIN expression index, migration 0002, serves the match), ranking `ts_rank`,
snippets `ts_headline`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import snowballstemmer
from django.db import connection, transaction

from insyn.core.bulk import insert_objects, new_object
from insyn.core.parallel import map_in_two
from insyn.search.models import SearchDocument

FTS_TABLE = "search_searchdocument_fts"
MAX_QUERY_WORDS = 12
MAX_LIMIT = 200
DELETE_BATCH = 500
SNIPPET_WORDS_BEFORE = 8
SNIPPET_WORDS = 30

_WORD_RE = re.compile(r"[^\W_]+")

# PostgreSQL's Swedish stop words (tsearch_data/swedish.stop). PostgreSQL leaves them out of
# documents and queries; leaving them out of queries here too makes both backends agree.
_STOP_WORDS_TEXT = """
och det att i en jag hon som han på den med var sig för så till är men ett om hade de av icke
mig du henne då sin nu har inte hans honom skulle hennes där min man ej vid kunde något från ut
när efter upp vi dem vara vad över än dig kan sina här ha mot alla under någon eller allt
mycket sedan ju denna själv detta åt utan varit hur ingen mitt ni bli blev oss din dessa några
deras blir mina samma vilken er sådan vår blivit dess inom mellan sådant varför varje vilka
ditt vem vilket sitta sådana vart dina vars vårt våra ert era vilkas
"""
SWEDISH_STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
_SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class SearchHit:
    object_key: str
    kind: str
    url: str
    title: str
    snippet: str
    year: int | None
    rank: float


@lru_cache(maxsize=1)
def _stemmer():  # snowballstemmer's stemmer objects are not typed
    return snowballstemmer.stemmer("swedish")


def words(text: str) -> list[str]:
    """The lower-cased words of a text (runs of letters and digits)."""
    return _WORD_RE.findall(text.lower())


STEMS_REMEMBERED = 200_000


class _Stems(dict[str, str]):
    """Each word's stem, remembered: a text repeats its words, and indexing a period stems each
    of them again (the stemmer's own work was most of an import's indexing time). A plain dict
    looked up from C (`map(stems.__getitem__, ...)`), the stemmer called only for a word not
    seen yet: the text of 1,000 imported pages is 5 million words of 2,400 distinct ones, and
    an `lru_cache` call per word took about a tenth of the time of stemming them (issue 13;
    finding the words is the rest). Emptied when full, so that no stream of new words (search
    queries) makes it grow without end."""

    def __missing__(self, word: str) -> str:
        if len(self) >= STEMS_REMEMBERED:
            self.clear()
        stemmed = self[word] = _stemmer().stemWord(word)
        return stemmed


_STEMS = _Stems()


def stem(word: str) -> str:
    return _STEMS[word]


def stem_text(text: str) -> str:
    """Every word of the text, lower-cased and reduced to its Swedish stem, space-separated."""
    return " ".join(map(_STEMS.__getitem__, words(text)))


# --- Writing ------------------------------------------------------------------------------------


def build_document(
    *, object_key: str, kind: str, url: str, title: str, body: str, year: int | None = None
) -> SearchDocument:
    """An unsaved SearchDocument with its stemmed text; for `index_documents`."""
    return SearchDocument(
        object_key=object_key,
        kind=kind,
        url=url,
        title=title,
        body=body,
        stemmed=f"{stem_text(title)}\n{stem_text(body)}",
        year=year,
    )


# From this many texts on, `build_documents(..., two_processes=True)` stems the second half of
# the ones not known yet in a forked process (stemming is pure, text in and text out; for an
# import of 1,000 follow-up pages it was about 1.4 s of one core, issue 13). Below it, starting
# the process costs more than it saves.
PARALLEL_STEMMING_FROM = 2000


def stem_texts(texts: list[str]) -> list[str]:
    """`stem_text` of each text, in order (module-level: a forked process can be handed it)."""
    return [stem_text(text) for text in texts]


def stem_parts(parts: Iterable[str], stems: Mapping[str, str]) -> str:
    """`stem_text` of the parts joined by any separators that are neither letters nor digits
    (a paragraph break, a line break, ": "), from each part's stems: a text's words never run
    across such a separator, so its stems are the parts' stems in order (tests/search/
    test_stem_parts.py holds that for any text). `stems` holds every part's `stem_text`."""
    return " ".join(filter(None, map(stems.__getitem__, parts)))


def build_documents(
    documents: Iterable[dict[str, Any]],
    *,
    two_processes: bool = False,
    known_stems: Callable[[], Mapping[str, str]] | None = None,
) -> list[SearchDocument]:
    """`build_document(**fields)` for each of many documents (the same objects, in order).

    A document whose fields hold `parts` (its body's paragraphs, or the pieces they are made
    of, in order, separated in the body by what is neither a letter nor a digit) has its body
    stemmed part by part: a part said again in many documents (an organisation's name) is
    stemmed once, and `known_stems()` (text → `stem_text(text)`, computed beside, say while an
    import writes its rows) saves stemming the parts it holds here.

    `two_processes`: stem many texts in two processes. Only for a command such as the importer,
    never in a web server's process (it forks).
    """
    documents = list(documents)
    stems: dict[str, str] = dict(known_stems()) if known_stems is not None else {}
    missing = list(
        dict.fromkeys(
            part for fields in documents for part in fields.get("parts", ()) if part not in stems
        )
    )
    whole = [fields["body"] for fields in documents if "parts" not in fields]
    titles = [fields["title"] for fields in documents]
    texts = missing + whole + titles
    if two_processes:
        stemmed = map_in_two(stem_texts, texts, parallel_from=PARALLEL_STEMMING_FROM)
    else:
        stemmed = stem_texts(texts)
    stems.update(zip(missing, stemmed[: len(missing)], strict=True))
    whole_stemmed = iter(stemmed[len(missing) : len(missing) + len(whole)])
    title_stemmed = iter(stemmed[len(missing) + len(whole) :])
    built = []
    for fields in documents:
        parts = fields.get("parts")
        body = stem_parts(parts, stems) if parts is not None else next(whole_stemmed)
        built.append(
            new_object(
                SearchDocument,
                object_key=fields["object_key"],
                kind=fields["kind"],
                url=fields["url"],
                title=fields["title"],
                body=fields["body"],
                stemmed=f"{next(title_stemmed)}\n{body}",
                year=fields.get("year"),
            )
        )
    return built


def index_document(
    *, object_key: str, kind: str, url: str, title: str, body: str, year: int | None = None
) -> None:
    """Add the document, or replace the one with the same object_key."""
    index_documents(
        [
            build_document(
                object_key=object_key, kind=kind, url=url, title=title, body=body, year=year
            )
        ]
    )


def index_documents(documents: Sequence[SearchDocument]) -> int:
    """Add or replace many documents (built with `build_document`) in one statement per batch."""
    if not documents:
        return 0
    insert_objects(
        SearchDocument,
        documents,
        unique_fields=["object_key"],
        update_fields=["kind", "url", "title", "body", "stemmed", "year", "updated_at"],
    )
    return len(documents)


def remove_document(object_key: str) -> None:
    SearchDocument.objects.filter(object_key=object_key).delete()


def remove_documents(prefix: str) -> int:
    """Remove every document whose object_key starts with prefix; returns how many."""
    if not prefix:
        raise ValueError("remove_documents needs a non-empty prefix")
    deleted, _per_model = SearchDocument.objects.filter(object_key__startswith=prefix).delete()
    return deleted


@transaction.atomic
def replace_documents(prefix: str, documents: Sequence[SearchDocument]) -> int:
    """Make the documents under prefix exactly these: upsert them and remove the rest."""
    if not prefix:
        raise ValueError("replace_documents needs a non-empty prefix")
    keys = {document.object_key for document in documents}
    if any(not key.startswith(prefix) for key in keys):
        raise ValueError(f"every object_key must start with {prefix!r}")
    existing = SearchDocument.objects.filter(object_key__startswith=prefix)
    stale = [key for key in existing.values_list("object_key", flat=True) if key not in keys]
    for start in range(0, len(stale), DELETE_BATCH):
        SearchDocument.objects.filter(object_key__in=stale[start : start + DELETE_BATCH]).delete()
    return index_documents(documents)


# --- Reading ------------------------------------------------------------------------------------


def query_words(query: str) -> list[str]:
    """The distinct words of a query that are not stop words, in order, at most MAX_QUERY_WORDS."""
    seen: dict[str, None] = {}
    for word in words(query):
        if word not in SWEDISH_STOP_WORDS:
            seen.setdefault(word, None)
    return list(seen)[:MAX_QUERY_WORDS]


def search(query: str, *, kinds: Sequence[str] | None = None, limit: int = 50) -> list[SearchHit]:
    """Documents matching every word of the query (stemmed, as prefixes), best first."""
    terms = query_words(query or "")
    if not terms or limit <= 0:
        return []
    limit = min(limit, MAX_LIMIT)
    if isinstance(kinds, str):
        kinds = [kinds]
    kinds = list(kinds) if kinds is not None else None
    if kinds is not None and not kinds:
        return []
    if connection.vendor == "postgresql":
        return _search_postgresql(terms, kinds, limit)
    return _search_sqlite(terms, kinds, limit)


def _search_sqlite(terms: list[str], kinds: list[str] | None, limit: int) -> list[SearchHit]:
    stems = [stem(term) for term in terms]
    # Each stem is letters and digits only; quoted and starred it is a plain prefix token.
    match = " ".join(f'"{s}"*' for s in stems)
    table = SearchDocument._meta.db_table
    sql = (
        f"SELECT d.object_key, d.kind, d.url, d.title, d.body, d.year, bm25({FTS_TABLE}) "
        f"FROM {FTS_TABLE} JOIN {table} d ON d.id = {FTS_TABLE}.rowid "
        f"WHERE {FTS_TABLE} MATCH %s"
    )
    params: list[Any] = [match]
    if kinds is not None:
        sql += f" AND d.kind IN ({', '.join(['%s'] * len(kinds))})"
        params.extend(kinds)
    sql += f" ORDER BY bm25({FTS_TABLE}), d.id LIMIT %s"
    params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        SearchHit(
            object_key=key,
            kind=kind,
            url=url,
            title=title,
            snippet=make_snippet(body or title, stems),
            year=year,
            rank=-float(score),
        )
        for key, kind, url, title, body, year, score in rows
    ]


def _search_postgresql(terms: list[str], kinds: list[str] | None, limit: int) -> list[SearchHit]:
    from django.contrib.postgres.search import (
        SearchHeadline,
        SearchQuery,
        SearchRank,
        SearchVector,
    )

    # Each term is letters and digits only, so "term:*" is a safe raw tsquery operand: the
    # swedish configuration stems it and matches it as a prefix (websearch has no prefixes).
    parts = [SearchQuery(f"{term}:*", config="swedish", search_type="raw") for term in terms]
    query = parts[0]
    for part in parts[1:]:
        query &= part
    vector = SearchVector("title", "body", config="swedish")  # matches the GIN index
    documents = (
        SearchDocument.objects.annotate(vector=vector)
        .filter(vector=query)
        .annotate(
            rank=SearchRank(vector, query),
            snippet=SearchHeadline(
                "body",
                query,
                config="swedish",
                start_sel="",
                stop_sel="",
                max_words=SNIPPET_WORDS,
                min_words=15,
            ),
        )
        .order_by("-rank", "id")
    )
    if kinds is not None:
        documents = documents.filter(kind__in=kinds)
    rows = documents.values_list(
        "object_key", "kind", "url", "title", "body", "year", "rank", "snippet"
    )[:limit]
    return [
        SearchHit(
            object_key=key,
            kind=kind,
            url=url,
            title=title,
            snippet=_clean_snippet(snippet, body) if body else "",
            year=year,
            rank=float(rank),
        )
        for key, kind, url, title, body, year, rank, snippet in rows
    ]


def _clean_snippet(snippet: str, body: str) -> str:
    """ts_headline's fragment as plain text, with "…" where it cuts the body."""
    text = _SPACE_RE.sub(" ", snippet or "").strip()
    snippet_words, body_words = words(text), words(body)
    if not snippet_words:
        return ""
    prefix = "" if snippet_words[0] == body_words[0] else "… "
    suffix = "" if snippet_words[-1] == body_words[-1] else " …"
    return f"{prefix}{text}{suffix}"


def make_snippet(text: str, stems: Sequence[str]) -> str:
    """A plain-text excerpt of about SNIPPET_WORDS words around the first matching word."""
    tokens = _SPACE_RE.sub(" ", text).strip().split(" ")
    if not tokens or tokens == [""]:
        return ""
    first = 0
    for index, token in enumerate(tokens):
        token_stems = [stem(word) for word in words(token)]
        if any(ts.startswith(s) for ts in token_stems for s in stems):
            first = index
            break
    start = max(0, first - SNIPPET_WORDS_BEFORE)
    end = min(len(tokens), start + SNIPPET_WORDS)
    excerpt = " ".join(tokens[start:end])
    if start > 0:
        excerpt = f"… {excerpt}"
    if end < len(tokens):
        excerpt = f"{excerpt} …"
    return excerpt
