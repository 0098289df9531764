"""Imported goals and assignments are found by search, in the import's own transaction, and a
run that changes nothing in a plan leaves its search documents alone."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insyn.goals.models import Assignment, Goal
from insyn.importers.services import import_followup_files
from insyn.search.models import SearchDocument
from insyn.search.services import search
from tests.importers import GOAL_1, GOAL_4

pytestmark = pytest.mark.django_db


def search_writes(paths) -> list[str]:
    """The statements of an import that write the search table."""
    table = SearchDocument._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        import_followup_files(paths)
    return [
        q["sql"]
        for q in queries
        if table in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]


def test_imported_goals_and_assignments_are_found(registry):
    import_followup_files([GOAL_4, GOAL_1])

    goal = Goal.objects.get(plan__year=2023, number="4")
    [hit] = search("tryggare jämlika livsvillkor", kinds=["goal"])
    assert hit.object_key == f"goals.goal:{goal.pk}"
    assert hit.url == goal.get_absolute_url()
    assert hit.year == 2023

    assignment = Assignment.objects.get(goal=goal, number="20")
    hits = search("ungdomsbrottslighet", kinds=["assignment"])
    assert f"goals.assignment:{assignment.pk}" in {h.object_key for h in hits}
    [mine] = [h for h in hits if h.object_key == f"goals.assignment:{assignment.pk}"]
    assert mine.url == assignment.get_absolute_url()
    documents = SearchDocument.objects.filter(object_key__startswith="goals.")
    assert documents.count() == Goal.objects.count() + Assignment.objects.count()


def test_a_run_that_changes_nothing_writes_no_search_document(registry):
    assert search_writes([GOAL_4, GOAL_1])  # the first run indexes
    before = list(SearchDocument.objects.order_by("pk").values_list("pk", "updated_at", "stemmed"))

    assert search_writes([GOAL_4, GOAL_1]) == []

    after = list(SearchDocument.objects.order_by("pk").values_list("pk", "updated_at", "stemmed"))
    assert after == before


def test_a_changed_page_is_indexed_again(registry, tmp_path):
    import_followup_files([GOAL_4])
    assert search("ungdomsbrottslighet", kinds=["assignment"])
    assert not search("fritidsgårdsnätverk")

    changed = tmp_path / GOAL_4.name
    changed.write_text(
        GOAL_4.read_text(encoding="utf-8").replace(
            "förebygga och bekämpa ungdomsbrottslighet", "förebygga fritidsgårdsnätverk"
        ),
        encoding="utf-8",
    )
    assert search_writes([changed])

    assignment = Assignment.objects.get(goal__plan__year=2023, goal__number="4", number="20")
    [hit] = search("fritidsgårdsnätverk", kinds=["assignment"])
    assert hit.object_key == f"goals.assignment:{assignment.pk}"
    assert "ungdomsbrottslighet" not in assignment.title


def test_texts_stemmed_beside_the_writing_give_the_documents_a_rebuild_gives(
    registry, tmp_path, monkeypatch
):
    """Many pages: their texts are stemmed in a second process while the rows are written, and
    the documents are exactly those a rebuild from the database makes."""
    from bench.followup_pages import generate
    from insyn.core import parallel
    from insyn.goals.indexing import reindex_goals
    from insyn.importers import services

    pages = generate(6, tmp_path / "pages")
    monkeypatch.setattr(services, "PARALLEL_STEMMING_FROM", 2)
    monkeypatch.setattr(parallel, "two_cpus", lambda: True)
    forked = []
    real_forked = services.forked
    monkeypatch.setattr(
        services, "forked", lambda *a, **k: forked.append(real_forked(*a, **k)) or forked[-1]
    )
    import_followup_files(pages)
    assert forked and forked[0]._done  # the stems did come from the second process

    def documents():
        return list(
            SearchDocument.objects.filter(object_key__startswith="goals.")
            .order_by("object_key")
            .values_list("object_key", "title", "body", "stemmed")
        )

    imported = documents()
    assert len(imported) > 6 * 10
    # Stemmed part by part, each document is what stemming its whole title and body gives
    # (so the parts the indexing names and the body it writes cannot drift apart).
    from insyn.search.services import stem_text

    assert [stemmed for *_key, stemmed in imported] == [
        f"{stem_text(title)}\n{stem_text(body)}" for _key, title, body, _stemmed in imported
    ]
    SearchDocument.objects.all().delete()
    reindex_goals()
    assert documents() == imported
