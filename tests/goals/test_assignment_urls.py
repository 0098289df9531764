"""assignment_urls gives every assignment's get_absolute_url(), one reverse() per goal."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch

from insyn.goals.models import Assignment, assignment_urls
from tests.world import build_world

pytestmark = pytest.mark.django_db


def test_the_same_addresses_as_get_absolute_url():
    world = build_world(goals=2, assignments=3)
    first, second = world.assignments[:2]
    Assignment.objects.filter(pk=second.pk).update(slug="")  # no slug: the address has its pk
    assignments = list(Assignment.objects.select_related("goal__plan").order_by("pk"))
    assert len({a.goal_id for a in assignments}) >= 2

    urls = assignment_urls(assignments)

    assert urls == [a.get_absolute_url() for a in assignments]
    assert len(set(urls)) == len(urls)
    by_pk = dict(zip([a.pk for a in assignments], urls, strict=True))
    assert by_pk[second.pk].endswith(f"/uppdrag/{second.pk}/")
    assert by_pk[first.pk].endswith(f"/uppdrag/{first.slug}/")


def test_what_is_no_slug_goes_to_reverse_as_before():
    world = build_world(goals=1, assignments=1)
    assignment = Assignment.objects.select_related("goal__plan").get(pk=world.assignments[0].pk)
    assignment.slug = "ö 2"
    with pytest.raises(NoReverseMatch):
        assignment.get_absolute_url()
    with pytest.raises(NoReverseMatch):
        assignment_urls([assignment])
