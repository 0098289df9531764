"""An import costs a number of queries per run, not per row: ten times the pages, the same
queries but for the odd extra batch (bulk INSERTs, search documents included, write as many rows
as a statement takes parameters: insyn.core.bulk). A row-by-row import needed about 200 a page: a
lookup, an INSERT and a history record for every goal, section, assignment, link and report."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.followup_pages import generate
from insyn.goals.models import Assignment, Goal, Report
from insyn.importers.services import import_followup_files

pytestmark = pytest.mark.django_db

N = 3


def queries_to_import(paths) -> int:
    with CaptureQueriesContext(connection) as queries:
        import_followup_files(paths)
    return len(queries)


def test_ten_times_the_pages_costs_no_more_queries(registry, tmp_path):
    # Each set is a plan year of its own, so both runs create a plan, a period and every row.
    small = generate(N, tmp_path / "small", first_year=2030)
    large = generate(10 * N, tmp_path / "large", first_year=2040)

    small_first, large_first = queries_to_import(small), queries_to_import(large)
    assert Goal.objects.filter(plan__year=2040).count() == 10 * N
    assignments = Assignment.objects.filter(goal__plan__year=2040).count()
    assert assignments > 10 * N * 10
    assert Report.objects.filter(assignment__goal__plan__year=2040).count() == assignments
    assert large_first <= small_first + 2  # 30 pages: the odd extra batch
    assert small_first <= 56

    # Again, nothing new: reading what exists is as constant, and no plan is indexed again.
    small_again, large_again = queries_to_import(small), queries_to_import(large)
    assert large_again <= small_again + 2
    assert small_again <= 21
