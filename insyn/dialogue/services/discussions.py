"""Discussions: posts and replies, reports from readers, moderation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from insyn.core.errors import ServiceError
from insyn.dialogue.models import (
    AgeBand,
    Dialogue,
    Discussion,
    District,
    Participant,
    Post,
    PostReport,
    PostState,
    Source,
)
from insyn.dialogue.services.common import MAX_TEXT, lock_for_moderation, record_moderation


def discussion_create(
    *, dialogue: Dialogue, title: str, intro: str = "", premoderation: bool = False, rules: str = ""
) -> Discussion:
    discussion = Discussion(
        dialogue=dialogue, title=title, intro=intro, premoderation=premoderation
    )
    if rules.strip():
        discussion.rules = rules.strip()
    discussion.save()
    return discussion


@transaction.atomic
def post_submit(
    *,
    discussion: Discussion,
    body: str,
    author_name: str = "",
    parent: Post | None = None,
    participant: Participant | None = None,
    district: District | None = None,
    age_band: str = "",
    source: str = Source.ONLINE,
    entered_by: Any = None,
) -> Post:
    if not discussion.accepting:
        raise ServiceError(_("Diskussionen tar inte emot inlägg."))
    body = body.strip()
    if not body:
        raise ServiceError(_("Skriv ett inlägg."))
    if len(body) > MAX_TEXT:
        raise ServiceError(_("Inlägget är för långt (högst 5 000 tecken)."))
    if parent is not None:
        if parent.discussion_id != discussion.pk or parent.state != PostState.VISIBLE:
            raise ServiceError(_("Inlägget du svarar på finns inte."))
        parent = parent.parent or parent  # replies are one level deep
    if age_band and age_band not in AgeBand.values:
        raise ServiceError(_("Okänd åldersgrupp."))
    state = PostState.PENDING if discussion.premoderation else PostState.VISIBLE
    return Post.objects.create(
        discussion=discussion,
        parent=parent,
        body=body,
        author_name=author_name.strip()[:80],
        participant=participant,
        district=district,
        age_band=age_band,
        state=state,
        source=source,
        entered_by=entered_by,
    )


@transaction.atomic
def post_report(*, post: Post, reason: str) -> PostReport:
    if post.state != PostState.VISIBLE:
        raise ServiceError(_("Inlägget finns inte."))
    reason = reason.strip() or _("Ingen motivering angavs.")
    report = PostReport.objects.create(post=post, reason=reason[:300])
    Post.objects.filter(pk=post.pk).update(report_count=F("report_count") + 1)
    return report


@transaction.atomic
def post_hide(*, post: Post, reason: str, by: Any, seen: dt.datetime | str | None = None) -> Post:
    """Hide a post with a reason. `seen`: see common.lock_for_moderation."""
    if not reason.strip():
        raise ServiceError(
            _("Ange skälet till att inlägget döljs; skälet visas i stället för inlägget.")
        )
    lock_for_moderation(post, seen=seen, mine=_("dölj"))
    post.state = PostState.HIDDEN
    return record_moderation(post, by=by, hidden_reason=reason.strip()[:300])


@transaction.atomic
def post_approve(*, post: Post, by: Any, seen: dt.datetime | str | None = None) -> Post:
    """Let a post through. `seen`: see common.lock_for_moderation."""
    lock_for_moderation(post, seen=seen, mine=_("godkänn"))
    post.state = PostState.VISIBLE
    return record_moderation(post, by=by)
