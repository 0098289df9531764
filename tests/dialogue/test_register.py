"""The register: the guideline's required fields and anchoring gate publication; affected
organisations are notified and can comment; earlier dialogues are proposed; history is kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from insyn.accounts.models import Role
from insyn.core.errors import ServiceError
from insyn.core.models import OutgoingEmail
from insyn.dialogue import selectors, services
from insyn.dialogue.models import Dialogue, DialogueState, LadderStep
from tests.dialogue.factories import DialogueFactory, DistrictFactory, PublishedDialogueFactory
from tests.factories import GoalFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_publishing_without_anchoring_is_refused_with_a_swedish_list():
    dialogue = DialogueFactory(anchored_with="", anchored_body="", anchored_on=None)
    with pytest.raises(services.PublishRefused) as refused:
        services.dialogue_publish(dialogue=dialogue, by=None)
    problems = " ".join(refused.value.problems)
    assert "Förankringen: ange med vem" in problems
    assert "i vilket organ" in problems
    assert "ange datum" in problems
    dialogue.refresh_from_db()
    assert dialogue.state == DialogueState.DRAFT


@pytest.mark.parametrize(
    "field, value, expected",
    [
        ("purpose", "", "Syftet saknas"),
        ("ladder_steps", [], "delaktighetstrappan"),
        ("result_use", "", "hur resultatet ska användas"),
        ("decision_maker", "", "vem som beslutar"),
        ("target_groups", "", "målgrupper"),
        ("methods", [], "minst en metod"),
        ("feedback_on", None, "datum för återkoppling"),
        ("responsible_board", None, "ansvarig nämnd"),
        ("earlier_dialogues_note", "", "tidigare dialoger"),
        ("whole_municipality", False, "område"),
    ],
)
def test_each_required_field_blocks_publication(field, value, expected):
    dialogue = DialogueFactory(**{field: value})
    blockers = services.publication_blockers(dialogue)
    assert any(expected.lower() in b.lower() for b in blockers), blockers
    with pytest.raises(services.PublishRefused):
        services.dialogue_publish(dialogue=dialogue, by=None)


def test_feedback_date_before_end_is_refused():
    dialogue = DialogueFactory(feedback_on=timezone.localdate())
    assert any("innan dialogen har slutat" in b for b in services.publication_blockers(dialogue))


def test_complete_and_anchored_dialogue_is_published_and_indexed():
    from insyn.search.services import search

    dialogue = DialogueFactory(title="Dialog om Stadsträdgården")
    services.dialogue_publish(dialogue=dialogue, by=None)
    assert dialogue.state == DialogueState.PUBLISHED
    hits = search("Stadsträdgården", kinds=["dialogue"])
    assert [h.object_key for h in hits] == [f"dialogue.dialogue:{dialogue.pk}"]


def test_draft_is_never_indexed_nor_public(client):
    from insyn.search.services import search

    DialogueFactory(title="Hemlig plan för Kvarngärdet")
    assert search("Kvarngärdet") == []
    assert "Hemlig" not in client.get(reverse("dialogue:index")).content.decode()


def test_a_published_dialogue_cannot_lose_required_fields():
    dialogue = PublishedDialogueFactory()
    with pytest.raises(services.PublishRefused):
        services.dialogue_save(dialogue=dialogue, fields={"purpose": ""}, relations={}, by=None)
    dialogue.refresh_from_db()
    assert dialogue.purpose


def test_anchoring_in_the_future_is_refused():
    dialogue = DialogueFactory(anchored_on=None)
    with pytest.raises(ServiceError):
        services.dialogue_record_anchoring(
            dialogue=dialogue,
            anchored_with="Presidiet",
            anchored_body="KS",
            anchored_on=timezone.localdate() + dt.timedelta(days=1),
            by=None,
        )


def test_affected_organisations_are_notified_once():
    org = OrganisationFactory(email="samordning@example.org")
    silent = OrganisationFactory(email="")
    dialogue = services.dialogue_save(
        dialogue=None,
        fields={"title": "Nytt torg"},
        relations={"affected_organisations": [org, silent]},
        by=None,
    )
    services.dialogue_save(
        dialogue=dialogue,
        fields={"title": "Nytt torg i Gränby"},
        relations={"affected_organisations": [org, silent]},
        by=None,
    )
    mails = OutgoingEmail.objects.filter(to="samordning@example.org")
    assert mails.count() == 1
    assert "Nytt torg" in mails.get().subject
    assert reverse("dialogue_staff:detail", args=[dialogue.pk]) in mails.get().body


def test_affected_organisation_staff_can_read_and_comment(client):
    org = OrganisationFactory()
    dialogue = DialogueFactory()
    dialogue.affected_organisations.add(org)
    reporter = UserFactory()
    MembershipFactory(user=reporter, role=Role.REPORTER, organisation=org)
    client.force_login(reporter)
    assert client.get(reverse("dialogue_staff:detail", args=[dialogue.pk])).status_code == 200
    response = client.post(
        reverse("dialogue_staff:comment", args=[dialogue.pk]),
        {"organisation": org.pk, "body": "Vi har en dialog i samma område."},
    )
    assert response.status_code == 302
    comment = dialogue.coordination_comments.get()
    assert comment.organisation == org and comment.author == reporter
    # …but cannot edit or publish it.
    assert client.post(reverse("dialogue_staff:publish", args=[dialogue.pk])).status_code == 403


def test_unrelated_reporter_cannot_see_the_dialogue(client):
    dialogue = DialogueFactory()
    reporter = UserFactory()
    MembershipFactory(user=reporter, role=Role.REPORTER)
    client.force_login(reporter)
    # Not theirs to know about: as if it did not exist (insyn.core.access).
    assert client.get(reverse("dialogue_staff:detail", args=[dialogue.pk])).status_code == 404


def test_officer_of_another_board_cannot_edit(client):
    dialogue = DialogueFactory()
    other = UserFactory()
    MembershipFactory(user=other, role=Role.DIALOGUE_OFFICER)  # a different organisation
    client.force_login(other)
    assert client.get(reverse("dialogue_staff:edit", args=[dialogue.pk])).status_code == 403


def test_staff_pages_require_login(client):
    response = client.get(reverse("dialogue_staff:index"))
    assert response.status_code == 302 and "/konto/logga-in/" in response["Location"]


def test_earlier_dialogues_are_proposed_by_goal_district_and_words():
    goal = GoalFactory()
    district = DistrictFactory(name="Gottsunda")
    by_goal = PublishedDialogueFactory(title="Trygghet i centrum")
    by_goal.goals.add(goal)
    by_district = PublishedDialogueFactory(title="Kulturhus")
    by_district.districts.add(district)
    by_words = services.dialogue_publish(
        dialogue=DialogueFactory(title="Lekplatser för alla barn"), by=None
    )
    unrelated = PublishedDialogueFactory(title="Biblioteket")
    planned = DialogueFactory(title="Nya lekplatser")
    planned.goals.add(goal)
    planned.districts.add(district)
    found = {s.dialogue.pk: s.reasons for s in selectors.suggest_earlier_dialogues(planned)}
    assert "samma mål" in found[by_goal.pk]
    assert "samma område" in found[by_district.pk]
    assert "liknande ord" in found[by_words.pk]
    assert unrelated.pk not in found and planned.pk not in found


def test_register_form_creates_and_history_records_who(staff_client, officer):
    board = OrganisationFactory()
    district = DistrictFactory()
    response = staff_client.post(
        reverse("dialogue_staff:create"),
        {
            "title": "Parkdialog",
            "question": "Vad vill du göra i parken?",
            "initiator": "residents",
            "responsible_board": board.pk,
            "purpose": "Forma parken.",
            "ladder_steps": [LadderStep.CONSULTATION, LadderStep.DIALOGUE],
            "result_use": "Underlag.",
            "decision_maker": "Nämnden",
            "target_groups": "Alla",
            "methods": ["survey", "meeting"],
            "districts": [district.pk],
            "starts_on": "2030-01-01",
            "ends_on": "2030-02-01",
            "feedback_on": "2030-03-01",
            "earlier_dialogues_note": "Inga.",
            "identity_level": "email",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    dialogue = Dialogue.objects.get(title="Parkdialog")
    assert dialogue.ladder_steps == [LadderStep.CONSULTATION, LadderStep.DIALOGUE]
    assert dialogue.history.first().history_user == officer
    page = staff_client.get(reverse("dialogue_staff:detail", args=[dialogue.pk])).content
    assert "Förankringen: ange med vem".encode() in page
    response = staff_client.post(reverse("dialogue_staff:publish", args=[dialogue.pk]), follow=True)
    assert b"kan inte publiceras" in response.content
    staff_client.post(
        reverse("dialogue_staff:anchoring", args=[dialogue.pk]),
        {
            "anchored_with": "Ordföranden",
            "anchored_body": "Kulturnämnden",
            "anchored_on": "2026-01-10",
        },
    )
    staff_client.post(reverse("dialogue_staff:publish", args=[dialogue.pk]))
    dialogue.refresh_from_db()
    assert dialogue.state == DialogueState.PUBLISHED
    assert [h.state for h in dialogue.history.order_by("history_date")][-1] == "published"
