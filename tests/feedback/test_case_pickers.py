"""The case page's pickers (issue 11): goals of several plan years are told apart by the year,
and a case is given only to organisations active today."""

from __future__ import annotations

import pytest
from django.urls import reverse

from insyn.feedback import services
from insyn.feedback.models import Kind
from tests.factories import AssignmentFactory, GoalFactory, OrganisationFactory, PlanFactory
from tests.feedback.conftest import CENTRUM

pytestmark = pytest.mark.django_db


def _case(setup):
    return services.create_case(
        kind=Kind.FAULT,
        category=setup.potholes,
        description="Hål vid busshållplatsen",
        lat=CENTRUM[0],
        long=CENTRUM[1],
        address_text="Gatan 1",
        attributes={},
        photos=[],
        contact_email="",
    ).case


def test_goal_picker_names_the_plan_year_and_fordela_offers_only_active_organisations(
    setup, cc_client
):
    for year in (2023, 2024):
        goal = GoalFactory(plan=PlanFactory(year=year), number="1", title="Stark ekonomi")
        AssignmentFactory(goal=goal, number="21", title="Utveckla budgetprocessen")
    OrganisationFactory(name="Nedlagt Bolag AB", slug="nedlagt", active_until=2021)
    case = _case(setup)
    page = cc_client.get(reverse("feedback_staff:case", args=[case.number])).content.decode()
    assert "2023: Fokusmål 1. Stark ekonomi" in page
    assert "2024: Fokusmål 1. Stark ekonomi" in page
    assert "2024: Fokusmål 1, Uppdrag 21" in page
    assert "Nedlagt Bolag AB" not in page
    assert "Gatu- och samhällsmiljönämnden" in page
