"""Reads for the staff layout and the staff home at /personal/.

Every function here costs a bounded number of queries whatever the data size (the home's query
count is pinned in tests/accounts/test_home.py): counts are aggregated in the database and
lists are sliced.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case as When_
from django.db.models import Count, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from insyn.accounts.models import Membership, Role
from insyn.accounts.permissions import has_role, organisation_ids, roles_of

LIST_LIMIT = 10


@dataclass
class NavLink:
    label: str
    url: str


@dataclass
class StaffIdentity:
    name: str
    roles: list[str]  # labels
    organisations: list[str]
    navigation: list[NavLink]
    contact_centre: bool = False


def staff_identity(user: Any) -> StaffIdentity | None:
    """Who is signed in, in which roles and for which organisations, and where they may go."""
    if not getattr(user, "is_authenticated", False):
        return None
    memberships = list(
        Membership.objects.filter(user=user).select_related("organisation").order_by("role")
    )
    held = roles_of(user)
    labels = {str(Role(m.role).label) for m in memberships}
    if user.is_superuser:
        labels.add(str(Role.ADMIN.label))
    organisations = sorted({m.organisation.name for m in memberships if m.organisation_id})  # type: ignore[union-attr]
    return StaffIdentity(
        name=user.get_full_name() or user.get_username(),
        roles=sorted(labels),
        organisations=organisations,
        navigation=navigation(user, held),
        contact_centre=has_role(user, Role.CONTACT_CENTRE),
    )


def navigation(user: Any, held: set[str]) -> list[NavLink]:
    """The staff menu: only pages the user may open."""
    links = [NavLink(_("Min startsida"), reverse("staff:home"))]

    def can(*roles: str) -> bool:
        return has_role(user, *roles)

    if can(Role.REPORTER):
        links.append(NavLink(_("Mina rapporter"), reverse("goals:my_reports")))
    if can(Role.COMPILER, Role.READER, Role.REPORTER):
        links.append(NavLink(_("Uppföljning"), reverse("goals:index")))
    if can(Role.DIALOGUE_OFFICER):
        links.append(NavLink(_("Dialogregister"), reverse("dialogue_staff:index")))
    if can(Role.CONTACT_CENTRE, Role.CASE_HANDLER):
        links.append(NavLink(_("Ärenden"), reverse("feedback_staff:inbox")))
    if can(Role.MODERATOR, Role.DIALOGUE_OFFICER, Role.CONTACT_CENTRE):
        links.append(NavLink(_("Moderering"), reverse("staff:moderation")))
    if can(Role.COMPILER):
        links.append(NavLink(_("Indikatorer och budget"), reverse("indicators_staff:index")))
    if Role.ADMIN in held:
        links.append(NavLink(_("Utgående e-post"), reverse("staff:outbox")))
    return links


# --- The home --------------------------------------------------------------------------------


@dataclass
class Item:
    label: str
    url: str = ""
    count: int | None = None
    detail: str = ""
    urgent: bool = False


@dataclass
class Section:
    key: str
    title: str
    items: list[Item] = field(default_factory=list)
    empty: str = ""


def _reporter(user: Any) -> Section:
    from insyn.goals.models import PeriodState, Report, ReportState

    section = Section(
        "reporter", _("Dina rapporter"), empty=_("Inga rapporter väntar på dig just nu.")
    )
    org_ids = organisation_ids(user, Role.REPORTER)
    if has_role(user, Role.ADMIN) and not org_ids:
        open_reports = Report.objects.filter(
            period__state=PeriodState.OPEN, organisation__isnull=False
        )
    else:
        open_reports = Report.objects.filter(
            period__state=PeriodState.OPEN, organisation_id__in=org_ids
        )
    due = open_reports.filter(state__in=[ReportState.DRAFT, ReportState.RETURNED])
    rows = list(
        due.select_related("assignment__goal", "period", "organisation")
        .annotate(
            returned_first=When_(
                When(state=ReportState.RETURNED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("returned_first", "period__deadline", "assignment__goal__order", "pk")[
            :LIST_LIMIT
        ]
    )
    totals = due.aggregate(
        returned=Count("pk", filter=Q(state=ReportState.RETURNED)),
        drafts=Count("pk", filter=Q(state=ReportState.DRAFT)),
    )
    if totals["returned"]:
        section.items.append(
            Item(
                ngettext(
                    "%(n)d rapport är återsänd för komplettering",
                    "%(n)d rapporter är återsända för komplettering",
                    totals["returned"],
                )
                % {"n": totals["returned"]},
                reverse("goals:my_reports"),
                urgent=True,
            )
        )
    if totals["drafts"]:
        section.items.append(
            Item(
                ngettext(
                    "%(n)d utkast ska lämnas in",
                    "%(n)d utkast ska lämnas in",
                    totals["drafts"],
                )
                % {"n": totals["drafts"]},
                reverse("goals:my_reports"),
            )
        )
    today = timezone.localdate()
    for report in rows:
        deadline = report.period.deadline
        detail = report.get_state_display()
        if deadline:
            detail += " · " + _("senast %(date)s") % {"date": _date(deadline)}
        section.items.append(
            Item(
                f"{report.assignment} – {report.organisation.name}",  # type: ignore[union-attr]
                reverse("goals:report", kwargs={"report_id": report.pk}),
                detail=detail,
                urgent=report.state == ReportState.RETURNED
                or bool(deadline and deadline <= today + dt.timedelta(days=3)),
            )
        )
    return section


def _date(value: dt.date) -> str:
    from django.utils.formats import date_format

    return date_format(value, "j F Y")


def _compiler(user: Any) -> Section:
    from insyn.goals.models import FollowUpPeriod, PeriodState, ReportState

    section = Section(
        "compiler",
        _("Sammanställning och granskning"),
        empty=_("Ingen period är öppen eller väntar på publicering."),
    )
    periods = list(
        FollowUpPeriod.objects.filter(state__in=[PeriodState.OPEN, PeriodState.CLOSED])
        .annotate(
            total=Count("reports", filter=Q(reports__organisation__isnull=False)),
            handed_in=Count(
                "reports",
                filter=Q(
                    reports__organisation__isnull=False,
                    reports__state__in=[ReportState.SUBMITTED, ReportState.APPROVED],
                ),
            ),
            to_review=Count(
                "reports",
                filter=Q(reports__organisation__isnull=False, reports__state=ReportState.SUBMITTED),
            ),
            returned=Count(
                "reports",
                filter=Q(reports__organisation__isnull=False, reports__state=ReportState.RETURNED),
            ),
        )
        .order_by("deadline", "pk")[:LIST_LIMIT]
    )
    for period in periods:
        url = reverse("goals:compile_overview", kwargs={"period_id": period.pk})
        section.items.append(
            Item(
                _("%(period)s %(year)s: %(done)d av %(total)d rapporter inlämnade")
                % {
                    "period": period.label,
                    "year": period.year,
                    "done": period.handed_in,
                    "total": period.total,
                },
                url,
                detail=period.get_state_display(),
            )
        )
        if period.to_review:
            section.items.append(
                Item(
                    ngettext(
                        "%(n)d rapport väntar på granskning",
                        "%(n)d rapporter väntar på granskning",
                        period.to_review,
                    )
                    % {"n": period.to_review},
                    url,
                    urgent=True,
                )
            )
        missing = period.total - period.handed_in
        if missing:
            section.items.append(
                Item(
                    ngettext(
                        "Hindrar publicering: %(n)d rapport är inte inlämnad",
                        "Hindrar publicering: %(n)d rapporter är inte inlämnade",
                        missing,
                    )
                    % {"n": missing},
                    url,
                    detail=(
                        ngettext("varav %(n)d återsänd", "varav %(n)d återsända", period.returned)
                        % {"n": period.returned}
                        if period.returned
                        else ""
                    ),
                )
            )
    return section


def _reader(user: Any) -> Section:
    from insyn.goals.models import FollowUpPeriod, PeriodState

    section = Section("reader", _("Översikter"))
    section.items.append(Item(_("Uppföljning av mål och uppdrag"), reverse("goals:index")))
    periods = FollowUpPeriod.objects.exclude(state=PeriodState.PLANNED).order_by(
        "-year", "-deadline", "-pk"
    )[:5]
    for period in periods:
        section.items.append(
            Item(
                f"{period.label} {period.year}",
                reverse("goals:compile_overview", kwargs={"period_id": period.pk}),
                detail=period.get_state_display(),
            )
        )
    section.items.append(Item(_("Indikatorer och budget"), reverse("indicators:index")))
    return section


def _dialogue(user: Any) -> Section:
    from insyn.dialogue.models import Dialogue, DialogueState, Post, PostState

    today = timezone.localdate()
    section = Section("dialogue", _("Dialoger"))
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
            filter=Q(
                state=DialogueState.PUBLISHED,
                feedback_on__lt=today,
                feedback_published_at__isnull=True,
            ),
            distinct=True,
        ),
    )
    to_moderate = Post.objects.filter(Q(state=PostState.PENDING) | Q(report_count__gt=0)).count()
    index = reverse("dialogue_staff:index")
    section.items += [
        Item(_("Registrera ny dialog"), reverse("dialogue_staff:create")),
        Item(
            _("Väntar på förankring"),
            f"{index}?lage={DialogueState.DRAFT}",
            counts["unanchored"],
            urgent=bool(counts["unanchored"]),
        ),
        Item(
            _("I samordning (kommentarer från berörda)"),
            f"{index}?lage={DialogueState.DRAFT}",
            counts["coordination"],
        ),
        Item(
            _("Inlägg att granska"),
            reverse("staff:moderation"),
            to_moderate,
            urgent=bool(to_moderate),
        ),
        Item(
            _("Återkoppling försenad"),
            reverse("dialogue_staff:overdue"),
            counts["overdue"],
            urgent=bool(counts["overdue"]),
        ),
    ]
    return section


def _cases(user: Any, since: dt.datetime | None, *, own_only: bool) -> Section:
    from insyn.feedback.models import ACTIVE_STATUSES, Case

    now = timezone.now()
    since = since or now - dt.timedelta(days=1)
    qs = Case.objects.filter(merged_into__isnull=True)
    if own_only:
        org_ids = organisation_ids(user, Role.CASE_HANDLER)
        qs = qs.filter(organisation_id__in=org_ids)
        section = Section("case_handler", _("Ärenden till din organisation"))
    else:
        section = Section("contact_centre", _("Kontaktcenter"))
    counts = qs.aggregate(
        active=Count("pk", filter=Q(status__in=ACTIVE_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=ACTIVE_STATUSES, due_at__lt=now)),
        new=Count("pk", filter=Q(created_at__gt=since)),
        unassigned=Count("pk", filter=Q(status__in=ACTIVE_STATUSES, organisation__isnull=True)),
    )
    inbox = reverse("feedback_staff:inbox")
    section.items += [
        Item(_("Att handlägga"), f"{inbox}?status=open", counts["active"]),
        Item(
            _("Försenade"),
            f"{inbox}?forsenade=1",
            counts["overdue"],
            urgent=bool(counts["overdue"]),
        ),
        Item(_("Nya sedan ditt förra besök"), inbox, counts["new"], urgent=bool(counts["new"])),
    ]
    if not own_only:
        section.items.append(
            Item(_("Inte fördelade"), f"{inbox}?organisation=0", counts["unassigned"])
        )
    return section


def _moderator(user: Any) -> Section:
    queue = moderation_counts()
    url = reverse("staff:moderation")
    return Section(
        "moderator",
        _("Moderering"),
        items=[
            Item(_("Inlägg att granska"), url, queue["posts"], urgent=bool(queue["posts"])),
            Item(_("Nya förslag"), url, queue["proposals"]),
            Item(
                _("Felanmälningar att granska för publicering"),
                url,
                queue["cases"],
                urgent=bool(queue["cases"]),
            ),
        ],
    )


def _system() -> Section:
    from insyn.core.models import OutgoingEmail
    from insyn.goals.models import FollowUpPeriod, PeriodState
    from insyn.indicators.models import ImportRun

    mail = OutgoingEmail.objects.aggregate(
        queued=Count("pk", filter=Q(state=OutgoingEmail.State.QUEUED)),
        failed=Count("pk", filter=Q(state=OutgoingEmail.State.FAILED)),
    )
    section = Section("system", _("Systemets hälsa"))
    outbox = reverse("staff:outbox")
    section.items += [
        Item(_("E-post i kö"), outbox, mail["queued"]),
        Item(
            _("E-post som inte gick att skicka"),
            outbox,
            mail["failed"],
            urgent=bool(mail["failed"]),
        ),
    ]
    # Opening a follow-up period for reporting is the administrator's task (the compiler's part
    # starts once it is open): the planned periods, each linked to where it is opened.
    for period in FollowUpPeriod.objects.filter(state=PeriodState.PLANNED).order_by(
        "deadline", "pk"
    )[:LIST_LIMIT]:
        section.items.append(
            Item(
                _("Att öppna för rapportering: %(period)s %(year)s")
                % {"period": period.label, "year": period.year},
                reverse("goals:period", kwargs={"period_id": period.pk}),
            )
        )
    runs = list(ImportRun.objects.order_by("-started_at")[:3])
    for run in runs:
        section.items.append(
            Item(
                _("Import %(date)s: %(result)s")
                % {
                    "date": _date(timezone.localtime(run.started_at).date()),
                    "result": _("lyckades") if run.succeeded else _("misslyckades"),
                },
                reverse("indicators_staff:import_runs"),
                urgent=not run.succeeded,
                detail=(run.description or "")[:120],
            )
        )
    if not runs:
        section.items.append(Item(_("Inga importer har körts ännu.")))
    return section


def moderation_counts() -> dict[str, int]:
    from insyn.dialogue.models import Post, PostState, Proposal, ProposalState
    from insyn.feedback.models import Case, PublicState

    return {
        "posts": Post.objects.filter(Q(state=PostState.PENDING) | Q(report_count__gt=0)).count(),
        "proposals": Proposal.objects.filter(state=ProposalState.SUBMITTED).count(),
        "cases": Case.objects.filter(
            public_state=PublicState.PENDING, merged_into__isnull=True
        ).count(),
    }


def home_sections(user: Any, *, since: dt.datetime | None = None) -> list[Section]:
    """The user's own work, one section per role they hold, most urgent first."""
    held = roles_of(user)
    admin = Role.ADMIN in held
    sections: list[Section] = []
    if admin or Role.REPORTER in held:
        sections.append(_reporter(user))
    if admin or Role.COMPILER in held:
        sections.append(_compiler(user))
    if admin or Role.DIALOGUE_OFFICER in held:
        sections.append(_dialogue(user))
    if admin or Role.CONTACT_CENTRE in held:
        sections.append(_cases(user, since, own_only=False))
    if Role.CASE_HANDLER in held:
        sections.append(_cases(user, since, own_only=True))
    if admin or Role.MODERATOR in held:
        sections.append(_moderator(user))
    if admin or Role.READER in held:
        sections.append(_reader(user))
    if admin:
        sections.append(_system())
    # Sections with something urgent first; the role order otherwise.
    sections.sort(key=lambda s: not any(i.urgent for i in s.items))
    return sections


@dataclass
class ModerationQueue:
    posts: list[Any]
    proposals_to_moderate: list[Any]
    proposals: list[Any]  # waiting for the officers' assessment
    cases: list[Any]


def moderation_queue(
    *, posts: bool, proposals: bool, cases: bool, assess: bool, limit: int = 50
) -> ModerationQueue:
    """Residents' contributions waiting for a moderator, oldest first (at most four queries).

    Only what the user may act on is read: posts and proposals for those who moderate the
    dialogue, cases for those who moderate fault reports, proposals to assess for dialogue
    officers. A contact-centre member never sees unmoderated posts, nor a dialogue officer
    the text of an unmoderated fault report (tests/security/test_privacy_crawl.py)."""
    from insyn.dialogue.models import Post, PostState, Proposal, ProposalModeration, ProposalState
    from insyn.feedback.models import Case, Kind, PublicState

    waiting = Q(moderation=ProposalModeration.PENDING) | Q(
        moderation=ProposalModeration.VISIBLE, report_count__gt=0
    )
    return ModerationQueue(
        posts=list(
            Post.objects.filter(Q(state=PostState.PENDING) | Q(report_count__gt=0))
            .select_related("discussion__dialogue")
            .order_by("-report_count", "created_at", "pk")[:limit]
        )
        if posts
        else [],
        proposals_to_moderate=list(
            Proposal.objects.filter(waiting)
            .select_related("budget__dialogue")
            .order_by("-report_count", "created_at", "pk")[:limit]
        )
        if proposals
        else [],
        proposals=list(
            Proposal.objects.filter(state=ProposalState.SUBMITTED)
            .exclude(moderation=ProposalModeration.HIDDEN)
            .select_related("budget__dialogue")
            .order_by("created_at", "pk")[:limit]
        )
        if assess
        else [],
        cases=list(
            Case.objects.filter(
                public_state=PublicState.PENDING, kind=Kind.FAULT, merged_into__isnull=True
            )
            .select_related("category")
            .order_by("created_at", "pk")[:limit]
        )
        if cases
        else [],
    )
