"""Public pages, filters without JS, search box, panels both ways, bounded queries, demo."""

from __future__ import annotations

import pytest
from django.urls import reverse

from insyn.dialogue import selectors, services
from insyn.dialogue.models import Dialogue, DialogueState, MethodKind
from insyn.public.panels import assignment_panels, goal_panels
from tests.dialogue.factories import (
    BudgetFactory,
    DiscussionFactory,
    DistrictFactory,
    MeetingFactory,
    ProposalFactory,
    PublishedDialogueFactory,
    SurveyFactory,
)
from tests.factories import AssignmentFactory, GoalFactory

pytestmark = pytest.mark.django_db


def _titles(client, **params):
    content = client.get(reverse("dialogue:index"), params).content.decode()
    return {d.title for d in Dialogue.objects.all() if d.title in content}


def test_filters_work_as_plain_get_forms(client):
    goal = GoalFactory()
    district = DistrictFactory(name="Sävja")
    open_one = PublishedDialogueFactory(
        title="Öppen om Sävja", whole_municipality=False, methods=[MethodKind.BUDGET]
    )
    open_one.districts.add(district)
    open_one.goals.add(goal)
    closed = PublishedDialogueFactory(
        title="Avslutad dialog", state=DialogueState.CLOSED, methods=[MethodKind.SURVEY]
    )
    other = PublishedDialogueFactory(title="Annan dialog", whole_municipality=False)
    assert _titles(client, status="open") == {open_one.title, other.title}
    assert _titles(client, status="closed") == {closed.title}
    assert _titles(client, omrade=district.pk) == {open_one.title, closed.title}  # closed: whole
    assert _titles(client, mal=goal.pk) == {open_one.title}
    assert _titles(client, metod="budget") == {open_one.title}
    assert _titles(client, metod="survey") == {closed.title, other.title}
    assert client.get(reverse("dialogue:index"), {"omrade": "x", "mal": "'"}).status_code == 200


def test_search_box_uses_the_search_index(client):
    hit = _draft("Trygghetsvandring i Stenhagen")
    _draft("Biblioteket")
    assert _titles(client, q="trygghetsvandringar") == {hit.title}


def _draft(title):
    from tests.dialogue.factories import DialogueFactory

    return services.dialogue_publish(dialogue=DialogueFactory(title=title), by=None)


def test_detail_explains_expectations_use_and_feedback_date(client):
    dialogue = PublishedDialogueFactory(ladder_steps=["consultation", "dialogue"])
    page = client.get(reverse("dialogue:detail", args=[dialogue.pk])).content.decode()
    assert "Du ser inte vad andra deltagare har svarat" in page
    assert "utbyta tankar" in page
    assert dialogue.result_use in page
    assert "återkopplar resultatet senast" in page
    assert "Senast uppdaterad" in page


def test_draft_dialogue_is_not_found(client):
    from tests.dialogue.factories import DialogueFactory

    assert client.get(reverse("dialogue:detail", args=[DialogueFactory().pk])).status_code == 404


def test_dialogue_shows_goals_and_goal_pages_show_dialogues():
    goal = GoalFactory()
    assignment = AssignmentFactory(goal=goal)
    dialogue = PublishedDialogueFactory()
    dialogue.goals.add(goal)
    dialogue.assignments.add(assignment)
    draft = PublishedDialogueFactory(state=DialogueState.DRAFT)
    draft.goals.add(goal)
    [panel] = [p for p in goal_panels(goal) if p.template == "dialogue/panel.html"]
    assert panel.context["dialogues"] == [dialogue]
    [panel] = [p for p in assignment_panels(assignment) if p.template == "dialogue/panel.html"]
    assert panel.context["dialogues"] == [dialogue]
    assert selectors.goal_panel(GoalFactory()) is None
    panel = selectors.organisation_panel(dialogue.responsible_board)
    assert panel.context["dialogues"] == [dialogue]


def test_winning_proposal_links_its_assignment_panel():
    budget = BudgetFactory()
    proposal = ProposalFactory(budget=budget, is_winner=True)
    assignment = AssignmentFactory()
    services.proposal_link_assignment(proposal=proposal, assignment=assignment, by=None)
    panel = selectors.assignment_panel(assignment)
    assert panel.context["dialogues"] == [budget.dialogue]


def _many(n):
    goal = GoalFactory()
    district = DistrictFactory()
    for _i in range(n):
        d = PublishedDialogueFactory(whole_municipality=False)
        d.goals.add(goal)
        d.districts.add(district)
    return goal


def test_list_and_panel_cost_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    goal = _many(3)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("dialogue:index"))
    _many(30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("dialogue:index"))
    with django_assert_max_num_queries(2):
        selectors.goal_panel(goal)


def test_detail_costs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    dialogue = PublishedDialogueFactory()
    for _i in range(2):
        SurveyFactory(dialogue=dialogue)
        MeetingFactory(dialogue=dialogue)
    with django_assert_max_num_queries(30) as small:
        client.get(reverse("dialogue:detail", args=[dialogue.pk]))
    for _i in range(20):
        SurveyFactory(dialogue=dialogue)
        MeetingFactory(dialogue=dialogue)
        DiscussionFactory(dialogue=dialogue)
        BudgetFactory(dialogue=dialogue)
        goal = GoalFactory()
        dialogue.goals.add(goal)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("dialogue:detail", args=[dialogue.pk]))


def test_discussion_and_budget_pages_are_bounded(client, django_assert_max_num_queries):
    discussion = DiscussionFactory()
    budget = BudgetFactory(dialogue=discussion.dialogue)

    def load():
        client.get(reverse("dialogue:discussion", args=[discussion.dialogue.pk, discussion.pk]))
        client.get(reverse("dialogue:budget", args=[budget.dialogue.pk, budget.pk]))

    for _i in range(3):
        post = services.post_submit(discussion=discussion, body="Inlägg")
        services.post_submit(discussion=discussion, body="Svar", parent=post)
        ProposalFactory(budget=budget)
    with django_assert_max_num_queries(40) as small:
        load()
    for _i in range(30):
        post = services.post_submit(discussion=discussion, body="Inlägg")
        services.post_submit(discussion=discussion, body="Svar", parent=post)
        ProposalFactory(budget=budget)
    with django_assert_max_num_queries(len(small.captured_queries)):
        load()


def test_staff_pages_render(staff_client):
    dialogue = PublishedDialogueFactory()
    survey = SurveyFactory(dialogue=dialogue)
    services.question_add(survey=survey, kind="scale", text="Hur nöjd?")
    budget = BudgetFactory(dialogue=dialogue)
    ProposalFactory(budget=budget, is_winner=True)
    meeting = MeetingFactory(dialogue=dialogue)
    discussion = DiscussionFactory(dialogue=dialogue)
    urls = [
        reverse("dialogue_staff:index"),
        reverse("dialogue_staff:create"),
        reverse("dialogue_staff:overdue"),
        *(
            reverse(f"dialogue_staff:{name}", args=[dialogue.pk])
            for name in (
                "detail",
                "edit",
                "anchoring",
                "feedback",
                "representation",
                "offline",
                "survey_create",
                "discussion_create",
                "budget_create",
                "meeting_create",
            )
        ),
        reverse("dialogue_staff:survey", args=[survey.pk]),
        reverse("dialogue_staff:survey_paper", args=[survey.pk]),
        reverse("dialogue_staff:budget", args=[budget.pk]),
        reverse("dialogue_staff:meeting", args=[meeting.pk]),
        reverse("dialogue_staff:discussion", args=[discussion.pk]),
        reverse("dialogue_staff:proposal_assess", args=[budget.proposals.get().pk]),
    ]
    for url in urls:
        assert staff_client.get(url).status_code == 200, url


def test_staff_creates_methods_through_forms(staff_client):
    dialogue = PublishedDialogueFactory()
    base = f"/personal/dialog/{dialogue.pk}"
    assert staff_client.post(f"{base}/enkater/ny/", {"title": "Enkät"}).status_code == 302
    assert (
        staff_client.post(
            f"{base}/budgetar/ny/",
            {"title": "Budget", "amount": 5000, "rule": "choose_n", "max_choices": 2},
        ).status_code
        == 302
    )
    assert (
        staff_client.post(
            f"{base}/moten/ny/",
            {
                "kind": "walk",
                "title": "Vandring",
                "starts_at": "2030-05-01T18:00",
                "place": "Torget",
            },
        ).status_code
        == 302
    )
    survey = dialogue.surveys.get()
    response = staff_client.post(
        reverse("dialogue_staff:survey", args=[survey.pk]),
        {
            "kind": "single",
            "text": "Vilken?",
            "options": "Ett\nTvå",
            "scale_min": 1,
            "scale_max": 5,
        },
    )
    assert response.status_code == 302 and survey.questions.get().options.count() == 2
    assert dialogue.budgets.get().max_choices == 2 and dialogue.meetings.get().kind == "walk"


def test_demo_loads_idempotently():
    from insyn.dialogue.demo import load_demo

    load_demo()
    load_demo()
    keys = set(Dialogue.objects.values_list("demo_key", flat=True))
    assert keys == {
        "landsbygd-medborgarbudget",
        "resecentrum-medborgardialog",
        "trygghetsvandringar-arsta-stenhagen",
        "lekplats-gottsunda",
    }
    closed = Dialogue.objects.get(demo_key="resecentrum-medborgardialog")
    assert closed.state == DialogueState.CLOSED and closed.feedback_published
    budget = Dialogue.objects.get(demo_key="landsbygd-medborgarbudget").budgets.get()
    assert budget.voting_open and budget.ballots.count() == 12
    walks = Dialogue.objects.get(demo_key="trygghetsvandringar-arsta-stenhagen")
    assert walks.surveys.get().accepting


def test_full_search_rebuild_keeps_only_published_dialogues():
    from insyn.dialogue.indexing import reindex_search
    from insyn.search.services import search
    from tests.dialogue.factories import DialogueFactory

    PublishedDialogueFactory(title="Publicerad om Fyrisån")
    DialogueFactory(title="Utkast om Fyrisån")
    assert reindex_search() == 1
    assert [h.title for h in search("Fyrisån", kinds=["dialogue"])] == ["Publicerad om Fyrisån"]


def test_goal_and_assignment_pages_show_the_dialogue(client):
    from tests.factories import PeriodFactory

    goal = GoalFactory()
    PeriodFactory(plan=goal.plan)
    assignment = AssignmentFactory(goal=goal)
    dialogue = PublishedDialogueFactory(title="Dialog som hör till målet")
    dialogue.goals.add(goal)
    dialogue.assignments.add(assignment)
    for url in (goal.get_absolute_url(), assignment.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Dialog som hör till målet" in response.content.decode(), url
