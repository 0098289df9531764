"""The dialogue guideline checked in public: verdicts for dialogues that meet and break each
principle, on the dialogue page, for staff while planning, and per year and board."""

from __future__ import annotations

import datetime as dt

import pytest

from insyn.dialogue import guideline, selectors
from insyn.dialogue.models import CoordinationComment, Outreach
from tests.dialogue.factories import DialogueFactory, PublishedDialogueFactory
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 15)


def facts(**changes) -> guideline.Facts:
    base = {
        "purpose": "Ta reda på vad de boende behöver.",
        "result_use": "Underlag till gestaltningen.",
        "decision_maker": "Nämnden",
        "ladder_steps": ["consultation"],
        "anchored_with": "Presidiet",
        "anchored_body": "Nämnden",
        "anchored_on": dt.date(2026, 1, 10),
        "affected": ["Uppsalahem AB"],
        "commented": ["Uppsalahem AB"],
        "earlier_count": 1,
        "earlier_note": "",
        "outreach_count": 2,
        "ends_on": dt.date(2026, 3, 1),
        "feedback_on": dt.date(2026, 5, 1),
        "feedback_published_at": dt.datetime(2026, 4, 20, 12, tzinfo=dt.UTC),
    }
    base.update(changes)
    return guideline.Facts(**base)


def verdicts(f: guideline.Facts) -> dict[str, str]:
    return {v.key: v.verdict for v in guideline.check(f, today=TODAY)}


def test_a_dialogue_that_follows_the_guideline_meets_every_principle():
    assert set(verdicts(facts()).values()) == {guideline.MET}
    assert [v.key for v in guideline.check(facts(), today=TODAY)] == [
        key for key, _title in guideline.PRINCIPLES
    ]


@pytest.mark.parametrize(
    ("change", "key", "verdict", "detail"),
    [
        ({"result_use": ""}, "purpose", "not_met", "hur resultatet ska användas"),
        ({"ladder_steps": []}, "ladder", "not_met", "Inget steg"),
        ({"anchored_on": None}, "anchored", "not_met", "Ingen förankring"),
        ({"commented": []}, "coordinated", "not_met", "Uppsalahem AB"),
        ({"affected": [], "commented": []}, "coordinated", "met", "Inga andra"),
        ({"earlier_count": 0}, "earlier", "not_met", "Inga tidigare"),
        ({"earlier_count": 0, "earlier_note": "Första i sitt slag."}, "earlier", "met", "Första"),
        ({"outreach_count": 0}, "reach", "not_met", "ingen uppsökande"),
        ({"outreach_count": 0, "ends_on": dt.date(2026, 7, 1)}, "reach", "not_due", "pågår"),
        (
            {"feedback_published_at": dt.datetime(2026, 5, 20, 12, tzinfo=dt.UTC)},
            "feedback",
            "not_met",
            "efter utlovat datum",
        ),
        ({"feedback_published_at": None}, "feedback", "not_met", "senast 1 maj 2026"),
        (
            {"feedback_published_at": None, "feedback_on": dt.date(2026, 9, 1)},
            "feedback",
            "not_due",
            "senast 1 september 2026",
        ),
        (
            {"feedback_published_at": None, "feedback_on": None},
            "feedback",
            "not_met",
            "Inget datum",
        ),
    ],
)
def test_each_principle_can_fail_or_wait(change, key, verdict, detail):
    result = {v.key: v for v in guideline.check(facts(**change), today=TODAY)}
    assert result[key].verdict == verdict
    assert detail in result[key].detail
    others = {k: v.verdict for k, v in result.items() if k != key}
    assert set(others.values()) == {guideline.MET}


def test_the_dialogue_page_and_the_staff_page_show_the_checklist(client, officer):
    board = OrganisationFactory(name="Kulturnämnden")
    affected = OrganisationFactory(name="Uppsalahem AB")
    dialogue = PublishedDialogueFactory(responsible_board=board, created_by=officer)
    dialogue.affected_organisations.set([affected])
    text = client.get(f"/dialog/{dialogue.pk}/").content.decode()
    assert "Så följer dialogen kommunens riktlinje" in text
    assert "Har inte lämnat synpunkter i samordningen: Uppsalahem AB" in text
    CoordinationComment.objects.create(dialogue=dialogue, organisation=affected, body="Vi är med.")
    client.force_login(officer)
    staff = client.get(f"/personal/dialog/{dialogue.pk}/").content.decode()
    assert "Alla berörda har lämnat synpunkter i samordningen." in staff


def test_overview_counts_per_year_and_board(client):
    board = OrganisationFactory(name="Kulturnämnden")
    ok = PublishedDialogueFactory(
        responsible_board=board,
        starts_on=dt.date(2025, 2, 1),
        ends_on=dt.date(2025, 3, 1),
        feedback_on=dt.date(2025, 5, 1),
        feedback_published_at=dt.datetime(2025, 4, 1, 12, tzinfo=dt.UTC),
    )
    Outreach.objects.create(dialogue=ok, done_on=dt.date(2025, 2, 10), description="Skolbesök")
    PublishedDialogueFactory(
        responsible_board=board,
        starts_on=dt.date(2025, 6, 1),
        ends_on=dt.date(2025, 6, 30),
        feedback_on=dt.date(2025, 8, 1),
    )
    DialogueFactory(responsible_board=board, starts_on=dt.date(2025, 1, 1))  # a draft: not counted
    rows = selectors.guideline_overview()
    [row] = [r for r in rows if r.board == "Kulturnämnden"]
    assert (row.year, row.dialogues) == (2025, 2)
    assert row.met["reach"] == 1 and row.met["feedback"] == 1 and row.met["purpose"] == 2
    page = client.get("/dialog/riktlinjen/")
    assert page.status_code == 200
    assert "Kulturnämnden" in page.content.decode()


def test_overview_query_count_does_not_grow(client, django_assert_max_num_queries):
    def build(n):
        for _ in range(n):
            d = PublishedDialogueFactory()
            d.affected_organisations.set([OrganisationFactory()])

    build(2)
    with django_assert_max_num_queries(20) as captured:
        assert client.get("/dialog/riktlinjen/").status_code == 200
    build(20)
    with django_assert_max_num_queries(len(captured.captured_queries)):
        assert client.get("/dialog/riktlinjen/").status_code == 200


def test_staff_see_the_checklist_while_planning_before_publishing(client, officer):
    draft = DialogueFactory(created_by=officer, anchored_on=None)
    assert client.get(f"/dialog/{draft.pk}/").status_code == 404  # nothing public yet
    client.force_login(officer)
    staff = client.get(f"/personal/dialog/{draft.pk}/").content.decode()
    assert "Så följer dialogen kommunens riktlinje" in staff
    assert "Ingen förankring är registrerad." in staff
