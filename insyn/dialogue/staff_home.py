"""What dialogue adds to the staff home (/personal/) and the moderation page: the dialogue
officer's section, the moderator's counts of posts and proposals, the queue of them, and the
menu entry. Registered in DialogueConfig.ready() (insyn.core.registry)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from insyn.accounts.models import Role
from insyn.accounts.permissions import has_role, roles_of
from insyn.core.registry import Panel, StaffItem, StaffLink, StaffSection
from insyn.dialogue.models import Dialogue, DialogueState, Post, Proposal

DIALOGUE_MODERATORS = (Role.MODERATOR, Role.DIALOGUE_OFFICER)  # posts and proposals
MODERATION_LIMIT = 50


def links(user: Any) -> list[StaffLink]:
    if has_role(user, Role.DIALOGUE_OFFICER):
        return [StaffLink(_("Dialogregister"), reverse("dialogue_staff:index"))]
    return []


def dialogue_section(user: Any, since: dt.datetime | None) -> StaffSection | None:
    held = roles_of(user)
    if not (Role.ADMIN in held or Role.DIALOGUE_OFFICER in held):
        return None
    today = timezone.localdate()
    section = StaffSection("dialogue", _("Dialoger"))
    counts = Dialogue.objects.aggregate(
        unanchored=Count(
            "pk", filter=Q(state=DialogueState.DRAFT, anchored_on__isnull=True), distinct=True
        ),
        coordination=Count(
            "pk",
            filter=Q(state=DialogueState.DRAFT, coordination_comments__isnull=False),
            distinct=True,
        ),
        overdue=Count(
            "pk",
            filter=Q(pk__in=Dialogue.objects.feedback_overdue(today).values("pk")),
            distinct=True,
        ),
    )
    to_moderate = Post.objects.to_moderate().count()
    index = reverse("dialogue_staff:index")
    section.items += [
        StaffItem(_("Registrera ny dialog"), reverse("dialogue_staff:create")),
        StaffItem(
            _("Väntar på förankring"),
            f"{index}?lage={DialogueState.DRAFT}",
            counts["unanchored"],
            urgent=bool(counts["unanchored"]),
        ),
        StaffItem(
            _("I samordning (kommentarer från berörda)"),
            f"{index}?lage={DialogueState.DRAFT}",
            counts["coordination"],
        ),
        StaffItem(
            _("Inlägg att granska"),
            reverse("staff:moderation"),
            to_moderate,
            urgent=bool(to_moderate),
        ),
        StaffItem(
            _("Återkoppling försenad"),
            reverse("dialogue_staff:overdue"),
            counts["overdue"],
            urgent=bool(counts["overdue"]),
        ),
    ]
    return section


def moderator_items(user: Any) -> list[StaffItem]:
    """The moderator's section: posts and proposals to moderate, counted by the same QuerySets
    as the moderation page lists them (a count that disagrees with its list is a defect)."""
    posts = Post.objects.to_moderate().count()
    proposals = Proposal.objects.to_moderate().count()
    url = reverse("staff:moderation")
    return [
        StaffItem(_("Inlägg att granska"), url, posts, urgent=bool(posts)),
        StaffItem(_("Förslag att granska"), url, proposals, urgent=bool(proposals)),
    ]


def moderation_panel(user: Any) -> Panel | None:
    """Posts and proposals waiting for a moderator (for those who moderate the dialogue), and
    proposals waiting for the officers' assessment (for dialogue officers), oldest first, at
    most three queries. A contact-centre member never sees unmoderated posts
    (tests/security/test_privacy_crawl.py)."""
    may_posts = has_role(user, *DIALOGUE_MODERATORS)
    may_assess = has_role(user, Role.DIALOGUE_OFFICER)
    if not (may_posts or may_assess):
        return None
    limit = MODERATION_LIMIT
    return Panel(
        "dialogue/staff/_moderation.html",
        {
            "may_posts": may_posts,
            "may_assess": may_assess,
            "posts": list(
                Post.objects.to_moderate()
                .select_related("discussion__dialogue")
                .order_by("-report_count", "created_at", "pk")[:limit]
            )
            if may_posts
            else [],
            "proposals_to_moderate": list(
                Proposal.objects.to_moderate()
                .select_related("budget__dialogue")
                .order_by("-report_count", "created_at", "pk")[:limit]
            )
            if may_posts
            else [],
            "proposals": list(
                Proposal.objects.to_assess()
                .select_related("budget__dialogue")
                .order_by("created_at", "pk")[:limit]
            )
            if may_assess
            else [],
        },
    )
