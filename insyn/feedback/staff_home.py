"""What feedback adds to the staff home (/personal/) and the moderation page: the contact
centre's and the case handler's sections, the moderator's count of fault reports, the queue of
them, and the menu entry. Registered in FeedbackConfig.ready() (insyn.core.registry)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from insyn.accounts.models import Role
from insyn.accounts.permissions import has_role, organisation_ids, roles_of
from insyn.core.registry import Panel, StaffItem, StaffLink, StaffSection
from insyn.feedback.models import ACTIVE_STATUSES, Case

CASE_MODERATORS = (Role.MODERATOR, Role.CONTACT_CENTRE)  # fault reports
MODERATION_LIMIT = 50


def links(user: Any) -> list[StaffLink]:
    if has_role(user, Role.CONTACT_CENTRE, Role.CASE_HANDLER):
        return [StaffLink(_("Ärenden"), reverse("feedback_staff:inbox"))]
    return []


def contact_centre_section(user: Any, since: dt.datetime | None) -> StaffSection | None:
    held = roles_of(user)
    if not (Role.ADMIN in held or Role.CONTACT_CENTRE in held):
        return None
    return _cases(user, since, own_only=False)


def case_handler_section(user: Any, since: dt.datetime | None) -> StaffSection | None:
    if Role.CASE_HANDLER not in roles_of(user):
        return None
    return _cases(user, since, own_only=True)


def _cases(user: Any, since: dt.datetime | None, *, own_only: bool) -> StaffSection:
    now = timezone.now()
    since = since or now - dt.timedelta(days=1)
    qs = Case.objects.filter(merged_into__isnull=True)
    if own_only:
        org_ids = organisation_ids(user, Role.CASE_HANDLER)
        qs = qs.filter(organisation_id__in=org_ids)
        section = StaffSection("case_handler", _("Ärenden till din organisation"))
    else:
        section = StaffSection("contact_centre", _("Kontaktcenter"))
    counts = qs.aggregate(
        active=Count("pk", filter=Q(status__in=ACTIVE_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=ACTIVE_STATUSES, due_at__lt=now)),
        new=Count("pk", filter=Q(created_at__gt=since)),
        unassigned=Count("pk", filter=Q(status__in=ACTIVE_STATUSES, organisation__isnull=True)),
    )
    inbox = reverse("feedback_staff:inbox")
    section.items += [
        StaffItem(_("Att handlägga"), f"{inbox}?status=open", counts["active"]),
        StaffItem(
            _("Försenade"),
            f"{inbox}?forsenade=1",
            counts["overdue"],
            urgent=bool(counts["overdue"]),
        ),
        StaffItem(
            _("Nya sedan ditt förra besök"), inbox, counts["new"], urgent=bool(counts["new"])
        ),
    ]
    if not own_only:
        section.items.append(
            StaffItem(_("Inte fördelade"), f"{inbox}?organisation=0", counts["unassigned"])
        )
        # The contact centre moderates fault reports too (CASE_MODERATORS): its home says how
        # many wait, as the moderator's does.
        section.items += moderator_items(user)
    return section


def moderator_items(user: Any) -> list[StaffItem]:
    """The moderator's section: fault reports waiting to be published or kept back."""
    cases = Case.objects.to_moderate().count()  # what the moderation page lists
    return [
        StaffItem(
            _("Felanmälningar att granska för publicering"),
            reverse("staff:moderation"),
            cases,
            urgent=bool(cases),
        )
    ]


def moderation_panel(user: Any) -> Panel | None:
    """Fault reports waiting for moderation, oldest first (one query), for those who moderate
    them: a dialogue officer never sees the text of an unmoderated fault report
    (tests/security/test_privacy_crawl.py)."""
    if not has_role(user, *CASE_MODERATORS):
        return None
    cases = list(
        Case.objects.to_moderate()
        .select_related("category")
        .order_by("created_at", "pk")[:MODERATION_LIMIT]
    )
    return Panel("feedback/staff/_moderation.html", {"cases": cases})
