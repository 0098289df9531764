"""Governance by goals: plans, goals, assignments, follow-up periods, reports and goal follow-up.

Vocabulary (see GLOSSARY.md): a council Plan ("Mål och budget 2023 med plan för 2024–2025") has
Goals (inriktningsmål/fokusmål); each Goal has Assignments (uppdrag) given to organisations.
In every FollowUpPeriod each responsible organisation writes a Report per assignment, and the
executive board writes the compiled Report (organisation = NULL) and a GoalFollowUp per goal.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import slugify as _django_slugify
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from insyn.organisations.models import Organisation, OrganisationGroup


class PlanQuerySet(models.QuerySet["Plan"]):
    def published(self) -> PlanQuerySet:
        """Plans with at least one published follow-up period (what the public site lists)."""
        return self.filter(periods__state=PeriodState.PUBLISHED).distinct()


class Plan(models.Model):
    title = models.CharField(_("titel"), max_length=300)
    year = models.PositiveSmallIntegerField(_("planår"), unique=True)
    last_year = models.PositiveSmallIntegerField(
        _("planen sträcker sig till"), null=True, blank=True
    )
    decision_case_number = models.CharField(_("diarienummer"), max_length=40, blank=True)
    decision_date = models.DateField(_("beslutsdatum"), null=True, blank=True)
    history = HistoricalRecords()

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("plan")
        verbose_name_plural = _("planer")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("public:plan", args=[self.year])


class GoalKind(models.TextChoices):
    INRIKTNINGSMAL = "inriktningsmal", _("Inriktningsmål")
    FOKUSMAL = "fokusmal", _("Fokusmål")


class Goal(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="goals")
    number = models.CharField(_("nummer"), max_length=10)
    kind = models.CharField(
        _("typ"), max_length=20, choices=GoalKind, default=GoalKind.INRIKTNINGSMAL
    )
    title = models.CharField(_("titel"), max_length=300)
    short_title = models.CharField(_("kort titel"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("ordning"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "order", "number"]
        verbose_name = _("mål")
        verbose_name_plural = _("mål")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="unique_goal_number_per_plan")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}. {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("public:goal", args=[self.plan.year, self.number])

    @property
    def kind_definite(self) -> str:
        """'fokusmålet' / 'inriktningsmålet', as the summary sentence needs it."""
        return "fokusmålet" if self.kind == GoalKind.FOKUSMAL else "inriktningsmålet"


class GoalSection(models.Model):
    """One titled section of a goal's description (Målbeskrivning, Välkomna och inkluderade…)."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(default=0)
    heading = models.CharField(_("rubrik"), max_length=300)
    body = models.TextField(_("text"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["goal", "order"]
        verbose_name = _("målbeskrivningsavsnitt")
        verbose_name_plural = _("målbeskrivningsavsnitt")

    def __str__(self) -> str:
        return self.heading


class AssignmentKind(models.TextChoices):
    COUNCIL = "council", _("Uppdrag")
    REMAINING = "remaining", _("Kvarvarande uppdrag")
    ADDITIONAL = "additional", _("Tillkommande uppdrag")
    BOARD_GOAL = "board_goal", _("Gemensamt nämnd-/bolagsmål")


def assignment_slug(assignment, siblings) -> str:
    """The assignment's part of its address, unique among the goal's other assignments
    (`siblings`, a queryset or the historical model's). Used by save() and the migration."""
    taken = set(siblings.exclude(pk=assignment.pk).values_list("slug", flat=True))
    return free_assignment_slug(assignment, taken)


@functools.lru_cache(maxsize=4096)
def slugify(text: str) -> str:
    """Django's `slugify`, remembered: an import of 1,000 generated pages asks it 25,500 times
    for 47 different assignment numbers and codes (issue 13)."""
    return _django_slugify(text)


def free_assignment_slug(assignment, taken: set[str]) -> str:
    """The slug `assignment_slug` gives when the goal's other assignments have the slugs
    `taken` (the importer keeps them in memory while it creates a run's assignments in bulk)."""
    if assignment.kind == AssignmentKind.COUNCIL and assignment.number:
        base = slugify(assignment.number)
    elif assignment.kind == AssignmentKind.REMAINING:
        base = "-".join(
            str(part)
            for part in ("kvarvarande", assignment.origin_year, assignment.origin_number)
            if part
        )
    elif assignment.kind == AssignmentKind.BOARD_GOAL and assignment.board_goal_code:
        base = slugify(assignment.board_goal_code.replace(".", "-"))
    elif assignment.kind == AssignmentKind.ADDITIONAL:
        base = "tillkommande"
    else:
        base = "uppdrag"
    base = slugify(base)[:50] or "uppdrag"
    if assignment.kind == AssignmentKind.ADDITIONAL:
        n = 1
        while f"{base}-{n}" in taken:
            n += 1
        return f"{base}-{n}"
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


class Assignment(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="assignments")
    number = models.CharField(_("nummer"), max_length=20, blank=True)
    kind = models.CharField(
        _("typ"), max_length=20, choices=AssignmentKind, default=AssignmentKind.COUNCIL
    )
    # The last part of the citable address /plan/2023/mal/4/uppdrag/21/: the municipality's
    # number ("21"), else a name made from how it is written ("kvarvarande-2022-19",
    # "tillkommande-2", "nb-1-1"). Set once when the assignment is first saved, never changed:
    # decisions and e-mails cite it.
    slug = models.SlugField(_("nummer i adressen"), max_length=60, blank=True, editable=False)
    title = models.TextField(_("titel"))
    description = models.TextField(_("beskrivning"), blank=True)
    order = models.PositiveSmallIntegerField(_("ordning"), default=0)
    # Remaining (kvarvarande): where it came from.
    origin_year = models.PositiveSmallIntegerField(_("ursprungsår"), null=True, blank=True)
    origin_number = models.CharField(_("ursprungligt nummer"), max_length=20, blank=True)
    carried_over_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_into",
        verbose_name=_("överfört från"),
    )
    # Additional (tillkommande): the council decision that gave it.
    decision_case_number = models.CharField(_("diarienummer"), max_length=40, blank=True)
    decision_paragraph = models.CharField(_("paragraf"), max_length=20, blank=True)
    decision_body = models.CharField(_("beslutande organ"), max_length=100, blank=True)
    decision_date = models.DateField(_("beslutsdatum"), null=True, blank=True)
    # Board goal (gemensamt nämnd-/bolagsmål): its code, e.g. "NB 1.1".
    board_goal_code = models.CharField(_("målkod"), max_length=20, blank=True)
    # "Gäller till och med 2017." on a published assignment (taken out of its title).
    valid_until = models.PositiveSmallIntegerField(
        _("gäller till och med år"), null=True, blank=True
    )

    responsible_organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="responsible_for", verbose_name=_("ansvariga")
    )
    responsible_groups = models.ManyToManyField(
        OrganisationGroup,
        blank=True,
        related_name="responsible_for",
        verbose_name=_("ansvariga grupper"),
    )
    affected_organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="affected_by", verbose_name=_("berörda")
    )
    affected_groups = models.ManyToManyField(
        OrganisationGroup, blank=True, related_name="affected_by", verbose_name=_("berörda grupper")
    )
    # A stable key so that re-importing a published page updates instead of duplicating.
    import_key = models.CharField(max_length=64, blank=True, editable=False)

    history = HistoricalRecords(
        m2m_fields=[
            responsible_organisations,
            responsible_groups,
            affected_organisations,
            affected_groups,
        ]
    )

    class Meta:
        ordering = ["goal", "order", "pk"]
        verbose_name = _("uppdrag")
        verbose_name_plural = _("uppdrag")
        constraints = [
            models.UniqueConstraint(
                fields=["goal", "import_key"],
                condition=~Q(import_key=""),
                name="unique_assignment_import_key",
            ),
            models.UniqueConstraint(
                fields=["goal", "slug"], condition=~Q(slug=""), name="unique_assignment_slug"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.heading}: {self.title[:80]}"

    def save(self, *args, **kwargs) -> None:
        if not self.slug and self.goal_id:
            self.slug = assignment_slug(self, Assignment.objects.filter(goal_id=self.goal_id))
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        """The citable address. Needs goal.plan loaded (select_related("goal__plan"))."""
        return reverse("public:assignment", args=self._url_args())

    def _url_args(self) -> list:
        return [self.goal.plan.year, self.goal.number, self.slug or self.pk]

    @property
    def counts_in_summary(self) -> bool:
        return self.kind != AssignmentKind.BOARD_GOAL

    @property
    def heading(self) -> str:
        """How the municipality writes the assignment's label, e.g. "Uppdrag 20" ("Assignment
        20" when the visitor chose English; the search index is built in Swedish)."""
        from django.utils.translation import gettext

        if self.kind == AssignmentKind.COUNCIL:
            if self.number:
                return gettext("Uppdrag %(number)s") % {"number": self.number}
            return gettext("Uppdrag")
        if self.kind == AssignmentKind.REMAINING:
            if self.origin_year and self.origin_number:
                return gettext("Kvarvarande från %(year)s uppdrag %(number)s") % {
                    "year": self.origin_year,
                    "number": self.origin_number,
                }
            if self.origin_year:
                return gettext("Kvarvarande uppdrag från %(year)s") % {"year": self.origin_year}
            return gettext("Kvarvarande uppdrag")
        if self.kind == AssignmentKind.ADDITIONAL:
            return gettext("Tillkommande uppdrag")
        if self.board_goal_code:
            return gettext("Gemensamt nämnd-/bolagsmål %(code)s") % {"code": self.board_goal_code}
        return gettext("Gemensamt nämnd-/bolagsmål")


_SLUG_RE = re.compile(r"[-a-zA-Z0-9_]+")
_SLUG_MARK = "insyn-assignment-slug"  # longer than any goal number: found only where the slug is


def assignment_urls(assignments: Iterable[Assignment]) -> list[str]:
    """`get_absolute_url()` of each assignment, with one reverse() per goal instead of one per
    assignment (the URL of each goal's page with a mark where the slug goes, the slug put in):
    the same addresses, for the search index of a whole plan (issue 13)."""
    templates: dict[tuple, str] = {}
    urls = []
    for assignment in assignments:
        *goal_args, slug = assignment._url_args()
        slug = str(slug)
        if not _SLUG_RE.fullmatch(slug):
            urls.append(assignment.get_absolute_url())  # reverse() says what such a slug gives
            continue
        key = tuple(goal_args)
        template = templates.get(key)
        if template is None:
            template = templates[key] = reverse("public:assignment", args=[*goal_args, _SLUG_MARK])
        urls.append(template.replace(_SLUG_MARK, slug))
    return urls


class PeriodKind(models.TextChoices):
    APRIL = "april", _("Uppföljning per april")
    AUGUST = "august", _("Delårsuppföljning per augusti")
    ANNUAL = "annual", _("Årsbokslut")
    OTHER = "other", _("Annan uppföljning")


class PeriodState(models.TextChoices):
    PLANNED = "planned", _("Planerad")
    OPEN = "open", _("Öppen för rapportering")
    CLOSED = "closed", _("Stängd för rapportering, sammanställs")
    PUBLISHED = "published", _("Publicerad")


class PeriodQuerySet(models.QuerySet["FollowUpPeriod"]):
    def published(self) -> PeriodQuerySet:
        """Periods the public may read (everything else is the staff's work in progress)."""
        return self.filter(state=PeriodState.PUBLISHED)


class FollowUpPeriod(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="periods")
    year = models.PositiveSmallIntegerField(_("år"))
    kind = models.CharField(_("typ"), max_length=20, choices=PeriodKind)
    label = models.CharField(_("benämning"), max_length=200)
    month = models.PositiveSmallIntegerField(_("månad"), null=True, blank=True)
    deadline = models.DateField(_("sista dag för rapportering"), null=True, blank=True)
    state = models.CharField(
        _("läge"), max_length=20, choices=PeriodState, default=PeriodState.PLANNED
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(_("publicerad i Insyn"), null=True, blank=True)
    # The municipality's publication date, shown to the public: the day it was published in
    # Insyn, or for an imported follow-up the date its page gives (None: the page does not say).
    published_on = models.DateField(_("publicerad av kommunen"), null=True, blank=True)
    history = HistoricalRecords()

    objects = PeriodQuerySet.as_manager()

    class Meta:
        ordering = ["year", "month"]
        verbose_name = _("uppföljningsperiod")
        verbose_name_plural = _("uppföljningsperioder")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "kind", "label"], name="unique_period_per_plan"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("public:period", args=[self.pk])

    @property
    def sort_key(self) -> tuple[int, int]:
        return (self.year, self.month or 13)

    @property
    def is_published(self) -> bool:
        return self.state == PeriodState.PUBLISHED


class Status(models.TextChoices):
    """The four-level scale used on every assignment, plus unknown."""

    COMPLETED = "completed", _("Slutfört")
    ON_TRACK = "on_track", _("Enligt plan")
    DELAYED = "delayed", _("Försenat")
    NOT_DONE = "not_done", _("Genomförs inte")
    UNKNOWN = "unknown", _("Status saknas")


STATUS_ORDER = [Status.COMPLETED, Status.ON_TRACK, Status.DELAYED, Status.NOT_DONE, Status.UNKNOWN]


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    SUBMITTED = "submitted", _("Inlämnad")
    RETURNED = "returned", _("Återsänd för komplettering")
    APPROVED = "approved", _("Godkänd")


class PrefillSource(models.TextChoices):
    """Where a new draft's status and text came from, shown to the reporter."""

    NONE = "", _("Tomt")
    OWN = "own", _("Organisationens egen förra rapport")
    COMPILED = "compiled", _("Den publicerade sammanställda bedömningen")


# An organisation's report is public once its period is published and it was handed in; the
# compiled report (organisation NULL) with its period.
PUBLIC_ORGANISATION_REPORT_STATES = (ReportState.SUBMITTED, ReportState.APPROVED)


class ReportQuerySet(models.QuerySet["Report"]):
    def public(self) -> ReportQuerySet:
        """Reports a resident may read: of published periods; organisations' once handed in."""
        return self.filter(period__state=PeriodState.PUBLISHED).filter(
            models.Q(organisation__isnull=True)
            | models.Q(state__in=PUBLIC_ORGANISATION_REPORT_STATES)
        )

    def compiled_published(self) -> ReportQuerySet:
        """The compiled (municipality-wide) reports of published periods."""
        return self.filter(organisation__isnull=True, period__state=PeriodState.PUBLISHED)


class Report(models.Model):
    """One organisation's report on one assignment in one period; organisation NULL = compiled."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reports")
    period = models.ForeignKey(FollowUpPeriod, on_delete=models.PROTECT, related_name="reports")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.UNKNOWN)
    assessment = models.TextField(_("bedömning"), blank=True)
    assessment_label = models.CharField(_("rubrik för bedömningen"), max_length=200, blank=True)
    state = models.CharField(
        _("läge"), max_length=20, choices=ReportState, default=ReportState.DRAFT
    )
    return_comment = models.TextField(_("kommentar vid återsändning"), blank=True)
    # Optimistic concurrency: every save increments it; a save based on an old version fails.
    version = models.PositiveIntegerField(default=1)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # A draft opened from earlier text: from what, and from which period (see period_open).
    prefill_source = models.CharField(
        _("förifyllt från"), max_length=10, choices=PrefillSource, blank=True, default=""
    )
    prefill_period = models.ForeignKey(
        "FollowUpPeriod",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("förifyllt från period"),
    )
    history = HistoricalRecords()

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["assignment", "organisation__name"]
        verbose_name = _("rapport")
        verbose_name_plural = _("rapporter")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "period", "organisation"],
                condition=Q(organisation__isnull=False),
                name="unique_report_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["assignment", "period"],
                condition=Q(organisation__isnull=True),
                name="unique_compiled_report",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="report_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["period", "organisation", "state"])]

    def __str__(self) -> str:
        who = self.organisation.name if self.organisation_id else "sammanställd"
        return f"{self.assignment.heading} · {self.period} · {who}"

    @property
    def is_compiled(self) -> bool:
        return self.organisation_id is None


class GoalStatus(models.TextChoices):
    GREEN = "green", _("Grön")
    YELLOW = "yellow", _("Gul")
    RED = "red", _("Röd")


GOAL_STATUS_RANK: dict[str, int] = {GoalStatus.RED: 0, GoalStatus.YELLOW: 1, GoalStatus.GREEN: 2}


class Trend(models.TextChoices):
    IMPROVED = "improved", _("Förbättrad")
    UNCHANGED = "unchanged", _("Oförändrad")
    WORSENED = "worsened", _("Försämrad")


class GoalFollowUpQuerySet(models.QuerySet["GoalFollowUp"]):
    def published(self) -> GoalFollowUpQuerySet:
        """Follow-ups of published periods: what the public may read."""
        return self.filter(period__state=PeriodState.PUBLISHED)


class GoalFollowUp(models.Model):
    """The compiled follow-up of a goal in a period: status, assessment (summary is computed)."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="follow_ups")
    period = models.ForeignKey(
        FollowUpPeriod, on_delete=models.PROTECT, related_name="goal_follow_ups"
    )
    status = models.CharField(_("status"), max_length=10, choices=GoalStatus, blank=True)
    assessment = models.TextField(_("bedömning"), blank=True)
    # As published on an imported page; shown only when no previous period lets us compute it.
    stated_trend = models.CharField(
        _("trend enligt publicerad text"), max_length=10, choices=Trend, blank=True
    )
    published_summary = models.TextField(_("sammanfattning enligt publicerad text"), blank=True)
    # Older published summaries name organisations whose work the goal does not affect
    # ("Industrihus och Förvaltningsfastigheter meddelar att deras verksamhet inte berörs").
    not_affected_organisations = models.ManyToManyField(
        "organisations.Organisation",
        blank=True,
        related_name="+",
        verbose_name=_("ej berörda organisationer enligt publicerad text"),
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = GoalFollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("måluppföljning")
        verbose_name_plural = _("måluppföljningar")
        constraints = [
            models.UniqueConstraint(fields=["goal", "period"], name="unique_goal_follow_up"),
        ]

    def __str__(self) -> str:
        return f"{self.goal} · {self.period}"


class CorrectionQuerySet(models.QuerySet["Correction"]):
    def public(self) -> CorrectionQuerySet:
        """Corrections the public may read: those of published periods (Correction.is_public)."""
        return self.filter(period__state=PeriodState.PUBLISHED)


class Correction(models.Model):
    """A visible correction of published material: what changed, why, by whom, when.

    The published original of a period is version 1; each correction raises the period's version
    by one. Shown on the public pages (see insyn.goals.selectors.corrections_for_period and the
    partial goals/partials/corrections.html).
    """

    period = models.ForeignKey(FollowUpPeriod, on_delete=models.PROTECT, related_name="corrections")
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.CASCADE, related_name="corrections"
    )
    goal = models.ForeignKey(
        Goal, null=True, blank=True, on_delete=models.CASCADE, related_name="corrections"
    )
    version = models.PositiveIntegerField(_("version"))
    note = models.TextField(_("vad som ändrades och varför"))
    # [{"field": "assessment", "label": "Bedömning", "before": "...", "after": "..."}]
    changes = models.JSONField(_("ändringar"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("rättad"), auto_now_add=True)
    history = HistoricalRecords()

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["period", "version"]
        verbose_name = _("rättelse")
        verbose_name_plural = _("rättelser")
        constraints = [
            models.UniqueConstraint(fields=["period", "version"], name="unique_correction_version"),
        ]

    def __str__(self) -> str:
        return f"{self.period} · version {self.version}"

    @property
    def is_public(self) -> bool:
        """Shown to the public only for a published period (CorrectionQuerySet.public); a
        correction is made to published periods only, so this guards the rule, not a state."""
        return self.period.is_published


class GoalFollower(models.Model):
    """An e-mail address that follows a goal (insyn.goals.following): told when a follow-up of
    the goal is published or corrected and when a dialogue linked to it publishes its feedback,
    at once or in the address's daily or weekly digest (insyn.core.notices). A resident's row
    counts only once confirmed through the link sent to the address; a signed-in staff member's
    is confirmed at once. Never shown publicly (publication.PRIVATE_MODELS)."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="followers")
    email = models.EmailField(_("e-postadress"))
    # A random value the signed confirmation and unsubscribe links carry: a link fits only
    # this row, never a later one that reuses its id.
    secret = models.CharField(max_length=32)
    # The frequency asked for when following; applied to the address when it is confirmed.
    frequency = models.CharField(max_length=10, blank=True)
    language = models.CharField(max_length=10, default="sv")  # of the notices to this row
    created_at = models.DateTimeField()
    asked_at = models.DateTimeField()  # when the confirmation link was last sent
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("följare av mål")
        verbose_name_plural = _("följare av mål")
        constraints = [
            models.UniqueConstraint(fields=["goal", "email"], name="unique_goal_follower"),
        ]

    def __str__(self) -> str:
        return f"{self.goal_id}: {self.email}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None
