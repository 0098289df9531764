"""Posts as the public sees them and the moderation queue."""

from __future__ import annotations

from django.db.models import Prefetch

from insyn.dialogue.models import (
    Discussion,
    Post,
)


def visible_posts(discussion: Discussion) -> list[Post]:
    """Top-level posts with their replies; hidden posts keep their place with the reason."""
    replies = Post.objects.in_thread().order_by("created_at", "pk")
    return list(
        discussion.posts.in_thread()
        .filter(parent__isnull=True)
        .prefetch_related(Prefetch("replies", replies))
        .order_by("created_at", "pk")[:500]
    )


def moderation_queue(discussion: Discussion) -> list[Post]:
    return list(
        discussion.posts.to_moderate()
        .prefetch_related("reports")
        .order_by("-report_count", "created_at")[:200]
    )
