"""insert_objects writes what bulk_create would: every value as the field stores it, the keys
back on the objects, related objects saved in between, and upserts on a unique field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insyn.core import bulk
from insyn.core.bulk import insert_objects
from insyn.goals.models import (
    Assignment,
    AssignmentKind,
    FollowUpPeriod,
    Goal,
    GoalKind,
    PeriodKind,
    Plan,
    Report,
    ReportState,
    Status,
)
from insyn.search.models import SearchDocument

pytestmark = pytest.mark.django_db


def test_rows_are_stored_as_bulk_create_stores_them():
    plan = Plan.objects.create(title="Plan", year=2031, last_year=2033)
    goal = Goal(plan=plan, number="7", kind=GoalKind.INRIKTNINGSMAL, title="Ett mål")
    assignments = [
        Assignment(
            goal=goal,  # saved only below: its key is taken when the assignment is written
            number=str(n),
            kind=AssignmentKind.COUNCIL,
            title=f"Uppdrag {n}",
            decision_date=dt.date(2031, 1, n + 1),
            origin_year=None,
            slug=f"u{n}",
        )
        for n in range(3)
    ]
    insert_objects(Goal, [goal])
    insert_objects(Assignment, assignments)

    assert Goal.objects.get(pk=goal.pk).kind == "inriktningsmal"
    stored = list(Assignment.objects.filter(goal=goal).order_by("pk"))
    assert [a.pk for a in stored] == [a.pk for a in assignments]
    assert [(a.number, a.kind, a.decision_date, a.origin_year) for a in stored] == [
        (str(n), "council", dt.date(2031, 1, n + 1), None) for n in range(3)
    ]
    assert not assignments[0]._state.adding

    period = FollowUpPeriod.objects.create(
        plan=plan, year=2031, kind=PeriodKind.ANNUAL, label="Årsredovisning"
    )
    report = Report(
        assignment=assignments[1],
        period=period,
        status=Status.ON_TRACK,
        state=ReportState.APPROVED,
    )
    insert_objects(Report, [report])
    saved = Report.objects.get(pk=report.pk)
    assert (saved.status, saved.state, saved.version) == ("on_track", "approved", 1)
    assert saved.updated_at is not None  # auto_now, as save() and bulk_create set it


def test_many_rows_go_in_batches_and_upsert_on_the_unique_field(monkeypatch):
    monkeypatch.setattr(bulk, "MAX_PARAMS", 8 * 4)  # four documents a statement
    documents = [
        SearchDocument(object_key=f"t:{n}", kind="test", url=f"/t/{n}/", title=f"T {n}")
        for n in range(10)
    ]
    fields = ["kind", "url", "title", "body", "stemmed", "year", "updated_at"]
    with CaptureQueriesContext(connection) as queries:
        insert_objects(
            SearchDocument, documents, unique_fields=["object_key"], update_fields=fields
        )
    assert len([q for q in queries if "INSERT" in q["sql"]]) == 3
    assert SearchDocument.objects.filter(kind="test").count() == 10

    again = [
        SearchDocument(object_key="t:3", kind="test", url="/t/3/", title="Ny titel", year=2031),
        SearchDocument(object_key="t:10", kind="test", url="/t/10/", title="T 10"),
    ]
    insert_objects(SearchDocument, again, unique_fields=["object_key"], update_fields=fields)
    assert SearchDocument.objects.filter(kind="test").count() == 11
    updated = SearchDocument.objects.get(object_key="t:3")
    assert (updated.pk, updated.title, updated.year) == (documents[3].pk, "Ny titel", 2031)
    assert again[0].pk == documents[3].pk


def test_a_database_that_allows_fewer_parameters_gets_smaller_statements(monkeypatch):
    # An SQLite built with SQLITE_MAX_VARIABLE_NUMBER=999 (the default before 3.32) refuses
    # larger statements; PostgreSQL has no such figure (None) and keeps MAX_PARAMS.
    monkeypatch.setattr(type(connection.features), "max_query_params", 8 * 3)
    monkeypatch.delitem(connection.features.__dict__, "max_query_params", raising=False)
    documents = [
        SearchDocument(object_key=f"p:{n}", kind="test", url=f"/p/{n}/", title=f"P {n}")
        for n in range(7)
    ]
    with CaptureQueriesContext(connection) as queries:
        insert_objects(SearchDocument, documents)
    assert len([q for q in queries if "INSERT" in q["sql"]]) == 3
    assert SearchDocument.objects.filter(kind="test").count() == 7


def test_only_new_rows():
    plan = Plan.objects.create(title="Plan", year=2032, last_year=2034)
    with pytest.raises(ValueError):
        insert_objects(Plan, [plan])


def _state_of(obj) -> tuple[dict, bool, str | None, dict]:
    values = {k: v for k, v in obj.__dict__.items() if k != "_state"}
    return values, obj._state.adding, obj._state.db, dict(obj._state.fields_cache)


def test_new_object_is_the_object_the_model_makes():
    plan = Plan.objects.create(title="Plan", year=2032, last_year=2034)
    goal = Goal(plan=plan, number="7", kind=GoalKind.INRIKTNINGSMAL, title="Ett mål")
    period = FollowUpPeriod.objects.create(
        plan=plan, year=2032, kind=PeriodKind.ANNUAL, label="Årsredovisning"
    )
    cases = [
        (Goal, {"plan": plan, "number": "8", "kind": GoalKind.FOKUSMAL, "title": "T"}),
        (
            Assignment,
            {
                "goal": goal,  # not saved yet: its object is cached, its key still None
                "import_key": "council:3",
                "kind": AssignmentKind.COUNCIL,
                "number": "3",
                "decision_date": dt.date(2032, 1, 2),
            },
        ),
        (
            Report,
            {
                "assignment": None,
                "period": period,
                "organisation": None,
                "status": Status.ON_TRACK,
                "state": ReportState.APPROVED,
            },
        ),
        (Report, {"assignment_id": None, "period_id": period.pk, "status": Status.ON_TRACK}),
        (SearchDocument, {"object_key": "k", "kind": "goal", "title": "T", "stemmed": "t"}),
    ]
    for model, values in cases:
        made = model(**values)
        new = bulk.new_object(model, **values)
        assert type(new) is model
        assert _state_of(new) == _state_of(made), model


def test_new_object_refuses_what_the_model_refuses():
    with pytest.raises(TypeError):
        bulk.new_object(SearchDocument, object_key="k", no_such_field=1)
    plan = Plan.objects.create(title="Plan", year=2033, last_year=2035)
    with pytest.raises(ValueError, match="must be a"):
        bulk.new_object(Assignment, goal=plan, title="T")  # a plan is not a goal


def test_new_object_relates_as_the_descriptor_does():
    """The key and the cached object of each relation, and both objects' database, as
    `obj.goal = goal` sets them on a new object; a key given by its column stays as given."""
    plan = Plan.objects.create(title="Plan", year=2034, last_year=2036)
    unsaved = Goal(plan=plan, number="9", title="Ännu inte sparat")
    new = bulk.new_object(Assignment, goal=unsaved, title="T")
    made = Assignment(goal=unsaved, title="T")
    assert (new.goal_id, new._state.db, new._state.fields_cache) == (
        None,
        made._state.db,
        {"goal": unsaved},
    )
    assert unsaved._state.db == "default"
    new = bulk.new_object(Report, assignment_id=12, period_id=None, status=Status.ON_TRACK)
    assert (new.assignment_id, new._state.fields_cache) == (12, {})
