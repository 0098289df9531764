"""Category.objects: "active category" is one rule, on the QuerySet."""

from __future__ import annotations

import pytest

from insyn.feedback.models import Category
from tests.feedback.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def test_active_fault_and_feedback_categories():
    fault = CategoryFactory(code="fel")
    both = CategoryFactory(code="bada", feedback=True)
    idea = CategoryFactory(code="ide", fault_reports=False, feedback=True)
    CategoryFactory(code="gammal", active=False, feedback=True)
    assert set(Category.objects.active()) == {fault, both, idea}
    assert set(Category.objects.for_fault_reports()) == {fault, both}
    assert set(Category.objects.for_feedback()) == {both, idea}
