"""A moderation decision on something someone else moderated after the page was loaded is
refused and says so (what they decided, who, when, next to what this person asked for), never
applied twice: posts and proposals in the one queue and on the officer's discussion page, fault
reports in the queue."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from insyn.accounts.models import Role
from insyn.accounts.testing import login_verified
from insyn.dialogue.models import Post, PostState, ProposalModeration, ProposalState
from tests.dialogue.factories import DiscussionFactory, ProposalFactory
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

QUEUE = "/personal/moderering/"


def _moderator(name: str, full: str = "") -> Client:
    user = UserFactory(username=name, first_name=full)
    MembershipFactory(user=user, role=Role.MODERATOR, organisation=None)
    c = Client()
    login_verified(c, user)
    return c


def _form(page: str, action: str) -> dict[str, str]:
    """The hidden fields of the form posting to `action`."""
    match = re.search(
        rf'<form method="post" action="{re.escape(action)}"[^>]*>(.*?)</form>', page, re.S
    )
    assert match, f"no form for {action}"
    return dict(re.findall(r'type="hidden" name="(?!csrf)(\w+)" value="([^"]*)"', match.group(1)))


def _said(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_a_post_hidden_by_someone_else_is_not_let_through_by_a_stale_page():
    post = Post.objects.create(
        discussion=DiscussionFactory(), body="Ring 070-1234567", state=PostState.PENDING
    )
    a, b = _moderator("mod-a"), _moderator("mod-b", "Berit")
    approve = f"/personal/moderering/inlagg/{post.pk}/godkann/"
    hide = f"/personal/moderering/inlagg/{post.pk}/dolj/"
    page = a.get(QUEUE).content.decode()
    stale_approve = _form(page, approve)
    assert stale_approve == {"seen": "ny"}

    fresh = _form(b.get(QUEUE).content.decode(), hide)
    assert b.post(hide, {**fresh, "reason": "Telefonnummer"}).status_code == 302
    post.refresh_from_db()
    assert post.state == PostState.HIDDEN
    versions = post.history.count()

    response = a.post(approve, stale_approve, follow=True)
    said = _said(response) + response.content.decode()
    assert "Någon annan har redan granskat det här sedan du öppnade sidan" in said
    assert "dold" in said and "Berit" in said and "Ditt beslut (godkänn) är inte sparat" in said
    post.refresh_from_db()
    assert post.state == PostState.HIDDEN and post.hidden_reason == "Telefonnummer"
    assert post.history.count() == versions

    # A page loaded after B's decision may change it (a reasoned second look, not a race).
    assert a.post(approve, {"seen": post.moderated_at.isoformat()}).status_code == 302
    post.refresh_from_db()
    assert post.state == PostState.VISIBLE


def test_the_same_decision_twice_is_applied_once():
    post = Post.objects.create(
        discussion=DiscussionFactory(), body="Mer ljus i parken", state=PostState.PENDING
    )
    a, b = _moderator("mod-a"), _moderator("mod-b")
    approve = f"/personal/moderering/inlagg/{post.pk}/godkann/"
    seen_a = _form(a.get(QUEUE).content.decode(), approve)
    seen_b = _form(b.get(QUEUE).content.decode(), approve)
    assert b.post(approve, seen_b).status_code == 302
    versions = post.history.count()
    a.post(approve, seen_a)
    assert post.history.count() == versions


def test_a_proposal_let_through_by_someone_else_is_not_hidden_by_a_stale_page():
    proposal = ProposalFactory(
        moderation=ProposalModeration.PENDING, state=ProposalState.SUBMITTED, cost=None, answer=""
    )
    a, b = _moderator("mod-a"), _moderator("mod-b")
    approve = f"/personal/moderering/forslag/{proposal.pk}/godkann/"
    hide = f"/personal/moderering/forslag/{proposal.pk}/dolj/"
    stale_hide = _form(a.get(QUEUE).content.decode(), hide)
    assert b.post(approve, _form(b.get(QUEUE).content.decode(), approve)).status_code == 302
    response = a.post(hide, {**stale_hide, "reason": "Olämpligt"}, follow=True)
    assert "Någon annan har redan granskat" in _said(response) + response.content.decode()
    proposal.refresh_from_db()
    assert proposal.moderation == ProposalModeration.VISIBLE and proposal.hidden_reason == ""


def test_a_fault_report_published_by_someone_else_is_not_hidden_by_a_stale_page():
    from insyn.feedback import services
    from insyn.feedback.models import Kind, PublicState
    from tests.feedback.factories import CategoryFactory

    case = services.create_case(
        kind=Kind.FAULT,
        category=CategoryFactory(code="gatubelysning", name="Gatubelysning"),
        description="Lampan är trasig",
        address_text="Torget",
    ).case
    a, b = _moderator("mod-a"), _moderator("mod-b")
    action = f"/personal/moderering/arende/{case.number}/"
    stale = _form(a.get(QUEUE).content.decode(), action)
    fresh = _form(b.get(QUEUE).content.decode(), action)
    published = b.post(
        action,
        {
            **fresh,
            "public_description": "Lampan är trasig",
            "public_address": "Torget",
            "state": PublicState.PUBLISHED,
        },
    )
    assert published.status_code == 302
    response = a.post(
        action,
        {**stale, "public_description": "", "public_address": "", "state": PublicState.HIDDEN},
        follow=True,
    )
    said = _said(response) + response.content.decode()
    assert "Någon annan har ändrat ärendet" in said
    assert "Publicering nu: Publicerad. Ditt val: Visas inte publikt." in said
    case.refresh_from_db()
    assert case.public_state == PublicState.PUBLISHED
    assert case.public_description == "Lampan är trasig"


def test_a_broken_seen_is_a_swedish_refusal_not_a_crash():
    post = Post.objects.create(discussion=DiscussionFactory(), body="Hej", state=PostState.PENDING)
    a = _moderator("mod-a")
    response = a.post(
        f"/personal/moderering/inlagg/{post.pk}/godkann/", {"seen": "igår"}, follow=True
    )
    assert "Sidan är inte aktuell" in _said(response) + response.content.decode()
    post.refresh_from_db()
    assert post.state == PostState.PENDING
