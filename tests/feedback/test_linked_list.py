"""'Det här har invånare sagt: 3 …' on a goal's or an assignment's page links to exactly those
cases (issue 11: it linked to every fault report), and the number counts what the list shows."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from insyn.feedback import services
from insyn.feedback.models import Kind, PublicState
from tests.factories import AssignmentFactory, GoalFactory, PeriodFactory, PlanFactory
from tests.feedback.conftest import CENTRUM

pytestmark = pytest.mark.django_db


def _case(setup, text, *, publish=True, **link):
    case = services.create_case(
        kind=Kind.FAULT,
        category=setup.potholes,
        description=text,
        lat=CENTRUM[0],
        long=CENTRUM[1],
        address_text="Gatan 1",
        attributes={},
        photos=[],
        contact_email="",
    ).case
    if publish:
        services.moderate(
            case=case,
            public_description=text,
            public_address="Gatan 1",
            state=PublicState.PUBLISHED,
            by=None,
        )
    if link:
        services.link_governance(case=case, by=None, **link)
    return case


def test_the_goal_page_links_exactly_the_cases_it_counts(setup, client):
    plan = PlanFactory(year=2023)
    PeriodFactory(plan=plan)
    goal = GoalFactory(plan=plan, number="4")
    assignment = AssignmentFactory(goal=goal, number="21")
    other_goal = GoalFactory(plan=plan, number="5")
    _case(setup, "KOPPLAD-MÅL-1", goal=goal)
    _case(setup, "KOPPLAD-MÅL-2", goal=goal)
    _case(setup, "KOPPLAD-UPPDRAG", assignment=assignment)
    _case(setup, "OGRANSKAD-KOPPLAD", publish=False, goal=goal)
    _case(setup, "ANNAT-MÅL", goal=other_goal)
    _case(setup, "OKOPPLAD")
    page = client.get(reverse("public:goal", args=[2023, "4"])).content.decode()
    # Four are linked (one not yet moderated); the public list shows the three published.
    assert "4 synpunkter och felanmälningar från invånare är kopplade hit." in page
    href = re.search(r'<a href="([^"]+)">Visa de 3 publicerade felanmälningarna</a>', page)
    href = href.group(1)
    listed = client.get(href.replace("&amp;", "&")).content.decode()
    for text in ("KOPPLAD-MÅL-1", "KOPPLAD-MÅL-2", "KOPPLAD-UPPDRAG"):
        assert text in listed
    for text in ("OGRANSKAD", "ANNAT-MÅL", "OKOPPLAD"):
        assert text not in listed
    page = client.get(assignment.get_absolute_url()).content.decode()
    href = re.search(r'<a href="([^"]+)">Visa den publicerade felanmälan</a>', page).group(1)
    listed = client.get(href).content.decode()
    assert "KOPPLAD-UPPDRAG" in listed and "KOPPLAD-MÅL-1" not in listed
    # A bad id in the filter is ignored, never an error.
    assert (
        client.get(reverse("feedback:reports") + "?mal=²&uppdrag=99999999999999999999").status_code
        == 200
    )


def test_dialogues_on_a_goal_page_have_a_heading(setup, client):
    from insyn.dialogue.models import Dialogue, DialogueState

    plan = PlanFactory(year=2023)
    PeriodFactory(plan=plan)
    goal = GoalFactory(plan=plan, number="4")
    fields = {f.name for f in Dialogue._meta.get_fields()}
    assert "goals" in fields
    from tests.dialogue.factories import DialogueFactory

    dialogue = DialogueFactory(state=DialogueState.PUBLISHED)
    dialogue.goals.add(goal)
    page = client.get(reverse("public:goal", args=[2023, "4"])).content.decode()
    assert re.search(r"<h2[^>]*>Dialoger med invånare</h2>", page)
    assert dialogue.title in page
