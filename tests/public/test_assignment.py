"""The assignment page: its whole life across plan years and periods, per-organisation reports."""

from __future__ import annotations

import pytest

from insyn.goals.models import AssignmentKind, PeriodState, ReportState, Status
from tests.factories import (
    AssignmentFactory,
    GoalFactory,
    PeriodFactory,
    PlanFactory,
    ReportFactory,
)
from tests.world import NOT_SUBMITTED, SECRET, build_world

pytestmark = pytest.mark.django_db


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_it_shows_each_published_period_and_the_organisations_reports(client):
    world = build_world(goals=1, assignments=3)
    a = world.assignments[0]
    html = get(client, a.get_absolute_url())
    assert a.title in html and f"Uppdrag {a.number}" in html
    assert "Status enligt Delårsuppföljning per augusti 2023" in html
    assert "Uppföljning per april 2023" in html  # the earlier period is in the history
    assert "Sammanställd bedömning 0 för Uppföljning per april." in html
    assert "Sammanställd bedömning 0 for" not in html
    for org in a.responsible_organisations.all():
        assert f"{org.name} rapporterar om uppdrag 0." in html
    assert "Organisationernas egna rapporter (2)" in html
    assert "Kommunen ska utveckla arbetet tillsammans med civilsamhället." in html


def test_it_never_shows_unpublished_or_unsubmitted_reports(client):
    world = build_world(goals=1, assignments=3)
    for a in world.assignments:
        html = get(client, a.get_absolute_url())
        assert SECRET not in html and NOT_SUBMITTED not in html
        assert "Årsbokslut 2023" not in html  # the open period is not even named


def test_it_shows_the_chain_of_carry_over_across_plan_years(client):
    world = build_world(goals=1, assignments=6)
    remaining = next(a for a in world.assignments if a.kind == AssignmentKind.REMAINING)
    origin = remaining.carried_over_from
    # And it goes on into 2024.
    plan_2024 = PlanFactory(year=2024)
    later = AssignmentFactory(
        goal=GoalFactory(plan=plan_2024, number="1"),
        kind=AssignmentKind.REMAINING,
        number="",
        origin_year=2023,
        carried_over_from=remaining,
        title="Samma uppdrag 2024",
    )
    period_2024 = PeriodFactory(
        plan=plan_2024, kind="april", label="Uppföljning per april", month=4
    )
    ReportFactory(
        assignment=later, period=period_2024, status=Status.COMPLETED, assessment="Nu är det klart."
    )
    html = get(client, remaining.get_absolute_url())
    assert "Uppdraget har funnits i 3 planår." in html
    assert origin.get_absolute_url() in html and later.get_absolute_url() in html
    assert "Förra året gick uppdrag" in html  # the 2022 report
    assert "Nu är det klart." in html  # the 2024 report
    assert html.index("2022:") < html.index("2023:") < html.index("2024:")
    assert "Uppdrag 100 i planen för 2022" in html or "i planen för 2022" in html
    # The origin's page shows the same chain.
    html = get(client, origin.get_absolute_url())
    assert remaining.get_absolute_url() in html and later.get_absolute_url() in html


def test_it_shows_the_decision_of_an_additional_assignment(client):
    world = build_world(goals=1, assignments=3)
    additional = next(a for a in world.assignments if a.kind == AssignmentKind.ADDITIONAL)
    html = get(client, additional.get_absolute_url())
    assert "Beslut" in html and "KF 13 juni 2022, §379, diarienummer KSN-2022-" in html


def test_it_shows_responsible_groups_and_affected_organisations(client):
    world = build_world(goals=1, assignments=3)
    html = get(client, world.assignments[0].get_absolute_url())
    assert "Alla nämnder och bolag" in html and "Berörda" in html


def test_it_says_so_when_nothing_is_published(client):
    plan = PlanFactory(year=2032)
    a = AssignmentFactory(goal=GoalFactory(plan=plan))
    ReportFactory(
        assignment=a,
        period=PeriodFactory(plan=plan, state=PeriodState.OPEN, published_at=None),
        assessment=SECRET,
        state=ReportState.APPROVED,
    )
    html = get(client, a.get_absolute_url())
    assert "Ingen uppföljning av uppdraget är publicerad ännu." in html
    assert SECRET not in html


def test_it_is_404_for_an_unknown_assignment(client):
    assert client.get("/uppdrag/999999/").status_code == 404


def test_it_renders_the_panels_of_other_apps(client):
    world = build_world(goals=1, assignments=3)
    a = world.assignments[0]
    assert f"Panel för uppdrag {a.pk}" in get(client, a.get_absolute_url())


def _remaining(world):
    return next(a for a in world.assignments if a.kind == AssignmentKind.REMAINING)


def _more_reporters(world):
    """Twenty more organisations responsible for and reporting on the assignment."""
    a = _remaining(world)
    for org in world.organisations[-20:]:
        a.responsible_organisations.add(org)
        for period in (world.april, world.august):
            ReportFactory(
                assignment=a,
                period=period,
                organisation=org,
                state=ReportState.SUBMITTED,
                assessment=f"{org.name} har arbetat.",
            )


def test_it_costs_the_same_queries_with_ten_times_the_data(assert_bounded):
    assert_bounded(
        build_world(goals=2, assignments=6),
        lambda w: _remaining(w).get_absolute_url(),
        7,  # 9 before issue 13: the four links of the assignment are one query
        grow=_more_reporters,
    )


def test_it_shows_corrections_made_after_publication(client):
    from insyn.goals.services import compiled_save

    world = build_world(goals=1, assignments=2)
    a = world.assignments[0]
    compiled_save(
        period=world.august,
        assignment=a,
        status=Status.DELAYED,
        assessment="Det gick långsammare än vi skrev.",
        by=None,
        note="Fel status publicerades.",
    )
    html = get(client, a.get_absolute_url())
    assert "Rättelser efter publicering" in html and "Fel status publicerades." in html
    assert "Det gick långsammare än vi skrev." in html
    period_html = get(client, world.august.get_absolute_url())
    assert "Fel status publicerades." in period_html


def test_an_assignment_is_cited_by_plan_goal_and_its_own_number(client):
    """/plan/2023/mal/4/uppdrag/21/ is "Uppdrag 21" of goal 4, whatever its database id; the
    kinds without a number get a name from how the municipality writes them."""
    goal = GoalFactory(plan=PlanFactory(year=2023), number="4")
    AssignmentFactory(goal=goal, number="20")  # takes a database id first
    council = AssignmentFactory(goal=goal, number="21")
    remaining = AssignmentFactory(
        goal=goal, kind=AssignmentKind.REMAINING, number="", origin_year=2022, origin_number="19"
    )
    first = AssignmentFactory(goal=goal, kind=AssignmentKind.ADDITIONAL, number="")
    second = AssignmentFactory(goal=goal, kind=AssignmentKind.ADDITIONAL, number="")
    board = AssignmentFactory(
        goal=goal, kind=AssignmentKind.BOARD_GOAL, number="", board_goal_code="NB 1.1"
    )
    assert council.get_absolute_url() == "/plan/2023/mal/4/uppdrag/21/"
    assert remaining.get_absolute_url() == "/plan/2023/mal/4/uppdrag/kvarvarande-2022-19/"
    assert first.get_absolute_url() == "/plan/2023/mal/4/uppdrag/tillkommande-1/"
    assert second.get_absolute_url() == "/plan/2023/mal/4/uppdrag/tillkommande-2/"
    assert board.get_absolute_url() == "/plan/2023/mal/4/uppdrag/nb-1-1/"
    html = get(client, "/plan/2023/mal/4/uppdrag/21/")
    assert council.title in html and "Uppdrag 21" in html
    # The same number in another goal or year is another assignment; an unknown one is a 404.
    assert client.get("/plan/2023/mal/1/uppdrag/21/").status_code == 404
    assert client.get("/plan/2024/mal/4/uppdrag/21/").status_code == 404
    # Renumbering later (a corrected import) does not move the address.
    council.number = "31"
    council.save()
    assert client.get("/plan/2023/mal/4/uppdrag/21/").status_code == 200


def test_the_old_database_id_address_moves_for_good_to_the_citable_one(client):
    a = AssignmentFactory(goal=GoalFactory(plan=PlanFactory(year=2023), number="4"), number="21")
    response = client.get(f"/uppdrag/{a.pk}/?period=3")
    assert response.status_code == 301
    assert response["Location"] == "/plan/2023/mal/4/uppdrag/21/?period=3"
    assert client.get("/uppdrag/999999/").status_code == 404


def test_every_public_link_and_search_document_uses_the_citable_address(client):
    world = build_world(goals=1, assignments=3)
    a = world.assignments[0]
    html = get(client, a.goal.get_absolute_url())
    assert f'href="{a.get_absolute_url()}"' in html
    assert 'href="/uppdrag/' not in html
    from insyn.goals.indexing import assignment_key
    from insyn.search.models import SearchDocument

    doc = SearchDocument.objects.filter(object_key=assignment_key(a.pk)).first()
    assert doc is None or doc.url == a.get_absolute_url()
