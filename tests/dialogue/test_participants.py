"""Resident identity and own data: one-time links (hashed, expiring, single-use), a session key
of its own, JSON export and deletion that keeps contributions anonymised."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from insyn.core.mail import send_queued
from insyn.dialogue import selectors, services
from insyn.dialogue.identity import SESSION_KEY
from insyn.dialogue.models import (
    Ballot,
    BudgetPhase,
    LoginToken,
    Participant,
    Post,
    Registration,
    Subscription,
)
from tests.dialogue.conftest import sign_in_participant
from tests.dialogue.factories import (
    BudgetFactory,
    DiscussionFactory,
    MeetingFactory,
    ParticipantFactory,
    ProposalFactory,
)

pytestmark = pytest.mark.django_db


def _link(client, email="Eva@Example.org", next_url="") -> str:
    client.post(reverse("dialogue:login"), {"email": email, "next": next_url})
    send_queued()
    return re.search(r"/dialog/logga-in/[^/\s]+/", mail.outbox[-1].body)[0]


def test_one_time_link_signs_in_once_and_is_stored_hashed(client):
    path = _link(client)
    raw = path.rstrip("/").rsplit("/", 1)[1]
    token = LoginToken.objects.get()
    assert raw not in token.token_hash and len(token.token_hash) == 64
    assert client.get(path).status_code == 200  # shows a button; link scanners use nothing
    assert client.post(path).status_code == 302
    participant = Participant.objects.get()
    assert participant.email_verified_at and client.session[SESSION_KEY] == participant.pk
    assert "_auth_user_id" not in client.session  # never a staff login
    other = client_class_fresh()
    assert other.post(path).status_code == 400  # used


def client_class_fresh():
    from django.test import Client

    return Client()


def test_expired_link_is_refused(client):
    path = _link(client)
    LoginToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.post(path).status_code == 400
    assert SESSION_KEY not in client.session


def test_email_is_unique_case_insensitively(client):
    client.post(_link(client, "Eva@Example.org"))
    client.post(_link(client, "eva@example.org"))
    assert Participant.objects.count() == 1


def test_next_url_must_be_on_this_site(client):
    path = _link(client, next_url="https://evil.example/")
    response = client.post(path)
    assert response["Location"] == reverse("dialogue:me")


def test_export_contains_the_participants_data(client):
    participant = ParticipantFactory(email="eva@example.org", age_band="30-44")
    budget = BudgetFactory()
    proposal = ProposalFactory(budget=budget, title="Ny lekplats")
    services.cast_ballot(budget=budget, participant=participant, proposal_ids=[proposal.pk])
    services.post_submit(
        discussion=DiscussionFactory(), body="Mitt inlägg", participant=participant
    )
    sign_in_participant(client, participant)
    response = client.get(reverse("dialogue:me_export"))
    data = json.loads(response.content)
    assert response["Content-Disposition"].startswith("attachment")
    assert data["deltagare"]["e-post"] == "eva@example.org"
    assert data["röster"][0]["val"] == ["Ny lekplats"]
    assert data["inlägg"][0]["text"] == "Mitt inlägg"
    assert data["följda_mål"] == []


def test_export_and_delete_cover_the_goals_the_address_follows(client):
    from insyn.goals import following
    from insyn.goals.models import GoalFollower
    from tests.factories import GoalFactory

    participant = ParticipantFactory(email="eva@example.org")
    goal = GoalFactory(title="Trygg stad")
    following.confirm(
        follower=following.follow(goal=goal, email="Eva@example.org", frequency="daily")
    )
    sign_in_participant(client, participant)
    data = json.loads(client.get(reverse("dialogue:me_export")).content)
    assert len(data["följda_mål"]) == 1 and "Trygg stad" in data["följda_mål"][0]["mål"]
    assert data["följda_mål"][0]["bekräftad"]
    assert client.post(reverse("dialogue:me_delete"), {"confirm": "on"}).status_code == 302
    assert not GoalFollower.objects.exists()


def test_delete_keeps_contributions_anonymised(client):
    participant = ParticipantFactory(email="eva@example.org")
    closed = BudgetFactory()
    proposal = ProposalFactory(budget=closed)
    services.cast_ballot(budget=closed, participant=participant, proposal_ids=[proposal.pk])
    closed.phase = BudgetPhase.RESULTS
    closed.save()
    open_budget = BudgetFactory()
    open_proposal = ProposalFactory(budget=open_budget)
    services.cast_ballot(
        budget=open_budget, participant=participant, proposal_ids=[open_proposal.pk]
    )
    post = services.post_submit(
        discussion=DiscussionFactory(), body="Bra idé", author_name="Eva", participant=participant
    )
    past = MeetingFactory(starts_at=timezone.now() - dt.timedelta(days=1))
    Registration.objects.create(
        meeting=past, name="Eva", email="eva@example.org", participant=participant
    )
    Subscription.objects.create(dialogue=post.discussion.dialogue, email="EVA@example.org")
    sign_in_participant(client, participant)
    assert client.post(reverse("dialogue:me_delete"), {"confirm": "on"}).status_code == 302
    assert not Participant.objects.exists()
    post = Post.objects.get()
    assert post.body == "Bra idé" and post.author_name == "" and post.participant is None
    assert Ballot.objects.filter(budget=closed, participant__isnull=True).count() == 1
    assert not Ballot.objects.filter(budget=open_budget).exists()  # open vote withdrawn
    registration = Registration.objects.get()
    assert registration.name == "" and "eva" not in registration.email
    assert not Subscription.objects.exists()
    assert SESSION_KEY not in client.session


def test_eid_callback_signs_in_with_a_hashed_subject(client, settings, monkeypatch):
    from insyn.dialogue import eid

    settings.DIALOGUE_EID_OIDC = {
        "AUTHORIZATION_ENDPOINT": "https://broker.example/auth",
        "TOKEN_ENDPOINT": "https://broker.example/token",
        "CLIENT_ID": "insyn",
        "CLIENT_SECRET": "s",
        "SIGN_ALGO": "HS256",
    }
    start = client.get(reverse("dialogue:eid_start"), {"next": "/dialog/"})
    assert start["Location"].startswith("https://broker.example/auth?")
    state = re.search(r"state=([^&]+)", start["Location"])[1]
    nonce = re.search(r"nonce=([^&]+)", start["Location"])[1]
    monkeypatch.setattr(
        eid.EidBroker, "get_token", lambda self, payload: {"id_token": "x", "access_token": "y"}
    )
    monkeypatch.setattr(
        eid.EidBroker,
        "verify_token",
        lambda self, token, **kw: (
            {"sub": "199001011234-pseudonym", "iss": "https://broker.example", "nonce": kw["nonce"]}
            if kw["nonce"] == nonce
            else None
        ),
    )
    response = client.get(reverse("dialogue:eid_callback"), {"state": state, "code": "c"})
    assert response.status_code == 302 and response["Location"] == "/dialog/"
    participant = Participant.objects.get()
    assert participant.eid_verified_at and "199001011234" not in participant.eid_subject
    # A replayed callback (state already used) is refused.
    assert (
        client.get(reverse("dialogue:eid_callback"), {"state": state, "code": "c"}).status_code
        == 400
    )


def test_personal_data_never_reaches_search():
    from insyn.search.models import SearchDocument

    participant = ParticipantFactory(email="hemlig@example.org")
    discussion = DiscussionFactory()
    services.post_submit(
        discussion=discussion, body="Jag heter Hemliga Hanna", participant=participant
    )
    services.index_dialogue(discussion.dialogue)
    text = " ".join(SearchDocument.objects.values_list("body", flat=True))
    assert "Hemliga Hanna" not in text and "hemlig@example.org" not in text
    assert selectors.participant_export(participant)["inlägg"]


def test_asking_for_a_link_creates_no_participant_until_it_is_used(client):
    """Issue 12 finding 6: each request made a participant row for any address."""
    path = _link(client, email="ny@example.org")
    assert not Participant.objects.exists()
    assert client.post(path).status_code == 302
    assert Participant.objects.get().email == "ny@example.org"
    assert LoginToken.objects.get().email == ""  # the address now lives on the participant


def test_sign_in_mails_are_throttled_per_recipient_whatever_the_spelling(client):
    """Issue 12 finding 6: a new message to any address on every request."""
    from django.test import Client

    from insyn.core.models import OutgoingEmail
    from insyn.dialogue.services import LOGIN_MAILS_PER_RECIPIENT

    variants = [
        "offer@example.org",
        "OFFER@Example.org",
        "offer+a@example.org",
        "offer+b@EXAMPLE.org",
    ]
    for n in range(LOGIN_MAILS_PER_RECIPIENT + 5):
        # a new address per request would pass the per-address (IP) limit: so must this
        sender = Client(REMOTE_ADDR=f"203.0.113.{n + 1}")
        response = sender.post(reverse("dialogue:login"), {"email": variants[n % len(variants)]})
        assert response.status_code == 200  # the same answer, throttled or not
    assert OutgoingEmail.objects.count() == LOGIN_MAILS_PER_RECIPIENT
    assert not Participant.objects.exists()
    # another recipient is not affected
    client.post(reverse("dialogue:login"), {"email": "annan@example.org"})
    assert OutgoingEmail.objects.count() == LOGIN_MAILS_PER_RECIPIENT + 1


def test_address_variants_are_one_person_with_one_ballot():
    """Issue 12 finding 3: `voter1+a@…` and `VOTER1+b@Example.org` cast two ballots."""
    from django.test import Client

    budget = BudgetFactory(phase=BudgetPhase.VOTING)
    proposal = ProposalFactory(budget=budget)
    people = []
    for n, email in enumerate(
        ["voter1+a@example.org", "VOTER1+b@Example.org", "Voter1@example.ORG"]
    ):
        voter = Client(REMOTE_ADDR=f"198.51.100.{n + 1}")
        path = _link(voter, email=email)
        assert voter.post(path).status_code == 302
        people.append(voter.session[SESSION_KEY])
        services.cast_ballot(
            budget=budget,
            participant=Participant.objects.get(pk=people[-1]),
            proposal_ids=[proposal.pk],
        )
    assert len(set(people)) == 1
    assert Participant.objects.count() == 1
    assert Ballot.objects.filter(budget=budget).count() == 1
    # the one rule, also for the sign-in throttle and for e-ID sign-in with an address
    assert services.recipient_key("voter1+a@example.org") == services.recipient_key(
        " VOTER1@Example.org"
    )
    again = services.participant_from_eid(
        issuer="broker", subject="s1", email="voter1+c@example.org"
    )
    assert again.pk == people[0]


def test_gmail_dots_are_different_addresses():
    """Documented choice (insyn.dialogue.addresses): a provider's own rules are not applied."""
    from insyn.dialogue.addresses import normalised_email

    assert normalised_email("Eva.Svensson+x@Gmail.com") == "eva.svensson@gmail.com"
    assert normalised_email("evasvensson@gmail.com") != normalised_email("eva.svensson@gmail.com")


@pytest.mark.parametrize(
    ("typed", "told"),
    [("", "Ange din e-postadress."), ("anna.example.org", "Skriv e-postadressen som")],
)
def test_sign_in_says_in_plain_words_what_is_wrong_with_the_address(client, typed, told):
    response = client.post(reverse("dialogue:login"), {"email": typed})
    text = response.content.decode()
    assert told in text
    assert "Detta fält måste fyllas i" not in text
    assert "Ange en giltig" not in text
    assert not mail.outbox
