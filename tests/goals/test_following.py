"""Following a goal by e-mail (insyn.goals.following): a resident asks on the goal's own follow
page, confirms with the link page's button and stops with one button; a signed-in staff member
follows with one click. Followers are told when a follow-up of the goal is published or
corrected and when a linked dialogue publishes its feedback, at once or in a digest together
with the cases they follow. The goal page stays cached and carries no form or token."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from insyn.core import notices, publication
from insyn.core.models import NoticeFrequency, OutgoingEmail, PendingNotice
from insyn.goals import following, services
from insyn.goals.models import GoalFollower, Status
from tests.factories import UserFactory
from tests.world import build_world, open_period

pytestmark = pytest.mark.django_db

RESIDENT = "granne@example.org"


def follow_url(goal) -> str:
    return reverse("public:goal_follow", args=[goal.plan.year, goal.number])


def mails_to(address):
    return list(OutgoingEmail.objects.filter(to=address).order_by("pk"))


def _link(mail, name):
    found = re.search(r"https?://[^/\s]+(/folj-mal/\S+)", mail.body)
    assert found, mail.body
    path = found.group(1)
    assert ("/avsluta/" in path) == (name == "stop"), path
    return path


def _follow_and_confirm(client, goal, email=RESIDENT, frequency="immediate"):
    response = client.post(follow_url(goal), {"email": email, "frequency": frequency})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "public:goal_follow_sent", args=[goal.plan.year, goal.number]
    )
    mail = mails_to(email)[-1]
    assert "Bekräfta" in mail.subject
    link = _link(mail, "confirm")
    # Opening the link (a mail scanner does) confirms nothing; the button does.
    page = client.get(link)
    assert page.status_code == 200 and "Ja, följ målet" in page.content.decode()
    assert GoalFollower.objects.get(goal=goal, email=email).confirmed_at is None
    assert client.post(link).status_code == 302
    follower = GoalFollower.objects.get(goal=goal, email=email)
    assert follower.confirmed_at is not None
    return follower


def _publish(world, *, assessment="Målet går framåt."):
    """Compile and publish the world's open period (the draft Årsbokslut) through services."""
    admin = UserFactory(username="publicerare")
    period = world.draft
    for assignment in world.assignments:
        services.compiled_save(
            period=period,
            assignment=assignment,
            status=Status.ON_TRACK,
            assessment=f"Sammanställt om {assignment.number}.",
            by=admin,
        )
    for goal in world.goals:
        services.goal_follow_up_save(
            period=period, goal=goal, status="yellow", assessment=assessment, by=admin
        )
    services.period_publish(period=period, by=admin)
    return admin


# --- Following, confirming, stopping ------------------------------------------------------------


def test_a_resident_follows_confirms_with_the_button_and_stops_with_one(client):
    world = build_world(goals=2, assignments=1)
    goal = world.goals[0]
    page = client.get(follow_url(goal))
    html = page.content.decode()
    assert page.status_code == 200 and 'name="email"' in html and 'name="frequency"' in html
    assert "X-Insyn-Cache" not in page and "no-store" in page["Cache-Control"]

    follower = _follow_and_confirm(client, goal, frequency="daily")
    # The frequency asked for is the address's choice from the confirmation on.
    assert notices.frequency_of(RESIDENT) == NoticeFrequency.DAILY
    assert (
        "Du följer målet" in client.get(_link(mails_to(RESIDENT)[-1], "confirm")).content.decode()
    )

    stop = reverse("public:goal_unfollow", args=[following.unsubscribe_token(follower)])
    assert "Sluta följa målet" in client.get(stop).content.decode()
    assert GoalFollower.objects.filter(pk=follower.pk).exists()  # GET deletes nothing
    assert client.post(stop).status_code == 200
    assert not GoalFollower.objects.filter(email=RESIDENT).exists()
    # A used link answers the same, and a forged one fits nothing.
    assert client.post(stop).status_code == 200
    assert client.get("/folj-mal/inte-en-signerad-lank/").status_code == 400


def test_the_stop_link_of_a_deleted_follow_never_fits_a_later_one_with_the_same_id(client):
    goal = build_world(goals=1, assignments=1).goals[0]
    first = following.follow(goal=goal, email=RESIDENT, frequency="immediate")
    old = following.unsubscribe_token(first)
    following.unfollow(follower=first)
    again = following.follow(goal=goal, email=RESIDENT, frequency="immediate")
    GoalFollower.objects.filter(pk=again.pk).update(id=first.pk)
    assert GoalFollower.objects.filter(pk=first.pk).exists()
    assert following.follower_by_unsubscribe_token(old) is None


def test_a_confirmation_link_expires_and_unconfirmed_follows_are_deleted_after_a_week(client):
    goal = build_world(goals=1, assignments=1).goals[0]
    long_ago = timezone.now() - dt.timedelta(days=8)
    follower = following.follow(goal=goal, email=RESIDENT, frequency="daily", now=long_ago)
    kept = following.follow(goal=goal, email="ny@example.org", frequency="daily")
    assert following.delete_unconfirmed() == 1
    assert not GoalFollower.objects.filter(pk=follower.pk).exists()
    assert GoalFollower.objects.filter(pk=kept.pk).exists()


def test_the_page_answers_the_same_past_the_limits_and_nothing_more_is_sent(client):
    world = build_world(goals=6, assignments=1)
    for goal in world.goals[:3]:
        client.post(follow_url(goal), {"email": RESIDENT, "frequency": "immediate"})
    assert len(mails_to(RESIDENT)) == 3
    response = client.post(follow_url(world.goals[3]), {"email": RESIDENT, "frequency": "daily"})
    assert response.status_code == 302 and "skickat" in response["Location"]
    assert len(mails_to(RESIDENT)) == 3  # a fourth confirmation link in a day is not sent
    assert GoalFollower.objects.filter(email=RESIDENT).count() == 3
    # Asking again for a goal already asked for sends at most one link a day.
    client.post(follow_url(world.goals[0]), {"email": RESIDENT, "frequency": "immediate"})
    assert len(mails_to(RESIDENT)) == 3


def test_at_most_the_maximum_number_of_goals_per_address(monkeypatch):
    world = build_world(goals=3, assignments=1)
    monkeypatch.setattr(following, "MAX_GOALS_PER_EMAIL", 2)
    later = timezone.now() + dt.timedelta(days=2)
    assert following.follow(goal=world.goals[0], email=RESIDENT, frequency="immediate")
    assert following.follow(goal=world.goals[1], email=RESIDENT, frequency="immediate")
    assert (
        following.follow(goal=world.goals[2], email=RESIDENT, frequency="daily", now=later) is None
    )
    assert GoalFollower.objects.filter(email=RESIDENT).count() == 2


def test_the_form_refuses_a_bad_address_and_a_filled_honeypot_in_swedish(client):
    goal = build_world(goals=1, assignments=1).goals[0]
    response = client.post(follow_url(goal), {"email": "inte-en-adress", "frequency": "daily"})
    assert response.status_code == 400
    assert "namn@exempel.se" in response.content.decode()
    response = client.post(
        follow_url(goal), {"email": RESIDENT, "frequency": "daily", "website": "spam"}
    )
    assert response.status_code == 400 and not GoalFollower.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_a_signed_in_staff_member_follows_with_one_click_and_stops(client):
    goal = build_world(goals=1, assignments=1).goals[0]
    user = UserFactory(username="kerstin", email="Kerstin@Uppsala.se")
    client.force_login(user)
    page = client.get(follow_url(goal))
    assert 'name="email"' not in page.content.decode()
    response = client.post(follow_url(goal), {"frequency": "weekly"})
    assert response.status_code == 302
    follower = GoalFollower.objects.get(goal=goal)
    assert follower.email == "kerstin@uppsala.se" and follower.is_confirmed
    assert notices.frequency_of("kerstin@uppsala.se") == NoticeFrequency.WEEKLY
    assert not OutgoingEmail.objects.exists()  # no link to confirm: they are signed in
    assert "Du följer målet med adressen" in client.get(follow_url(goal)).content.decode()
    client.post(follow_url(goal), {"action": "stop"})
    assert not GoalFollower.objects.exists()


def test_following_changes_no_public_page(client):
    """A follow is private: it neither shows on a page nor makes the cached pages stale."""
    goal = build_world(goals=1, assignments=1).goals[0]
    before = publication.publication_version()
    follower = following.follow(goal=goal, email=RESIDENT, frequency="daily")
    following.confirm(follower=follower)
    assert publication.publication_version() == before


# --- The goal page stays cached, without a token and without addresses --------------------------


def test_the_goal_and_assignment_pages_link_to_the_follow_page_and_stay_cached(client):
    world = build_world(goals=1, assignments=1)
    goal = world.goals[0]
    follower = following.follow(
        goal=goal, email="priv-goal-follower@example.org", frequency="daily"
    )
    following.confirm(follower=follower)
    for url in (goal.get_absolute_url(), world.assignments[0].get_absolute_url()):
        first = client.get(url)
        html = first.content.decode()
        assert f'href="{follow_url(goal)}"' in html
        assert "csrfmiddlewaretoken" not in html and not first.cookies
        assert "priv-goal-follower" not in html
        assert client.get(url)["X-Insyn-Cache"] == "hit"
    follow_page = client.get(follow_url(goal)).content.decode()
    assert "priv-goal-follower" not in follow_page


# --- What followers are told --------------------------------------------------------------------


def _confirmed(goal, email=RESIDENT):
    follower = following.follow(goal=goal, email=email, frequency="immediate")
    return following.confirm(follower=follower)


def test_followers_are_told_when_a_follow_up_of_their_goal_is_published():
    world = build_world(goals=2, assignments=1)
    goal, other = world.goals
    _confirmed(goal)
    _confirmed(other, email="annan@example.org")
    unconfirmed = following.follow(goal=goal, email="obekraftad@example.org", frequency="daily")
    assert unconfirmed is not None
    _publish(world, assessment="Bedömningen för årsbokslutet.")

    notice = mails_to(RESIDENT)[-1]
    assert f"mål {goal.number}" in notice.subject and "Årsbokslut" in notice.subject
    assert "Målets status: Gul" in notice.body
    assert "Bedömningen för årsbokslutet." in notice.body
    assert f"{goal.get_absolute_url()}?period={world.draft.pk}" in notice.body
    assert "/folj-mal/" in notice.body and "/avsluta/" in notice.body
    assert str(other.title) not in notice.body
    assert len(mails_to("annan@example.org")) == 2  # confirmation link, then its own goal
    # The unconfirmed address got its confirmation link and nothing about the goal.
    assert len(mails_to("obekraftad@example.org")) == 1


def test_followers_are_told_of_a_correction_once():
    world = build_world(goals=1, assignments=1)
    goal = world.goals[0]
    admin = _publish(world)
    _confirmed(goal)
    services.compiled_save(
        period=world.draft,
        assignment=world.assignments[0],
        status=Status.DELAYED,
        assessment="Sammanställt om 1.",
        note="Statusen var fel: upphandlingen är försenad.",
        by=admin,
    )
    notice = mails_to(RESIDENT)[-1]
    assert notice.subject.startswith("Rättelse")
    assert "Statusen var fel: upphandlingen är försenad." in notice.body
    assert "Före: Enligt plan" in notice.body and "Efter: Försenat" in notice.body
    services.goal_follow_up_save(
        period=world.draft,
        goal=goal,
        status="green",
        assessment="Målet går framåt.",
        note="Målet nåddes.",
        by=admin,
    )
    assert mails_to(RESIDENT)[-1].body.count("Målet nåddes.") == 1
    assert len(mails_to(RESIDENT)) == 3  # confirmation, two corrections


def test_a_digest_gathers_the_goal_with_a_followed_case_in_one_email(client):
    from insyn.feedback import services as feedback_services
    from insyn.feedback.models import CaseStatus, Kind, PublicState
    from tests.feedback.factories import CategoryFactory, RoutingRuleFactory

    world = build_world(goals=1, assignments=1)
    goal = world.goals[0]
    start = timezone.now()
    follower = following.follow(goal=goal, email=RESIDENT, frequency="daily", now=start)
    following.confirm(follower=follower, now=start)

    category = CategoryFactory(code="gatubelysning", name="Gatubelysning")
    RoutingRuleFactory(category=category, organisation=world.organisations[0])
    case = feedback_services.create_case(
        kind=Kind.FAULT, category=category, description="Lampan är släckt.", address_text="Gatan 1"
    ).case
    staff = UserFactory(username="handlaggare")
    feedback_services.moderate(
        case=case,
        public_description="Lampan är släckt.",
        public_address="Gatan",
        state=PublicState.PUBLISHED,
        by=staff,
    )
    feedback_services.follow_case(case=case, email=RESIDENT)
    feedback_services.change_status(case=case, status=CaseStatus.IN_PROGRESS, by=staff)
    _publish(world, assessment="Bedömningen i sammanfattningen.")

    waiting = PendingNotice.objects.filter(email=RESIDENT, sent_at__isnull=True)
    assert waiting.count() == 2
    sent_before = len(mails_to(RESIDENT))
    assert notices.send_digests(now=start + dt.timedelta(hours=23)) == 1
    digest = mails_to(RESIDENT)
    assert len(digest) == sent_before + 1
    body = digest[-1].body
    assert "Bedömningen i sammanfattningen." in body and case.number in body
    assert "/folj-mal/" in body  # the goal's own stop link travels with its item


def test_followers_of_a_goal_are_told_when_a_linked_dialogue_publishes_its_feedback():
    from insyn.dialogue import services as dialogue_services
    from insyn.dialogue.models import Subscription
    from tests.dialogue.factories import PublishedDialogueFactory

    world = build_world(goals=2, assignments=1)
    goal, other = world.goals
    _confirmed(goal)
    _confirmed(other, email="annan@example.org")
    _confirmed(goal, email="prenumerant@example.org")
    dialogue = PublishedDialogueFactory()
    dialogue.assignments.set([world.assignments[0]])  # linked through one of the goal's
    Subscription.objects.create(
        dialogue=dialogue, email="prenumerant@example.org", confirmed_at=timezone.now()
    )
    staff = UserFactory(username="dialogansvarig")
    dialogue_services.feedback_save(
        dialogue=dialogue,
        summary="Många ville ha fler bänkar.",
        usage="Bänkarna finns i budgeten.",
        decision="Beslut i nämnden.",
        by=staff,
    )
    dialogue_services.feedback_publish(dialogue=dialogue, by=staff)
    notice = mails_to(RESIDENT)[-1]
    assert notice.subject.startswith("Återkoppling")
    assert "Många ville ha fler bänkar." in notice.body and str(goal.title) in notice.body
    assert len(mails_to("annan@example.org")) == 1  # another goal: nothing but the link
    # A subscriber of the dialogue who also follows the goal is told once.
    told = [m for m in mails_to("prenumerant@example.org") if "Återkoppling" in m.subject]
    assert len(told) == 1


def test_the_follow_pages_read_english_when_chosen(client):
    goal = build_world(goals=1, assignments=1).goals[0]
    client.cookies["django_language"] = "en"
    html = client.get(follow_url(goal)).content.decode()
    assert "Follow the goal" in html


def test_publishing_with_no_follower_tells_nobody_of_the_goal():
    world = build_world(goals=1, assignments=1)
    _publish(world)
    assert not OutgoingEmail.objects.filter(dedupe_key__startswith="goals:follow:").exists()
    assert not PendingNotice.objects.exists()


def test_the_period_publish_still_works_for_an_opened_period(world):
    """The reporting world's own period (opened, compiled) publishes and tells a follower."""
    open_period(world)
    follower = following.follow(goal=world.goals[0], email=RESIDENT, frequency="immediate")
    following.confirm(follower=follower)
    admin = world.users["admin"]
    for assignment in world.assignments:
        services.compiled_save(
            period=world.period,
            assignment=assignment,
            status=Status.ON_TRACK,
            assessment="Klart.",
            by=admin,
        )
    for goal in world.goals:
        services.goal_follow_up_save(
            period=world.period, goal=goal, status="green", assessment="Bra.", by=admin
        )
    services.period_publish(period=world.period, by=admin)
    assert mails_to(RESIDENT)[-1].subject.startswith("Ny uppföljning av mål 1")
