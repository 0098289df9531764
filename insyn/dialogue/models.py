"""Resident dialogue run by Uppsala's dialogue guideline (seeds/001, KSN-2024-02708).

A `Dialogue` is the register entry the guideline asks for: who initiated it, which board is
responsible, who else is affected, whether it is politically decided (medborgardialog), its
purpose, its step(s) on the participation ladder (delaktighetstrappan), how the result will be
used and who decides, target groups, methods, districts, timeline with the feedback date, linked
goals and assignments, earlier dialogues consulted, and its anchoring with elected officials.

Participation tools hang off a dialogue (several per dialogue): `Survey` (konsultation),
`Discussion` (dialog), `Budget` with `Proposal`s and `Ballot`s (medborgarbudget) and `Meeting`
(meetings, focus groups, safety walks). Every contribution carries the same voluntary metadata
(district, age band, source) so that the representativeness view can compare participants with
the population, and so that offline input (paper answers, workshop notes) counts like online.

Residents are `Participant`s only where they must be (a ballot, or a survey that requires it);
otherwise they take part anonymously. Nothing personal is ever indexed or exported.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from insyn.dialogue.addresses import email_key
from insyn.goals.models import Assignment, Goal
from insyn.organisations.models import District, Organisation

# --- Vocabulary ---------------------------------------------------------------------------------


class LadderStep(models.TextChoices):
    """The five matching points of the participation ladder (none is better than another)."""

    INFORMATION = "information", _("Information – förklara/veta")
    CONSULTATION = "consultation", _("Konsultation – rådfråga/tycka till")
    DIALOGUE = "dialogue", _("Dialog – tänka tillsammans/resonera")
    INFLUENCE = "influence", _("Inflytande – utveckla tillsammans/samskapa")
    CODETERMINATION = "codetermination", _("Medbestämmande – bestämma tillsammans")


class Initiator(models.TextChoices):
    RESIDENTS = "residents", _("Invånare")
    CIVIL_SOCIETY = "civil_society", _("Civilsamhälle")
    BUSINESS = "business", _("Näringsliv")
    ELECTED = "elected", _("Förtroendevalda")
    STAFF = "staff", _("Tjänstepersoner")


class MethodKind(models.TextChoices):
    SURVEY = "survey", _("Enkät")
    DISCUSSION = "discussion", _("Diskussion")
    BUDGET = "budget", _("Förslag och medborgarbudget")
    MEETING = "meeting", _("Möte eller fokusgrupp")
    WALK = "walk", _("Trygghetsvandring")
    OTHER = "other", _("Annan metod")


class IdentityLevel(models.TextChoices):
    """What a dialogue requires where one person may act only once (a ballot)."""

    EMAIL = "email", _("Engångslänk till e-post")
    EID = "eid", _("E-legitimation (BankID/Freja via e-legitimationstjänst)")


class AgeBand(models.TextChoices):
    A0_17 = "0-17", _("0–17 år")
    A18_29 = "18-29", _("18–29 år")
    A30_44 = "30-44", _("30–44 år")
    A45_64 = "45-64", _("45–64 år")
    A65_79 = "65-79", _("65–79 år")
    A80 = "80+", _("80 år eller äldre")


class Source(models.TextChoices):
    """How a contribution reached the municipality."""

    ONLINE = "online", _("Digitalt")
    PAPER = "paper", _("Pappersformulär")
    WORKSHOP = "workshop", _("Workshop eller möte")
    OTHER = "other", _("Annat")


class DialogueState(models.TextChoices):
    DRAFT = "draft", _("Planeras")
    PUBLISHED = "published", _("Publicerad")
    CLOSED = "closed", _("Avslutad")


# --- Population per district (insyn.organisations.District) ---------------------------------------------------------------


class PopulationFigure(models.Model):
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="population")
    age_band = models.CharField(max_length=10, choices=AgeBand)
    year = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("befolkningssiffra")
        verbose_name_plural = _("befolkningssiffror")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "age_band", "year"], name="unique_population_figure"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.age_band} {self.year}: {self.count}"


# --- Participants -----------------------------------------------------------------------------


class Participant(models.Model):
    """A resident who signed in (by a one-time email link or an e-ID broker). Not a staff user."""

    email = models.EmailField(_("e-post"), blank=True)
    # insyn.dialogue.addresses.email_key(email): variants of one address (case, +tag) are one
    # participant, so one ballot (issue 12 finding 3). Kept in step with `email` by save().
    email_key = models.CharField(max_length=64, blank=True, editable=False)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    # sha256 of "issuer|sub" from the e-ID broker: never a personal identity number.
    eid_subject = models.CharField(max_length=64, blank=True)
    eid_verified_at = models.DateTimeField(null=True, blank=True)
    district = models.ForeignKey(
        District,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("område"),
    )
    age_band = models.CharField(_("åldersgrupp"), max_length=10, choices=AgeBand, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("deltagare")
        verbose_name_plural = _("deltagare")
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=~Q(email=""), name="unique_participant_email_ci"
            ),
            models.UniqueConstraint(
                fields=["eid_subject"],
                condition=~Q(eid_subject=""),
                name="unique_participant_eid_subject",
            ),
            models.UniqueConstraint(
                fields=["email_key"],
                condition=~Q(email_key=""),
                name="unique_participant_email_key",
            ),
        ]

    def __str__(self) -> str:
        return f"Deltagare {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # An invariant of the row, not a business rule: the key always matches the address.
        self.email_key = email_key(self.email) if self.email else ""
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "email" in update_fields:
            kwargs["update_fields"] = {*update_fields, "email_key"}
        super().save(*args, **kwargs)

    @property
    def level(self) -> str:
        if self.eid_verified_at:
            return IdentityLevel.EID
        if self.email_verified_at:
            return IdentityLevel.EMAIL
        return ""

    def meets(self, required: str) -> bool:
        if required == IdentityLevel.EID:
            return bool(self.eid_verified_at)
        return bool(self.eid_verified_at or self.email_verified_at)


class LoginToken(models.Model):
    """A one-time sign-in link: only the sha256 of the token is stored; single use, expiring.

    Asking for a link creates no participant (issue 12 finding 6): the address waits in
    ``email`` until the link is used, and ``recipient`` (a hash of the normalised address)
    lets the service throttle messages per recipient."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="login_tokens", null=True, blank=True
    )
    email = models.EmailField(blank=True)
    recipient = models.CharField(max_length=64, blank=True, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    next_url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Inloggningslänk {self.pk}"


# --- The register ------------------------------------------------------------------------------


PUBLIC_DIALOGUE_STATES = (DialogueState.PUBLISHED, DialogueState.CLOSED)


class DialogueQuerySet(models.QuerySet["Dialogue"]):
    def public(self) -> DialogueQuerySet:
        """Dialogues the public may see: published (open) or closed; never a draft."""
        return self.filter(state__in=PUBLIC_DIALOGUE_STATES)

    def feedback_overdue(self, today: dt.date) -> DialogueQuerySet:
        """Open dialogues whose feedback date has passed without published feedback."""
        return self.filter(
            state=DialogueState.PUBLISHED, feedback_on__lt=today, feedback_published_at__isnull=True
        )


class Dialogue(models.Model):
    title = models.CharField(_("titel"), max_length=200)
    question = models.TextField(_("dialogfråga"), blank=True)
    initiator = models.CharField(_("initiativ från"), max_length=20, choices=Initiator, blank=True)
    responsible_board = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsible_dialogues",
        verbose_name=_("ansvarig nämnd"),
    )
    affected_organisations = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="affected_dialogues",
        verbose_name=_("andra berörda verksamheter"),
    )
    politically_decided = models.BooleanField(
        _("politiskt beslutad (medborgardialog)"), default=False
    )
    purpose = models.TextField(_("syfte"), blank=True)
    ladder_steps = models.JSONField(
        _("matchningspunkter på delaktighetstrappan"), default=list, blank=True
    )
    result_use = models.TextField(_("hur resultatet ska användas"), blank=True)
    decision_maker = models.CharField(_("vem som beslutar"), max_length=200, blank=True)
    target_groups = models.TextField(_("målgrupper"), blank=True)
    methods = models.JSONField(_("metoder"), default=list, blank=True)
    districts = models.ManyToManyField(
        District, blank=True, related_name="dialogues", verbose_name=_("områden")
    )
    whole_municipality = models.BooleanField(_("gäller hela kommunen"), default=False)
    starts_on = models.DateField(_("startar"), null=True, blank=True)
    ends_on = models.DateField(_("slutar"), null=True, blank=True)
    feedback_on = models.DateField(_("datum för återkoppling"), null=True, blank=True)
    goals = models.ManyToManyField(
        Goal, blank=True, related_name="dialogues", verbose_name=_("mål")
    )
    assignments = models.ManyToManyField(
        Assignment, blank=True, related_name="dialogues", verbose_name=_("uppdrag")
    )
    earlier_dialogues = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="consulted_by",
        verbose_name=_("tidigare dialoger som tagits tillvara"),
    )
    earlier_dialogues_note = models.TextField(
        _("vad tidigare dialoger och underlag säger"), blank=True
    )
    identity_level = models.CharField(
        _("inloggning där en person bara får delta en gång"),
        max_length=10,
        choices=IdentityLevel,
        default=IdentityLevel.EMAIL,
    )
    # Anchoring with elected officials (required, whether politically decided or not).
    anchored_with = models.CharField(_("förankrad med (vem)"), max_length=200, blank=True)
    anchored_body = models.CharField(_("förankrad i (organ)"), max_length=200, blank=True)
    anchored_on = models.DateField(_("förankrad (datum)"), null=True, blank=True)
    # Feedback (återkoppling): required before closing.
    feedback_summary = models.TextField(_("resultatet i sammanfattning"), blank=True)
    feedback_usage = models.TextField(_("hur resultatet har använts"), blank=True)
    feedback_decision = models.TextField(
        _("vilket beslut resultatet har varit underlag för"), blank=True
    )
    feedback_published_at = models.DateTimeField(
        _("återkoppling publicerad"), null=True, blank=True
    )
    state = models.CharField(
        _("läge"), max_length=10, choices=DialogueState, default=DialogueState.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    demo_key = models.CharField(max_length=60, blank=True, editable=False)

    history = HistoricalRecords(m2m_fields=[affected_organisations, goals, assignments, districts])

    objects = DialogueQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("dialog")
        verbose_name_plural = _("dialoger")
        indexes = [models.Index(fields=["state", "feedback_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["demo_key"], condition=~Q(demo_key=""), name="unique_dialogue_demo_key"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("dialogue:detail", args=[self.pk])

    def get_staff_url(self) -> str:
        return reverse("dialogue_staff:detail", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.state in PUBLIC_DIALOGUE_STATES

    @property
    def is_open(self) -> bool:
        return self.state == DialogueState.PUBLISHED

    @property
    def feedback_published(self) -> bool:
        return self.feedback_published_at is not None

    @property
    def is_anchored(self) -> bool:
        return bool(self.anchored_with and self.anchored_body and self.anchored_on)

    def ladder_step_labels(self) -> list[str]:
        labels = dict(LadderStep.choices)
        return [str(labels[s]) for s in self.ladder_steps if s in labels]

    def method_labels(self) -> list[str]:
        labels = dict(MethodKind.choices)
        return [str(labels[m]) for m in self.methods if m in labels]

    @property
    def feedback_overdue(self) -> bool:
        return (
            self.state == DialogueState.PUBLISHED
            and self.feedback_on is not None
            and self.feedback_on < timezone.localdate()
            and not self.feedback_published
        )


class CoordinationComment(models.Model):
    """A comment from an affected organisation (samordning); visible to staff only."""

    dialogue = models.ForeignKey(
        Dialogue, on_delete=models.CASCADE, related_name="coordination_comments"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("kommentar"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.body[:60]


class Outreach(models.Model):
    """Uppsökande arbete: what was done to reach groups that had not been heard."""

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="outreach")
    done_on = models.DateField(_("datum"))
    district = models.ForeignKey(
        District,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("område"),
    )
    age_band = models.CharField(_("åldersgrupp"), max_length=10, choices=AgeBand, blank=True)
    description = models.TextField(_("vad som gjordes"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-done_on", "-pk"]

    def __str__(self) -> str:
        return self.description[:60]


class Subscription(models.Model):
    """Someone who wants the dialogue's feedback by email (double opt-in)."""

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="subscriptions")
    email = models.EmailField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "dialogue", Lower("email"), name="unique_dialogue_subscription_ci"
            ),
        ]

    def __str__(self) -> str:
        return f"Prenumeration {self.pk}"


class Contribution(models.Model):
    """The metadata every contribution carries, online or offline (abstract)."""

    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    district = models.ForeignKey(
        District,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("område"),
    )
    age_band = models.CharField(_("åldersgrupp"), max_length=10, choices=AgeBand, blank=True)
    source = models.CharField(_("källa"), max_length=10, choices=Source, default=Source.ONLINE)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


# --- Survey (konsultation) ----------------------------------------------------------------------


class Survey(models.Model):
    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="surveys")
    title = models.CharField(_("titel"), max_length=200)
    intro = models.TextField(_("inledning"), blank=True)
    requires_sign_in = models.BooleanField(
        _("kräver inloggning (ett svar per person)"), default=False
    )
    is_open = models.BooleanField(_("öppen för svar"), default=True)
    closes_at = models.DateTimeField(_("stänger"), null=True, blank=True)
    summary = models.TextField(_("sammanfattning av resultatet"), blank=True)
    summary_published_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def accepting(self) -> bool:
        return (
            self.is_open
            and self.dialogue.is_open
            and (self.closes_at is None or self.closes_at > timezone.now())
        )


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Ett val")
    MULTIPLE = "multiple", _("Flera val")
    SCALE = "scale", _("Skala")
    RANKING = "ranking", _("Rangordning")
    TEXT = "text", _("Fritext")


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("typ"), max_length=10, choices=QuestionKind)
    text = models.CharField(_("fråga"), max_length=500)
    help_text = models.CharField(_("hjälptext"), max_length=500, blank=True)
    required = models.BooleanField(_("obligatorisk"), default=False)
    scale_min = models.SmallIntegerField(default=1)
    scale_max = models.SmallIntegerField(default=5)
    scale_min_label = models.CharField(max_length=60, blank=True)
    scale_max_label = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["survey", "order", "pk"]

    def __str__(self) -> str:
        return self.text


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("svarsalternativ"), max_length=300)

    class Meta:
        ordering = ["question", "order", "pk"]

    def __str__(self) -> str:
        return self.text


class SurveyResponse(Contribution):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "participant"],
                condition=Q(participant__isnull=False),
                name="unique_survey_response_per_participant",
            ),
        ]

    def __str__(self) -> str:
        return f"Svar {self.pk}"


class Answer(models.Model):
    """One answer part: a chosen option (single/multiple), a rank, a scale value or text."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    option = models.ForeignKey(
        Option, null=True, blank=True, on_delete=models.CASCADE, related_name="answers"
    )
    value = models.SmallIntegerField(null=True, blank=True)  # scale value, or rank (1 = first)
    text = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Svarsdel {self.pk}"


# --- Discussion (dialog) ----------------------------------------------------------------------


class Discussion(models.Model):
    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="discussions")
    title = models.CharField(_("titel"), max_length=200)
    intro = models.TextField(_("inledning"), blank=True)
    rules = models.TextField(
        _("regler för samtalet"),
        default=(
            "Var saklig och visa respekt för andra. Inlägg med personangrepp, hot, "
            "diskriminering, reklam eller personuppgifter om andra döljs. "
            "Skriv inte känsliga uppgifter om dig själv."
        ),
    )
    premoderation = models.BooleanField(_("granska inlägg innan de visas"), default=False)
    is_open = models.BooleanField(_("öppen för inlägg"), default=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def accepting(self) -> bool:
        return self.is_open and self.dialogue.is_open


class PostState(models.TextChoices):
    PENDING = "pending", _("Väntar på granskning")
    VISIBLE = "visible", _("Synlig")
    HIDDEN = "hidden", _("Dold")


class PostQuerySet(models.QuerySet["Post"]):
    def in_thread(self) -> PostQuerySet:
        """Posts that have a place in the public thread: visible ones, and hidden ones (shown
        as "hidden by the moderator" so replies keep their context); never a pending one."""
        return self.filter(state__in=[PostState.VISIBLE, PostState.HIDDEN])

    def visible(self) -> PostQuerySet:
        """Posts whose text the public may read (and answer)."""
        return self.filter(state=PostState.VISIBLE)

    def to_moderate(self) -> PostQuerySet:
        """Posts waiting for a moderator: held for premoderation, or reported by someone."""
        return self.filter(models.Q(state=PostState.PENDING) | models.Q(report_count__gt=0))


class Post(Contribution):
    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="posts")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author_name = models.CharField(_("namn eller signatur (frivilligt)"), max_length=80, blank=True)
    body = models.TextField(_("inlägg"))
    state = models.CharField(max_length=10, choices=PostState, default=PostState.VISIBLE)
    hidden_reason = models.CharField(_("skäl"), max_length=300, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    report_count = models.PositiveIntegerField(default=0)
    history = HistoricalRecords(excluded_fields=["report_count"])

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["discussion", "state"])]

    def __str__(self) -> str:
        return self.body[:60]


class PostReport(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(_("varför ska inlägget granskas?"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.reason[:60]


# --- Proposals and participatory budget (medborgarbudget) ------------------------------------


class BudgetPhase(models.TextChoices):
    PROPOSALS = "proposals", _("Förslag tas emot")
    ASSESSMENT = "assessment", _("Förslagen bedöms")
    VOTING = "voting", _("Omröstning pågår")
    CLOSED = "closed", _("Omröstningen är stängd")
    RESULTS = "results", _("Resultatet är publicerat")


class VotingRule(models.TextChoices):
    """The ballot: what a voter does."""

    WITHIN_BUDGET = "budget", _("Välj förslag inom budgeten")
    CHOOSE_N = "choose_n", _("Välj högst ett visst antal förslag")
    RANKING = "ranking", _("Rangordna högst ett visst antal förslag")
    POINTS = "points", _("Fördela poäng mellan förslagen")


class CountingRule(models.TextChoices):
    """How the ballots become winners (insyn.dialogue.counting, with pabutools)."""

    GREEDY = "greedy", _("Flest röster först")
    MES = "mes", _("Lika andelar (Method of Equal Shares)")


class DeliveryStage(models.TextChoices):
    PLANNED = "planned", _("Planeras")
    PROCURED = "procured", _("Upphandlat")
    BUILDING = "building", _("Byggs")
    DONE = "done", _("Klart")


class Budget(models.Model):
    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="budgets")
    title = models.CharField(_("titel"), max_length=200)
    intro = models.TextField(_("inledning"), blank=True)
    amount = models.PositiveBigIntegerField(_("budget (kronor)"))
    rule = models.CharField(
        _("röstningsregel"),
        max_length=10,
        choices=VotingRule,
        default=VotingRule.WITHIN_BUDGET,
    )
    max_choices = models.PositiveSmallIntegerField(
        _("antal förslag att välja eller rangordna, eller poäng att fördela"),
        null=True,
        blank=True,
    )
    counting = models.CharField(
        _("hur rösterna räknas"),
        max_length=10,
        choices=CountingRule,
        default=CountingRule.GREEDY,
    )
    # The counted result with its explanation (winners under the rule and under "most votes
    # first", each voter's share, what each funded project's supporters paid), stored when
    # voting closes: see insyn.dialogue.counting.Outcome.
    results = models.JSONField(default=dict, blank=True, editable=False)
    phase = models.CharField(
        _("fas"), max_length=12, choices=BudgetPhase, default=BudgetPhase.PROPOSALS
    )
    voting_closes_at = models.DateTimeField(_("omröstningen stänger"), null=True, blank=True)
    # Residents' proposals wait for a moderator before anyone else sees them (issue 12 finding
    # 7); without premoderation they show at once and can be reported, like discussion posts.
    premoderation = models.BooleanField(_("granska förslag innan de visas"), default=True)
    results_published_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def voting_open(self) -> bool:
        return (
            self.phase == BudgetPhase.VOTING
            and self.dialogue.is_open
            and (self.voting_closes_at is None or self.voting_closes_at > timezone.now())
        )

    @property
    def accepting_proposals(self) -> bool:
        return self.phase == BudgetPhase.PROPOSALS and self.dialogue.is_open


class ProposalState(models.TextChoices):
    SUBMITTED = "submitted", _("Inskickat, bedöms")
    FEASIBLE = "feasible", _("Genomförbart – går till omröstning")
    NOT_FEASIBLE = "not_feasible", _("Inte genomförbart")


# A proposal is moderated like a discussion post: waiting, shown, or hidden with a reason.
ProposalModeration = PostState


class ProposalQuerySet(models.QuerySet["Proposal"]):
    def public(self) -> ProposalQuerySet:
        """What anyone may see of the proposals: those a moderator let through (or that
        needed no moderation). The one rule for every public page, the API and search."""
        return self.filter(moderation=ProposalModeration.VISIBLE)

    def assessed(self) -> ProposalQuerySet:
        """Proposals the municipality has assessed: public with its answer."""
        return self.filter(state__in=[ProposalState.FEASIBLE, ProposalState.NOT_FEASIBLE])

    def on_ballot(self) -> ProposalQuerySet:
        """Proposals residents vote on: the feasible ones (Proposal.is_feasible)."""
        return self.filter(state=ProposalState.FEASIBLE)

    def to_moderate(self) -> ProposalQuerySet:
        """Proposals waiting for a moderator: not yet let through, or shown and reported."""
        return self.filter(
            models.Q(moderation=ProposalModeration.PENDING)
            | models.Q(moderation=ProposalModeration.VISIBLE, report_count__gt=0)
        )

    def to_assess(self) -> ProposalQuerySet:
        """Submitted proposals waiting for the officers' assessment (none a moderator hid)."""
        return self.filter(state=ProposalState.SUBMITTED).exclude(
            moderation=ProposalModeration.HIDDEN
        )


class Proposal(Contribution):
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="proposals")
    title = models.CharField(_("rubrik"), max_length=200)
    description = models.TextField(_("beskrivning"))
    place = models.CharField(_("plats"), max_length=200, blank=True)
    state = models.CharField(max_length=15, choices=ProposalState, default=ProposalState.SUBMITTED)
    cost = models.PositiveBigIntegerField(_("beräknad kostnad (kronor)"), null=True, blank=True)
    answer = models.TextField(_("kommunens svar"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assessed_at = models.DateTimeField(null=True, blank=True)
    votes = models.PositiveIntegerField(_("röster"), default=0)
    is_winner = models.BooleanField(_("vinnande förslag"), default=False)
    delivery_stage = models.CharField(
        _("genomförande"), max_length=10, choices=DeliveryStage, blank=True
    )
    responsible_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="budget_projects",
        verbose_name=_("ansvarig organisation"),
    )
    assignments = models.ManyToManyField(
        Assignment,
        blank=True,
        related_name="proposals",
        verbose_name=_("uppdrag som genomför förslaget"),
    )
    moderation = models.CharField(
        _("moderering"),
        max_length=10,
        choices=ProposalModeration.choices,
        default=ProposalModeration.VISIBLE,
    )
    hidden_reason = models.CharField(_("skäl"), max_length=300, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    report_count = models.PositiveIntegerField(default=0)
    history = HistoricalRecords(m2m_fields=[assignments], excluded_fields=["votes", "report_count"])

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["budget", "moderation"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.moderation == ProposalModeration.VISIBLE

    @property
    def is_feasible(self) -> bool:
        """Assessed as feasible: it goes to the vote (ProposalQuerySet.on_ballot)."""
        return self.state == ProposalState.FEASIBLE


class ProposalReport(models.Model):
    """Someone reported a public proposal as abusive; a moderator decides."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(_("varför ska förslaget granskas?"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.reason[:60]


class Ballot(models.Model):
    """One ballot per participant and budget — the database guarantees it."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="ballots")
    participant = models.ForeignKey(
        Participant, null=True, on_delete=models.SET_NULL, related_name="ballots"
    )
    proposals = models.ManyToManyField(Proposal, through="BallotChoice", related_name="+")
    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    age_band = models.CharField(max_length=10, choices=AgeBand, blank=True)
    version = models.PositiveIntegerField(default=0)  # successful casts; proves no lost update
    keep_informed = models.BooleanField(default=False)  # notices as winning projects progress
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "participant"], name="one_ballot_per_participant"
            ),
        ]

    def __str__(self) -> str:
        return f"Röstsedel {self.pk}"


class BallotChoice(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="choices")
    value = models.PositiveSmallIntegerField(default=1)  # 1; points given; or rank (1 = first)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ballot", "proposal"], name="unique_ballot_choice"),
        ]

    def __str__(self) -> str:
        return f"{self.ballot_id}:{self.proposal_id}"


def _delivery_photo_path(instance: DeliveryUpdate, filename: str) -> str:
    return f"dialogue/delivery/{uuid.uuid4().hex}.jpg"


class DeliveryUpdate(models.Model):
    """A winning project's progress, shown on the budget page and in the open data.

    An update may carry one photo: re-encoded without metadata (insyn.core.images) before it is
    stored, described by the officer's alt text, served by `dialogue:delivery_photo` under an
    unguessable uuid once the budget's results are public."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="deliveries")
    stage = models.CharField(_("skede"), max_length=10, choices=DeliveryStage)
    on = models.DateField(_("datum"))
    note = models.TextField(_("vad som har hänt"), blank=True)
    photo = models.FileField(_("bild"), upload_to=_delivery_photo_path, max_length=200, blank=True)
    photo_alt = models.CharField(_("bildbeskrivning"), max_length=300, blank=True)
    photo_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    photo_width = models.PositiveIntegerField(default=0)
    photo_height = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["proposal", "on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(photo="") | ~Q(photo_alt=""), name="delivery_photo_has_alt_text"
            ),
        ]
        verbose_name = _("genomförande")
        verbose_name_plural = _("genomförande")

    def __str__(self) -> str:
        return f"{self.proposal}: {self.get_stage_display()} {self.on}"

    @property
    def photo_url(self) -> str:
        """Where the public sees the photo (a path; "" without one)."""
        if not self.photo or self.photo_uuid is None:
            return ""
        return reverse("dialogue:delivery_photo", args=[self.photo_uuid])


# --- Meetings, focus groups and offline input ------------------------------------------------


class MeetingKind(models.TextChoices):
    MEETING = "meeting", _("Öppet möte")
    FOCUS_GROUP = "focus_group", _("Fokusgrupp")
    WALK = "walk", _("Trygghetsvandring")
    WORKSHOP = "workshop", _("Workshop")


class Meeting(models.Model):
    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(
        _("typ"), max_length=12, choices=MeetingKind, default=MeetingKind.MEETING
    )
    title = models.CharField(_("titel"), max_length=200)
    starts_at = models.DateTimeField(_("börjar"))
    ends_at = models.DateTimeField(_("slutar"), null=True, blank=True)
    place = models.CharField(_("plats"), max_length=300)
    accessibility = models.TextField(_("tillgänglighet"), blank=True)
    capacity = models.PositiveIntegerField(_("antal platser"), null=True, blank=True)
    registration_open = models.BooleanField(_("anmälan öppen"), default=True)
    notes = models.TextField(_("minnesanteckningar"), blank=True)
    notes_published = models.BooleanField(_("anteckningarna är publicerade"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return self.title


class Registration(Contribution):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="registrations")
    name = models.CharField(_("namn"), max_length=120)
    email = models.EmailField(_("e-post"))
    needs = models.TextField(_("behov av anpassning (frivilligt)"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "meeting", Lower("email"), name="unique_meeting_registration_ci"
            ),
        ]

    def __str__(self) -> str:
        return f"Anmälan {self.pk}"


class OfflineInput(Contribution):
    """Input entered by staff: a paper answer, a workshop note, a comment at a meeting."""

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="offline_inputs")
    meeting = models.ForeignKey(
        Meeting,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="offline_inputs",
        verbose_name=_("möte"),
    )
    body = models.TextField(_("synpunkt eller anteckning"))
    people = models.PositiveSmallIntegerField(_("antal personer bakom"), default=1)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.body[:60]
