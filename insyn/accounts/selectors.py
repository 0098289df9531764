"""Reads for the staff layout and the staff home at /personal/.

The home and the menu are gathered from the apps through insyn.core.registry: each app
registers its sections, its items in the sections drawn here (the moderator's, the
administrator's system health) and its menu entries in its AppConfig.ready(), so accounts
imports none of the apps above it. Every provider costs a bounded number of queries whatever
the data size (the home's query count is pinned in tests/accounts/test_staff_home.py): counts
are aggregated in the database and lists are sliced.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from insyn.accounts.models import Membership, Role
from insyn.accounts.permissions import has_role, roles_of
from insyn.core import registry
from insyn.core.models import OutgoingEmail
from insyn.core.registry import StaffItem, StaffLink, StaffSection

LIST_LIMIT = 10


@dataclass
class StaffIdentity:
    name: str
    roles: list[str]  # labels
    organisations: list[str]
    navigation: list[StaffLink]
    contact_centre: bool = False


def staff_identity(user: Any) -> StaffIdentity | None:
    """Who is signed in, in which roles and for which organisations, and where they may go."""
    if not getattr(user, "is_authenticated", False):
        return None
    memberships = list(
        Membership.objects.filter(user=user).select_related("organisation").order_by("role")
    )
    labels = {str(Role(m.role).label) for m in memberships}
    if user.is_superuser:
        labels.add(str(Role.ADMIN.label))
    organisations = sorted({m.organisation.name for m in memberships if m.organisation})
    return StaffIdentity(
        name=user.get_full_name() or user.get_username(),
        roles=sorted(labels),
        organisations=organisations,
        navigation=registry.staff_links(user),
        contact_centre=has_role(user, Role.CONTACT_CENTRE),
    )


def staff_date(value: dt.date) -> str:
    """A date as the staff home writes it ("4 december 2026")."""
    return date_format(value, "j F Y")


# --- What accounts draws itself (registered in AccountsConfig.ready()) ------------------------


def home_link(user: Any) -> list[StaffLink]:
    return [StaffLink(_("Min startsida"), reverse("staff:home"))]


def moderation_link(user: Any) -> list[StaffLink]:
    if has_role(user, Role.MODERATOR, Role.DIALOGUE_OFFICER, Role.CONTACT_CENTRE):
        return [StaffLink(_("Moderering"), reverse("staff:moderation"))]
    return []


def outbox_link(user: Any) -> list[StaffLink]:
    if Role.ADMIN in roles_of(user):
        return [StaffLink(_("Utgående e-post"), reverse("staff:outbox"))]
    return []


def moderator_section(user: Any, since: dt.datetime | None) -> StaffSection | None:
    """The moderator's queue; the apps whose contributions are moderated add the counts."""
    held = roles_of(user)
    if not (Role.ADMIN in held or Role.MODERATOR in held):
        return None
    return StaffSection("moderator", _("Moderering"))


def system_section(user: Any, since: dt.datetime | None) -> StaffSection | None:
    """The administrator's view of the system's health: the outgoing e-mail here, the apps
    add theirs (periods to open, the last imports)."""
    if Role.ADMIN not in roles_of(user):
        return None
    mail = OutgoingEmail.objects.aggregate(
        queued=Count("pk", filter=Q(state=OutgoingEmail.State.QUEUED)),
        failed=Count("pk", filter=Q(state=OutgoingEmail.State.FAILED)),
    )
    outbox = reverse("staff:outbox")
    return StaffSection(
        "system",
        _("Systemets hälsa"),
        items=[
            StaffItem(_("E-post i kö"), outbox, mail["queued"]),
            StaffItem(
                _("E-post som inte gick att skicka"),
                outbox,
                mail["failed"],
                urgent=bool(mail["failed"]),
            ),
        ],
    )


def home_sections(user: Any, *, since: dt.datetime | None = None) -> list[StaffSection]:
    """The user's own work, one section per role they hold, most urgent first."""
    sections = registry.staff_sections(user, since)
    # Sections with something urgent first; the role order otherwise.
    sections.sort(key=lambda s: not any(i.urgent for i in s.items))
    return sections
