"""A small public site for the security tests: a published follow-up period, a published dialogue
with every participation method, fault reports with a tracking link, an Open311 key, a resident
and a staff user. Built with the factories of tests/ and the apps' test factories."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core import signing

from insyn.accounts.models import Role
from insyn.dialogue import services as dialogue_services
from insyn.dialogue.identity import SESSION_KEY
from insyn.dialogue.models import Post, Subscription
from insyn.feedback import services as feedback_services
from insyn.feedback.models import Kind, PublicState
from tests.dialogue.factories import (
    BudgetFactory,
    DiscussionFactory,
    MeetingFactory,
    ParticipantFactory,
    ProposalFactory,
    PublishedDialogueFactory,
    SurveyFactory,
)
from tests.factories import (
    AssignmentFactory,
    GoalFactory,
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PeriodFactory,
    PlanFactory,
    UserFactory,
)
from tests.feedback.factories import CategoryFactory, RoutingRuleFactory

PASSWORD = "lösenord-för-test"  # tests.factories.UserFactory's password


@dataclass
class Site:
    period: Any
    goal: Any
    organisation: Any
    dialogue: Any
    survey: Any
    discussion: Any
    post: Any
    budget: Any
    proposal: Any
    meeting: Any
    participant: Any
    subscribe_token: str
    unsubscribe_token: str
    login_token: str
    category: Any
    case: Any
    tracking_token: str
    staff: Any
    extra: dict[str, Any] = field(default_factory=dict)


def make_site() -> Site:
    MunicipalityFactory()
    board = OrganisationFactory(name="Gatu- och samhällsmiljönämnden", slug="gsn", short_name="GSN")
    plan = PlanFactory(year=2023)
    goal = GoalFactory(plan=plan, number="1", title="Trygg och hållbar stad")
    AssignmentFactory(goal=goal, number="1", responsible=[board])
    period = PeriodFactory(plan=plan)

    dialogue = PublishedDialogueFactory(responsible_board=board)
    survey = SurveyFactory(dialogue=dialogue)
    discussion = DiscussionFactory(dialogue=dialogue)
    post = Post.objects.create(discussion=discussion, body="Fler bänkar, tack.")
    budget = BudgetFactory(dialogue=dialogue)
    proposal = ProposalFactory(budget=budget)
    meeting = MeetingFactory(dialogue=dialogue, capacity=500)
    participant = ParticipantFactory()
    subscription = Subscription.objects.create(dialogue=dialogue, email="prenumerant@example.org")
    subscribe_token = signing.dumps(subscription.pk, salt=dialogue_services.SUBSCRIBE_SALT)
    unsubscribe_token = signing.dumps(subscription.pk, salt=dialogue_services.UNSUBSCRIBE_SALT)
    login_token = "ogiltig-engangslank-" + "x" * 24  # never valid: the view answers 400

    category = CategoryFactory(code="gatubelysning", name="Gatubelysning")
    RoutingRuleFactory(category=category, organisation=board)
    receipt = feedback_services.create_case(
        kind=Kind.FAULT,
        category=category,
        description="Lampan vid busshållplatsen är släckt.",
        address_text="Kungsgatan 1",
    )
    case = receipt.case
    case.public_state = PublicState.PUBLISHED
    case.public_description = "Lampan vid busshållplatsen är släckt."
    case.save(update_fields=["public_state", "public_description"])

    staff = MembershipFactory(
        role=Role.REPORTER, organisation=board, user=UserFactory(username="rapportor-gsn")
    ).user
    return Site(
        period=period,
        goal=goal,
        organisation=board,
        dialogue=dialogue,
        survey=survey,
        discussion=discussion,
        post=post,
        budget=budget,
        proposal=proposal,
        meeting=meeting,
        participant=participant,
        subscribe_token=subscribe_token,
        unsubscribe_token=unsubscribe_token,
        login_token=login_token,
        category=category,
        case=case,
        tracking_token=receipt.token,
        staff=staff,
    )


@pytest.fixture
def site(db, settings, tmp_path) -> Site:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "http://testserver"
    return make_site()


def sign_in_resident(client: Any, participant: Any) -> None:
    """Put a resident in the client's session the way the one-time link does."""
    session = client.session
    session[SESSION_KEY] = participant.pk
    session.save()
