"""The search service on whichever database runs the suite (SQLite FTS5 or PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insyn.search import services
from insyn.search.models import SearchDocument
from insyn.search.services import search

pytestmark = pytest.mark.django_db


def add(
    key: str, title: str, body: str = "", kind: str = "assignment", year: int | None = 2023
) -> None:
    services.index_document(
        object_key=key, kind=kind, url=f"/test/{key}/", title=title, body=body, year=year
    )


def keys(query: str, **kwargs) -> list[str]:
    return [hit.object_key for hit in search(query, **kwargs)]


# Pairs where Swedish Snowball gives the query's stem equal to (or a prefix of) the document
# word's stem, checked below so the test cannot silently test nothing.
INFLECTIONS = [
    ("trygghetsvandringar", "trygghetsvandring"),
    ("trygghetsvandring", "trygghetsvandringar"),
    ("skola", "skolor"),
    ("skolorna", "skola"),
    ("skolan", "skolor"),  # stem "skolan" starts with the query's stem "skol"
    ("försenat", "försenade"),
    ("försenade", "försenad"),
    ("nämnder", "nämnden"),
    ("kommunen", "kommuner"),
    ("uppdragen", "uppdrag"),
    ("arbetet", "arbete"),
    ("barnen", "barn"),
]


@pytest.mark.parametrize(("document_word", "query"), INFLECTIONS)
def test_swedish_stemming_finds_other_forms_of_a_word(document_word, query):
    assert services.stem(document_word).startswith(services.stem(query))
    add("t:1", "Ett uppdrag", f"I texten står ordet {document_word} mitt i en mening.")
    add("t:2", "Något helt annat", "Cykelbanor och parker.")

    assert keys(query) == ["t:1"]


def test_remembered_stems_are_the_stemmer_s_and_never_more_than_the_limit(monkeypatch):
    monkeypatch.setattr(services, "STEMS_REMEMBERED", 3)
    monkeypatch.setattr(services, "_STEMS", services._Stems())
    text = "Skolorna och skolan, parkerna och parken: cykelbanor!"
    stemmer = services._stemmer()
    assert services.stem_text(text) == " ".join(stemmer.stemWord(w) for w in services.words(text))
    assert 0 < len(services._STEMS) <= 3
    assert services.stem("Parkerna".lower()) == stemmer.stemWord("parkerna")


def test_the_stems_the_tests_rely_on_are_what_snowball_gives():
    stem = services.stem
    assert stem("trygghetsvandringar") == stem("trygghetsvandring") == "trygghetsvandring"
    assert stem("skolor") == stem("skola") == stem("skolorna") == "skol"
    assert stem("försenade") == stem("försenat") == stem("försenad") == "försen"


def test_every_word_of_the_query_must_match():
    add("t:1", "Skolan", "Trygghetsvandringar i skolan.")
    add("t:2", "Parken", "Trygghetsvandringar i parken.")

    assert set(keys("trygghetsvandring")) == {"t:1", "t:2"}
    assert keys("trygghetsvandring parken") == ["t:2"]
    assert keys("trygghetsvandring bibliotek") == []


def test_a_word_matches_as_a_prefix():
    add("t:1", "Trygghetsvandringar", "")
    assert keys("trygg") == ["t:1"]


def test_title_and_body_are_both_searched():
    add("t:1", "Bibliotek", "Öppettider ska utökas.")
    assert keys("bibliotek") == ["t:1"]
    assert keys("öppettider") == ["t:1"]


def test_case_and_diacritics_of_swedish_letters():
    add("t:1", "Älvstranden", "ÖVERSIKTSPLAN för Årsta.")
    assert keys("älvstranden") == ["t:1"]
    assert keys("översiktsplan årsta") == ["t:1"]


@pytest.mark.parametrize("query", ["", "   ", "\n\t", "!!!", "*", "och", "och i på"])
def test_empty_punctuation_or_stop_words_only_give_nothing(query):
    add("t:1", "Och i på", "och i på ! *")
    assert search(query) == []


def test_stop_words_are_ignored_next_to_real_words():
    add("t:1", "Skolan", "Skolan och parken.")
    assert keys("skolan och") == ["t:1"]


NASTY_QUERIES = [
    '"',
    '""',
    "'",
    "*",
    "**",
    "a*",
    "*a",
    "(",
    ")",
    "(skolan",
    "skolan)",
    "NEAR(skolan parken)",
    "NEAR",
    "AND",
    "OR",
    "NOT",
    "skolan AND",
    "OR skolan",
    "skolan OR parken",
    "skolan NOT",
    "-skolan",
    "+skolan",
    "^skolan",
    "title:skolan",
    "stemmed:skol",
    "{stemmed}: skol",
    "skol:*",
    "skolan & parken",
    "skolan | parken",
    "!skolan",
    "skolan <-> parken",
    "\\",
    "\x00",
    "skolan\x00parken",
    "'; DROP TABLE search_searchdocument; --",
    "%",
    "_",
    "%skol_",
    "ǅ²³½",
    "\u0301",
    "日本語",
    "🙂 skolan",
    "a" * 5000,
    " ".join(["skolan"] * 100),
]


@pytest.mark.parametrize("query", NASTY_QUERIES)
def test_no_query_string_raises(query):
    add("t:1", "Skolan och parken", "Trygghetsvandringar i skolan och parken.")
    hits = search(query)
    assert isinstance(hits, list)
    if query in {"(skolan", "skolan)", "-skolan", "^skolan", "skol:*", "🙂 skolan", "!skolan"}:
        assert keys(query) == ["t:1"]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=80))
def test_arbitrary_query_strings_never_raise(query):
    add("t:1", "Skolan och parken", "Trygghetsvandringar i skolan och parken.")
    hits = search(query)
    assert isinstance(hits, list)
    assert all(hit.object_key == "t:1" for hit in hits)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=st.lists(
        st.sampled_from(
            [
                '"',
                "*",
                "(",
                ")",
                "NEAR",
                "AND",
                "OR",
                "NOT",
                ":",
                "^",
                "-",
                "+",
                "'",
                "&",
                "|",
                "!",
                "<->",
                "skolan",
                "park",
                "\\",
                "{",
                "}",
                ",",
                ".",
            ]
        ),
        max_size=12,
    ).map("".join)
)
def test_query_syntax_characters_in_any_combination_never_raise(query):
    add("t:1", "Skolan och parken", "Trygghetsvandringar i skolan och parken.")
    assert isinstance(search(query), list)


def test_kinds_filter():
    add("t:1", "Skolan", kind="assignment")
    add("t:2", "Skolan", kind="goal")
    add("t:3", "Skolan", kind="dialogue")

    assert set(keys("skolan")) == {"t:1", "t:2", "t:3"}
    assert set(keys("skolan", kinds=["goal", "dialogue"])) == {"t:2", "t:3"}
    assert keys("skolan", kinds=["assignment"]) == ["t:1"]
    assert keys("skolan", kinds=[]) == []
    assert keys("skolan", kinds=["nothing"]) == []
    assert keys("skolan", kinds="goal") == ["t:2"]  # one kind as a plain string


def test_limit():
    for n in range(8):
        add(f"t:{n}", f"Skolan {n}")
    assert len(search("skolan", limit=3)) == 3
    assert len(search("skolan")) == 8
    assert search("skolan", limit=0) == []


def test_more_occurrences_rank_higher():
    add("t:1", "Parken", "En mening om parken och en om skolan.")
    add("t:2", "Skolan", "Skolan, skolan och skolan: skolans trygghetsvandringar i skolan.")
    hits = search("skolan")
    assert [hit.object_key for hit in hits] == ["t:2", "t:1"]
    assert hits[0].rank > hits[1].rank


def test_hit_carries_the_document_fields():
    add("goals.assignment:7", "Uppdrag 7: Trygghet", "Trygghetsvandringar genomförs.", year=2024)
    [hit] = search("trygghetsvandring")
    assert hit.object_key == "goals.assignment:7"
    assert hit.kind == "assignment"
    assert hit.url == "/test/goals.assignment:7/"
    assert hit.title == "Uppdrag 7: Trygghet"
    assert hit.year == 2024
    assert isinstance(hit.rank, float)


def test_snippet_is_a_short_plain_text_excerpt_around_the_match():
    words = [f"ord{n}" for n in range(200)]
    words[120] = "trygghetsvandringar"
    add("t:1", "Lång text", " ".join(words))
    [hit] = search("trygghetsvandring")
    assert "trygghetsvandringar" in hit.snippet
    assert len(hit.snippet.split()) <= 40
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert "<" not in hit.snippet


def test_snippet_of_a_short_body_is_the_body():
    add("t:1", "Skolan", "Skolan renoveras & byggs ut.")
    [hit] = search("renoveras")
    assert hit.snippet == "Skolan renoveras & byggs ut."  # no highlight markup either


def test_index_document_replaces_a_document_with_the_same_key():
    add("t:1", "Skolan", "Biblioteket byggs om.")
    add("t:1", "Skolan", "Simhallen byggs om.")

    assert SearchDocument.objects.count() == 1
    assert keys("simhallen") == ["t:1"]
    assert keys("biblioteket") == []


def test_stemmed_text_is_stored():
    add("t:1", "Trygghetsvandringar", "Försenade skolor.")
    document = SearchDocument.objects.get()
    assert document.stemmed == "trygghetsvandring\nförsen skol"


def test_remove_document():
    add("t:1", "Skolan")
    add("t:2", "Skolan")
    services.remove_document("t:1")
    services.remove_document("does-not-exist")
    assert keys("skolan") == ["t:2"]


def test_remove_documents_by_prefix():
    add("goals.goal:1", "Skolan")
    add("goals.assignment:1", "Skolan")
    add("dialogue.dialogue:1", "Skolan")

    assert services.remove_documents("goals.") == 2
    assert keys("skolan") == ["dialogue.dialogue:1"]
    with pytest.raises(ValueError):
        services.remove_documents("")


def test_replace_documents_keeps_exactly_the_given_documents_under_the_prefix():
    add("goals.goal:1", "Gammal skola")
    add("goals.goal:2", "Skolan")
    add("dialogue.dialogue:1", "Skolan")
    new = [
        services.build_document(
            object_key="goals.goal:2", kind="goal", url="/2/", title="Ny skola", body=""
        ),
        services.build_document(
            object_key="goals.goal:3", kind="goal", url="/3/", title="Skolan", body=""
        ),
    ]
    assert services.replace_documents("goals.", new) == 2
    assert set(keys("skola")) == {"goals.goal:2", "goals.goal:3", "dialogue.dialogue:1"}
    with pytest.raises(ValueError):
        services.replace_documents("dialogue.", new)


def test_bulk_queryset_changes_keep_the_full_text_index_in_sync():
    """Deletes and updates that bypass the service (admin, cascades) cannot leave ghosts."""
    add("t:1", "Skolan")
    add("t:2", "Skolan")
    SearchDocument.objects.filter(object_key="t:1").delete()
    SearchDocument.objects.filter(object_key="t:2").update(
        title="Parken", stemmed=services.stem_text("Parken")
    )
    assert keys("skolan") == []
    assert keys("parken") == ["t:2"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite FTS5 table")
def test_sqlite_fts5_table_mirrors_the_documents():
    add("t:1", "Skolan")
    add("t:2", "Parken")
    services.remove_document("t:1")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {services.FTS_TABLE}({services.FTS_TABLE}) VALUES ('integrity-check')"
        )
        cursor.execute(
            f"SELECT rowid FROM {services.FTS_TABLE} WHERE {services.FTS_TABLE} MATCH 'park*'"
        )
        assert [row[0] for row in cursor.fetchall()] == [
            SearchDocument.objects.get(object_key="t:2").pk
        ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL GIN index")
def test_postgresql_search_uses_the_gin_expression_index():
    from django.test.utils import CaptureQueriesContext

    add("t:1", "Skolan")
    with CaptureQueriesContext(connection) as captured:
        search("skolor")
    sql = captured.captured_queries[-1]["sql"]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "search_searchdocument_swedish_gin" in plan


@pytest.mark.parametrize("two_processes", [False, True])
def test_build_documents_gives_what_build_document_gives(monkeypatch, two_processes):
    """Stemmed in two processes or in one, the documents are those build_document makes."""
    from insyn.core import parallel

    monkeypatch.setattr(services, "PARALLEL_STEMMING_FROM", 2)
    monkeypatch.setattr(parallel, "two_cpus", lambda: True)
    fields = [
        {
            "object_key": f"t:{n}",
            "kind": "goal",
            "url": f"/{n}/",
            "title": f"Skolorna {n}: trygghetsvandringar",
            "body": f"Försenade bussar.\n\nHållbart och öppet, område {n}.",
            "year": 2020 + n,
        }
        for n in range(5)
    ]
    built = services.build_documents(fields, two_processes=two_processes)
    one_by_one = [services.build_document(**f) for f in fields]
    columns = ("object_key", "kind", "url", "title", "body", "stemmed", "year")
    assert [[getattr(d, c) for c in columns] for d in built] == [
        [getattr(d, c) for c in columns] for d in one_by_one
    ]
    assert "skol" in built[4].stemmed


@pytest.mark.parametrize("two_processes", [False, True])
def test_documents_stemmed_part_by_part_are_those_build_document_makes(monkeypatch, two_processes):
    """A body given with its parts (some stems known beforehand, some not) gives the document
    build_document makes from the whole body."""
    from insyn.core import parallel

    monkeypatch.setattr(services, "PARALLEL_STEMMING_FROM", 2)
    monkeypatch.setattr(parallel, "two_cpus", lambda: True)
    paragraphs = [["Försenade bussar.", f"Område {n}: hållbart"] for n in range(6)]
    fields = [
        {
            "object_key": f"t:{n}",
            "kind": "assignment",
            "url": f"/{n}/",
            "title": f"Uppdrag {n}: Skolorna",
            "body": "\n\n".join(parts),
            "parts": parts,
        }
        for n, parts in enumerate(paragraphs)
    ]
    known = {"Försenade bussar.": services.stem_text("Försenade bussar.")}
    built = services.build_documents(fields, two_processes=two_processes, known_stems=lambda: known)
    one_by_one = [
        services.build_document(**{k: v for k, v in f.items() if k != "parts"}) for f in fields
    ]
    assert [(d.object_key, d.body, d.stemmed) for d in built] == [
        (d.object_key, d.body, d.stemmed) for d in one_by_one
    ]
