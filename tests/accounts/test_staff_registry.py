"""The staff home and the moderation page are gathered through insyn.core.registry: accounts
imports none of the apps whose work it lists (the import contract), every app contributes by
registering, and a contribution nobody can place is an error, not silence."""

from __future__ import annotations

import pytest
from django.urls import reverse

from insyn.core import registry


def test_every_section_of_the_home_and_every_app_part_of_moderation_is_registered():
    assert [entry.name for entry in registry._by_order(registry._staff_sections)] == [
        "reporter",
        "compiler",
        "dialogue",
        "contact_centre",
        "case_handler",
        "moderator",
        "reader",
        "system",
    ]
    assert set(registry._staff_items) == {"moderator", "system"}
    assert set(registry._staff_items["moderator"]) == {"dialogue", "feedback"}
    assert [e.name for e in registry._by_order(registry._staff_items["system"])] == [
        "goals",
        "indicators",
    ]
    assert [e.name for e in registry._by_order(registry._moderation)] == ["dialogue", "feedback"]
    # The apps' moderation actions keep their addresses in the "staff" namespace.
    assert reverse("staff:moderate_post", args=[1, "dolj"]) == "/personal/moderering/inlagg/1/dolj/"
    assert reverse("staff:moderate_case", args=["F-1"]) == "/personal/moderering/arende/F-1/"


def test_items_for_a_section_nobody_draws_are_an_error(monkeypatch):
    monkeypatch.setattr(registry, "_staff_items", {"nowhere": {}})
    with pytest.raises(LookupError, match="nowhere"):
        registry.staff_sections(object())


def test_a_contributor_must_be_callable():
    with pytest.raises(TypeError):
        registry.register_staff_section("broken", None, order=1)
    with pytest.raises(TypeError):
        registry.register_staff_items("system", "broken", "not callable", order=1)
    assert "broken" not in registry._staff_sections


def test_sections_come_in_order_with_the_items_of_other_apps_appended(monkeypatch):
    monkeypatch.setattr(registry, "_staff_sections", {})
    monkeypatch.setattr(registry, "_staff_items", {})
    registry.register_staff_section(
        "second", lambda user, since: registry.StaffSection("second", "B"), order=2
    )
    registry.register_staff_section(
        "first", lambda user, since: registry.StaffSection("first", "A"), order=1
    )
    registry.register_staff_section("not_mine", lambda user, since: None, order=3)
    registry.register_staff_items(
        "first", "late", lambda user: [registry.StaffItem("late")], order=2
    )
    registry.register_staff_items(
        "first", "early", lambda user: [registry.StaffItem("early")], order=1
    )
    registry.register_staff_items("not_mine", "x", lambda user: [registry.StaffItem("x")], order=1)
    sections = registry.staff_sections(object())
    assert [s.key for s in sections] == ["first", "second"]
    assert [i.label for i in sections[0].items] == ["early", "late"]


@pytest.mark.django_db
def test_a_post_is_shown_or_hidden_the_same_way_from_the_discussion_and_the_queue():
    """dialogue.staff_views._moderate_post serves both pages; only where it returns differs."""
    from django.test import Client

    from insyn.accounts.models import Role
    from insyn.accounts.testing import login_verified
    from insyn.dialogue.models import Post, PostState
    from tests.dialogue.factories import DiscussionFactory
    from tests.factories import MembershipFactory, UserFactory

    discussion = DiscussionFactory()
    user = UserFactory(username="dialog-mod")
    MembershipFactory(user=user, role=Role.DIALOGUE_OFFICER, organisation=None)
    client = Client()
    login_verified(client, user)
    for url, back in (
        (
            "/personal/dialog/inlagg/{pk}/{action}/",
            reverse("dialogue_staff:discussion", args=[discussion.pk]),
        ),
        ("/personal/moderering/inlagg/{pk}/{action}/", reverse("staff:moderation")),
    ):
        post = Post.objects.create(discussion=discussion, body="Text", state=PostState.PENDING)
        response = client.post(
            url.format(pk=post.pk, action="dolj"), {"seen": "ny", "reason": "Personuppgifter"}
        )
        assert response.status_code == 302 and response["Location"] == back
        post.refresh_from_db()
        assert post.state == PostState.HIDDEN and post.hidden_reason == "Personuppgifter"
        response = client.post(
            url.format(pk=post.pk, action="godkann"), {"seen": post.moderated_at.isoformat()}
        )
        post.refresh_from_db()
        assert post.state == PostState.VISIBLE
        assert client.post(url.format(pk=post.pk, action="annat")).status_code == 404


@pytest.mark.django_db
def test_the_dialogue_officer_sees_the_dialogues_whose_feedback_is_late():
    """Counted by the one rule, DialogueQuerySet.feedback_overdue."""
    import datetime as dt

    from django.utils import timezone

    from insyn.accounts.models import Role
    from insyn.dialogue import staff_home
    from insyn.dialogue.models import DialogueState
    from tests.dialogue.factories import DialogueFactory
    from tests.factories import MembershipFactory, UserFactory

    today = timezone.localdate()
    late = today - dt.timedelta(days=1)
    DialogueFactory(state=DialogueState.PUBLISHED, feedback_on=late)
    DialogueFactory(state=DialogueState.PUBLISHED, feedback_on=late)
    DialogueFactory(
        state=DialogueState.PUBLISHED, feedback_on=late, feedback_published_at=timezone.now()
    )
    DialogueFactory(state=DialogueState.PUBLISHED, feedback_on=today)
    DialogueFactory(state=DialogueState.CLOSED, feedback_on=late)
    user = UserFactory()
    MembershipFactory(user=user, role=Role.DIALOGUE_OFFICER, organisation=None)
    section = staff_home.dialogue_section(user, None)
    assert section is not None
    late_item = next(i for i in section.items if i.label == "Återkoppling försenad")
    assert late_item.count == 2 and late_item.urgent
    assert staff_home.dialogue_section(UserFactory(), None) is None
