"""Who may see and change which dialogue (staff pages under /personal/dialog/, moderation).

Dialogue officers of the responsible board (or with no organisation, or the creator) edit a
dialogue; every dialogue officer may read every dialogue; reporters and compilers of an affected
organisation may read it and comment (coordination); moderators moderate every post. One
behaviour (insyn.core.access): 404 for what a person may not see, 403 for what they may see but
not change.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _

from insyn.accounts.models import Membership, Role
from insyn.accounts.permissions import has_role, organisation_ids
from insyn.core.access import fetch, grant
from insyn.dialogue.models import Dialogue, Post, Proposal

READ_ROLES = (Role.DIALOGUE_OFFICER, Role.REPORTER, Role.COMPILER)


def can_edit(user: Any, dialogue: Dialogue) -> bool:
    if has_role(user, Role.ADMIN):
        return True
    if not has_role(user, Role.DIALOGUE_OFFICER):
        return False
    if dialogue.created_by_id == user.pk:
        return True
    if Membership.objects.filter(
        user=user, role=Role.DIALOGUE_OFFICER, organisation__isnull=True
    ).exists():
        return True
    return dialogue.responsible_board_id in organisation_ids(user, Role.DIALOGUE_OFFICER)


def can_read(user: Any, dialogue: Dialogue) -> bool:
    if has_role(user, Role.DIALOGUE_OFFICER):  # administrators too
        return True
    mine = organisation_ids(user, *READ_ROLES)
    return dialogue.affected_organisations.filter(pk__in=mine).exists()


def _refusal() -> str:
    return _("Du kan inte ändra den här dialogen.")


def access_dialogue(user: Any, pk: Any, *, write: bool = False) -> Dialogue:
    """A dialogue: 404 unless the user may read it, 403 with `write` unless they may edit it."""
    dialogue = fetch(Dialogue.objects.all(), pk=pk)
    return grant(
        dialogue,
        see=lambda: can_read(user, dialogue),
        change=lambda: can_edit(user, dialogue),
        write=write,
        refusal=_refusal(),
    )


def access_part(user: Any, model: type[Model], pk: Any, *, write: bool = False, **lookup: Any):
    """A part of a dialogue with a `dialogue` foreign key (survey, discussion, budget, meeting)."""
    obj: Any = fetch(model._default_manager.select_related("dialogue"), pk=pk, **lookup)
    return grant(
        obj,
        see=lambda: can_read(user, obj.dialogue),
        change=lambda: can_edit(user, obj.dialogue),
        write=write,
        refusal=_refusal(),
    )


def access_post(user: Any, pk: Any, *, write: bool = False) -> Post:
    """A discussion post: moderators see and moderate every post; anyone else as its dialogue."""
    post = fetch(Post.objects.select_related("discussion__dialogue"), pk=pk)
    moderator = has_role(user, Role.MODERATOR)
    dialogue = post.discussion.dialogue
    return grant(
        post,
        see=lambda: moderator or can_read(user, dialogue),
        change=lambda: moderator or can_edit(user, dialogue),
        write=write,
        refusal=_("Du kan inte moderera den här dialogen."),
    )


def access_proposal(user: Any, pk: Any, *, write: bool = False, moderate: bool = False) -> Proposal:
    """A participatory-budget proposal, as its dialogue; with `moderate` (showing or hiding
    it), moderators see and change every proposal, as every post."""
    proposal = fetch(Proposal.objects.select_related("budget__dialogue"), pk=pk)
    dialogue = proposal.budget.dialogue
    moderator = moderate and has_role(user, Role.MODERATOR)
    return grant(
        proposal,
        see=lambda: moderator or can_read(user, dialogue),
        change=lambda: moderator or can_edit(user, dialogue),
        write=write,
        refusal=_("Du kan inte moderera den här dialogen.") if moderate else _refusal(),
    )
