"""Factories for dialogue tests: a register entry that the guideline lets publish, and tools."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from insyn.dialogue.models import (
    Budget,
    BudgetPhase,
    Dialogue,
    DialogueState,
    Discussion,
    Initiator,
    LadderStep,
    Meeting,
    MethodKind,
    Participant,
    Proposal,
    ProposalState,
    Survey,
    VotingRule,
)
from tests.factories import DistrictFactory, OrganisationFactory  # noqa: F401


class DialogueFactory(factory.django.DjangoModelFactory):
    """Complete and anchored: publishable as it is (state draft unless told)."""

    class Meta:
        model = Dialogue

    title = factory.Sequence(lambda n: f"Dialog om parken nummer {n}")
    question = "Hur vill du att parken ska användas?"
    initiator = Initiator.STAFF
    responsible_board = factory.SubFactory(OrganisationFactory)
    purpose = "Ta reda på vad de som bor nära parken behöver."
    ladder_steps = [LadderStep.CONSULTATION]
    result_use = "Svaren blir underlag till gestaltningsprogrammet."
    decision_maker = "Gatu- och samhällsmiljönämnden"
    target_groups = "Boende och föreningar i området"
    methods = [MethodKind.SURVEY]
    whole_municipality = True
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=5))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))
    feedback_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=60))
    earlier_dialogues_note = "Inga tidigare dialoger i frågan."
    anchored_with = "Nämndens presidium"
    anchored_body = "Gatu- och samhällsmiljönämnden"
    anchored_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))
    state = DialogueState.DRAFT


class PublishedDialogueFactory(DialogueFactory):
    state = DialogueState.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    dialogue = factory.SubFactory(PublishedDialogueFactory)
    title = "Enkät om parken"


class DiscussionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Discussion

    dialogue = factory.SubFactory(PublishedDialogueFactory)
    title = "Samtal om parken"


class BudgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Budget

    dialogue = factory.SubFactory(PublishedDialogueFactory)
    title = "Medborgarbudget"
    amount = 1000
    rule = VotingRule.WITHIN_BUDGET
    phase = BudgetPhase.VOTING


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposal

    budget = factory.SubFactory(BudgetFactory)
    title = factory.Sequence(lambda n: f"Förslag {n}")
    description = "En bänk och ett träd."
    state = ProposalState.FEASIBLE
    cost = 300
    answer = "Går att genomföra."


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    dialogue = factory.SubFactory(PublishedDialogueFactory)
    title = "Öppet möte"
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
    place = "Stadsbiblioteket"
    capacity = 2


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    email = factory.Sequence(lambda n: f"invanare{n}@example.org")
    email_verified_at = factory.LazyFunction(timezone.now)
