"""dialogue/access.py: 404 for a dialogue a person may not know exists, 403 for one they may
read but not change (dialogue officers of another board, staff of an affected organisation)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from insyn.accounts.models import Role
from insyn.dialogue.access import access_dialogue, access_part, access_post, access_proposal
from insyn.dialogue.models import Post, Survey
from tests.dialogue.factories import (
    DialogueFactory,
    DiscussionFactory,
    ProposalFactory,
    SurveyFactory,
)
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _user(role, organisation=None):
    user = UserFactory()
    MembershipFactory(user=user, role=role, organisation=organisation)
    return user


@pytest.fixture
def dialogue():
    dialogue = DialogueFactory()
    dialogue.affected = OrganisationFactory()
    dialogue.affected_organisations.add(dialogue.affected)
    return dialogue


def test_personas(dialogue):
    editor = _user(Role.DIALOGUE_OFFICER, dialogue.responsible_board)
    other_officer = _user(Role.DIALOGUE_OFFICER, OrganisationFactory())
    affected_reporter = _user(Role.REPORTER, dialogue.affected)
    unrelated_reporter = _user(Role.REPORTER, OrganisationFactory())
    assert access_dialogue(editor, dialogue.pk, write=True) == dialogue
    for reader in (other_officer, affected_reporter):
        assert access_dialogue(reader, dialogue.pk) == dialogue
        with pytest.raises(PermissionDenied):
            access_dialogue(reader, dialogue.pk, write=True)
    for write in (False, True):
        with pytest.raises(Http404):
            access_dialogue(unrelated_reporter, dialogue.pk, write=write)
    with pytest.raises(Http404):
        access_dialogue(editor, 987654)


def test_pages_answer_404_for_the_unrelated_and_403_for_readers(client, dialogue):
    detail = reverse("dialogue_staff:detail", args=[dialogue.pk])
    publish = reverse("dialogue_staff:publish", args=[dialogue.pk])
    client.force_login(_user(Role.REPORTER, OrganisationFactory()))
    assert client.get(detail).status_code == 404
    assert client.post(reverse("dialogue_staff:comment", args=[dialogue.pk]), {}).status_code == 404
    client.force_login(_user(Role.DIALOGUE_OFFICER, OrganisationFactory()))
    assert client.get(detail).status_code == 200
    assert client.post(publish).status_code == 403
    representation = reverse("dialogue_staff:representation", args=[dialogue.pk])
    assert client.get(representation).status_code == 200
    assert client.post(representation, {}).status_code == 403


def test_parts_posts_and_proposals_follow_their_dialogue():
    survey = SurveyFactory()
    board = survey.dialogue.responsible_board
    editor = _user(Role.DIALOGUE_OFFICER, board)
    other_officer = _user(Role.DIALOGUE_OFFICER, OrganisationFactory())
    assert access_part(editor, Survey, survey.pk, write=True) == survey
    with pytest.raises(PermissionDenied):
        access_part(other_officer, Survey, survey.pk, write=True)
    with pytest.raises(Http404):
        access_part(_user(Role.REPORTER), Survey, survey.pk)

    post = Post.objects.create(discussion=DiscussionFactory(), body="Fler bänkar, tack.")
    moderator = _user(Role.MODERATOR)
    assert access_post(moderator, post.pk, write=True) == post
    with pytest.raises(PermissionDenied):
        access_post(other_officer, post.pk, write=True)
    with pytest.raises(Http404):
        access_post(_user(Role.REPORTER), post.pk)

    proposal = ProposalFactory()
    with pytest.raises(PermissionDenied):
        access_proposal(other_officer, proposal.pk, write=True)
    assert access_proposal(other_officer, proposal.pk) == proposal
