"""The feedback duty: no closing before feedback is published; subscribers (confirmed only) and
signed-in participants are notified; staff see dialogues whose feedback date has passed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from insyn.core.errors import ServiceError
from insyn.core.mail import send_queued
from insyn.core.models import OutgoingEmail
from insyn.dialogue import selectors, services
from insyn.dialogue.models import DialogueState, Subscription
from tests.dialogue.factories import (
    BudgetFactory,
    ParticipantFactory,
    ProposalFactory,
    PublishedDialogueFactory,
)

pytestmark = pytest.mark.django_db

FEEDBACK = {
    "summary": "Många vill ha fler bänkar.",
    "usage": "Bänkar ingår i ritningen.",
    "decision": "Nämndens beslut om parkens gestaltning, 2030-03-01.",
}


def test_closing_without_feedback_is_refused():
    dialogue = PublishedDialogueFactory()
    with pytest.raises(services.CloseRefused) as refused:
        services.dialogue_close(dialogue=dialogue, by=None)
    assert "återkopplingen är publicerad" in refused.value.message
    dialogue.refresh_from_db()
    assert dialogue.state == DialogueState.PUBLISHED


def test_feedback_needs_all_three_parts():
    dialogue = PublishedDialogueFactory()
    services.feedback_save(dialogue=dialogue, summary="Resultat", usage="", decision="", by=None)
    with pytest.raises(ServiceError) as refused:
        services.feedback_publish(dialogue=dialogue, by=None)
    # Each missing text is named at its field (the page links the summary to them).
    assert set(refused.value.field_problems) == {"usage", "decision"}
    with pytest.raises(services.CloseRefused):
        services.dialogue_close(dialogue=dialogue, by=None)


def test_published_feedback_allows_closing_and_notifies():
    dialogue = PublishedDialogueFactory()
    confirmed = Subscription.objects.create(
        dialogue=dialogue, email="ja@example.org", confirmed_at=timezone.now()
    )
    Subscription.objects.create(dialogue=dialogue, email="kanske@example.org")
    voter = ParticipantFactory(email="roestare@example.org")
    budget = BudgetFactory(dialogue=dialogue)
    proposal = ProposalFactory(budget=budget)
    services.cast_ballot(budget=budget, participant=voter, proposal_ids=[proposal.pk])
    services.feedback_save(dialogue=dialogue, by=None, **FEEDBACK)
    queued = services.feedback_publish(dialogue=dialogue, by=None)
    assert queued == 2
    to = set(
        OutgoingEmail.objects.filter(dedupe_key__contains="feedback").values_list("to", flat=True)
    )
    assert to == {confirmed.email, voter.email}
    body = OutgoingEmail.objects.get(to=confirmed.email).body
    assert FEEDBACK["usage"] in body and "/dialog/prenumeration/avsluta/" in body
    # Publishing again sends nothing twice.
    assert services.feedback_publish(dialogue=dialogue, by=None) == 0
    services.dialogue_close(dialogue=dialogue, by=None)
    dialogue.refresh_from_db()
    assert dialogue.state == DialogueState.CLOSED
    budget.refresh_from_db()
    assert budget.phase == "closed"  # an open vote is closed and counted


def test_overdue_dashboard_lists_only_passed_dates_without_feedback(staff_client):
    today = timezone.localdate()
    late = PublishedDialogueFactory(
        title="Sen dialog",
        ends_on=today - dt.timedelta(days=20),
        feedback_on=today - dt.timedelta(days=1),
    )
    PublishedDialogueFactory(title="I tid")
    done = PublishedDialogueFactory(
        ends_on=today - dt.timedelta(days=20),
        feedback_on=today - dt.timedelta(days=1),
        feedback_published_at=timezone.now(),
    )
    assert [d.pk for d in selectors.overdue_feedback()] == [late.pk]
    page = staff_client.get(reverse("dialogue_staff:overdue")).content.decode()
    assert "Sen dialog" in page and "I tid" not in page and done.title not in page


def test_subscription_double_opt_in_and_unsubscribe(client):
    dialogue = PublishedDialogueFactory()
    response = client.post(
        reverse("dialogue:subscribe", args=[dialogue.pk]), {"email": "Anna@Example.org"}
    )
    assert response.status_code == 302
    sub = Subscription.objects.get()
    assert sub.confirmed_at is None
    # A second request neither duplicates (case-insensitive) nor confirms.
    client.post(reverse("dialogue:subscribe", args=[dialogue.pk]), {"email": "anna@example.org"})
    assert Subscription.objects.count() == 1
    send_queued()
    link = re.search(r"http://\S+/dialog/prenumeration/bekrafta/\S+/", mail.outbox[0].body)[0]
    path = link.split("8000", 1)[1] if "8000" in link else link
    assert client.get(path).status_code == 200  # a page with a button; GET changes nothing
    sub.refresh_from_db()
    assert sub.confirmed_at is None
    client.post(path)
    sub.refresh_from_db()
    assert sub.confirmed_at is not None
    unsubscribe = services.unsubscribe_link(sub)
    client.post(unsubscribe)
    assert not Subscription.objects.exists()


def test_forged_subscription_token_is_refused(client):
    response = client.get(reverse("dialogue:subscription_confirm", args=["1:forged:token"]))
    assert response.status_code == 400


def test_honeypot_rejects_bots(client):
    dialogue = PublishedDialogueFactory()
    response = client.post(
        reverse("dialogue:subscribe", args=[dialogue.pk]),
        {"email": "bot@example.org", "webbplats": "http://spam"},
    )
    assert response.status_code == 400
    assert not Subscription.objects.exists()


def test_public_forms_are_rate_limited(client, settings):
    settings.DIALOGUE_RATES = {"form": "2/m"}
    dialogue = PublishedDialogueFactory()
    url = reverse("dialogue:subscribe", args=[dialogue.pk])
    codes = [client.post(url, {"email": f"p{i}@example.org"}).status_code for i in range(4)]
    assert codes == [302, 302, 429, 429]
    assert Subscription.objects.count() == 2
