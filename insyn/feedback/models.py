"""Feedback and fault reports (synpunkter och felanmälan) handled by one contact centre.

A resident (or the contact centre on their behalf, or another system through Open311) files a
Case of some Kind in a Category. Routing is data: a RoutingRule maps category × Area to the
responsible Organisation, and may say that the matter belongs to someone else (forwarded, with a
notice to the resident). Every change is a CaseEvent (the event log shown on the case) and, for
Case itself, a django-simple-history record. Public events are what residents, followers and
Open311 clients see; internal notes never leave the staff pages.

Personal data lives only in: Case.contact_* / description / address_text / device_id /
account_id, CaseFollower.email, AreaAlert.email, the original photos and internal notes. Those are what
`insyn anonymise-old-cases` clears; public pages and Open311 read only the staff-moderated
public_* fields.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from insyn.goals.models import Assignment, Goal
from insyn.organisations.models import District, Organisation


class Kind(models.TextChoices):
    FEEDBACK = "synpunkt", _("Synpunkt")
    IDEA = "ide", _("Idé")
    PRAISE = "berom", _("Beröm")
    COMPLAINT = "klagomal", _("Klagomål")
    FAULT = "felanmalan", _("Felanmälan")


class CaseStatus(models.TextChoices):
    RECEIVED = "received", _("Mottaget")
    IN_PROGRESS = "in_progress", _("Under handläggning")
    FORWARDED = "forwarded", _("Vidarebefordrat")
    RESOLVED = "resolved", _("Åtgärdat")
    CLOSED = "closed", _("Avslutat utan åtgärd")
    REOPENED = "reopened", _("Återöppnat")


# A shape for every status, shown with its name (never colour alone).
STATUS_ICONS = {
    "received": "○",
    "in_progress": "◐",
    "forwarded": "➜",
    "resolved": "✔",
    "closed": "✕",
    "reopened": "↺",
}

# Statuses the municipality still has to act on (these can be overdue).
ACTIVE_STATUSES = (CaseStatus.RECEIVED, CaseStatus.IN_PROGRESS, CaseStatus.REOPENED)
# Open311 "open": reported and not yet resolved (a forwarded case is still open for the resident).
OPEN_STATUSES = (*ACTIVE_STATUSES, CaseStatus.FORWARDED)
CLOSED_STATUSES = (CaseStatus.RESOLVED, CaseStatus.CLOSED)


class Source(models.TextChoices):
    WEB = "web", _("Webbformulär")
    PHONE = "phone", _("Telefon")
    DESK = "desk", _("Besök i kontaktcenter")
    EMAIL = "email", _("E-post")
    LETTER = "letter", _("Brev")
    OPEN311 = "open311", _("Open311")


class PublicState(models.TextChoices):
    PENDING = "pending", _("Ej granskad")
    PUBLISHED = "published", _("Publicerad")
    HIDDEN = "hidden", _("Visas inte publikt")


class CategoryQuerySet(models.QuerySet["Category"]):
    def active(self) -> CategoryQuerySet:
        """Categories a resident (or an Open311 client, or staff re-categorising) may choose."""
        return self.filter(active=True)

    def for_fault_reports(self) -> CategoryQuerySet:
        """Active categories that take fault reports: the fault form and Open311's services."""
        return self.active().filter(fault_reports=True)

    def for_feedback(self) -> CategoryQuerySet:
        """Active categories that take feedback (synpunkter)."""
        return self.active().filter(feedback=True)


class Category(models.Model):
    """A kind of matter residents write about; an Open311 service when it takes fault reports."""

    code = models.SlugField(_("kod (Open311 service_code)"), max_length=40, unique=True)
    name = models.CharField(_("namn"), max_length=200)
    description = models.TextField(_("beskrivning"), blank=True)
    group = models.CharField(_("grupp"), max_length=100, blank=True)
    keywords = models.CharField(
        _("sökord"), max_length=300, blank=True, help_text=_("Kommaseparerade synonymer.")
    )
    fault_reports = models.BooleanField(_("tar emot felanmälningar"), default=True)
    feedback = models.BooleanField(_("tar emot synpunkter"), default=False)
    target_days = models.PositiveSmallIntegerField(
        _("måltid i dagar"),
        default=14,
        help_text=_("Hur snart ärendet ska vara åtgärdat eller besvarat."),
    )
    service_notice = models.TextField(
        _("besked till invånaren"),
        blank=True,
        help_text=_("Vad som händer härnäst; visas i kvittot och som Open311 service_notice."),
    )
    active = models.BooleanField(_("aktiv"), default=True)
    order = models.PositiveSmallIntegerField(_("ordning"), default=0)
    history = HistoricalRecords()

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("kategori")
        verbose_name_plural = _("kategorier")

    def __str__(self) -> str:
        return self.name


class Datatype(models.TextChoices):
    """Open311 attribute datatypes."""

    STRING = "string", _("Kort text")
    NUMBER = "number", _("Tal")
    DATETIME = "datetime", _("Datum och tid")
    TEXT = "text", _("Lång text")
    SINGLE = "singlevaluelist", _("Ett val i lista")
    MULTI = "multivaluelist", _("Flera val i lista")


class CategoryQuestion(models.Model):
    """An extra question for one category; also its Open311 service definition attribute."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(_("kod"), max_length=40)
    description = models.CharField(_("fråga"), max_length=300)
    datatype = models.CharField(
        _("datatyp"), max_length=20, choices=Datatype, default=Datatype.STRING
    )
    datatype_description = models.CharField(_("hjälptext"), max_length=300, blank=True)
    required = models.BooleanField(_("obligatorisk"), default=False)
    variable = models.BooleanField(
        _("kräver svar"), default=True, help_text=_("Av: ren information som visas, inget svar.")
    )
    order = models.PositiveSmallIntegerField(_("ordning"), default=1)
    values = models.JSONField(
        _("svarsalternativ"),
        default=list,
        blank=True,
        help_text=_('Lista av {"key": "...", "name": "..."} för listtyperna.'),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["category", "order"]
        verbose_name = _("tilläggsfråga")
        verbose_name_plural = _("tilläggsfrågor")
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="unique_question_code"),
            models.UniqueConstraint(fields=["category", "order"], name="unique_question_order"),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [
            (str(v.get("key", "")), str(v.get("name", v.get("key", ""))))
            for v in self.values or []
            if isinstance(v, dict)
        ]


class RoutingRule(models.Model):
    """Category × area → responsible organisation. Area empty = the rest of the municipality."""

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="routing_rules", verbose_name=_("kategori")
    )
    area = models.ForeignKey(
        District,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
        verbose_name=_("område"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="feedback_routes",
        verbose_name=_("ansvarig organisation"),
    )
    forward = models.BooleanField(
        _("vidarebefordra"),
        default=False,
        help_text=_(
            "Frågan ägs av någon annan (t.ex. Trafikverket): ärendet skickas vidare "
            "och invånaren får ett besked."
        ),
    )
    notice = models.TextField(_("besked vid vidarebefordran"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["category", "area"]
        verbose_name = _("fördelningsregel")
        verbose_name_plural = _("fördelningsregler")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "area"],
                condition=Q(area__isnull=False),
                name="unique_route_per_area",
            ),
            models.UniqueConstraint(
                fields=["category"], condition=Q(area__isnull=True), name="unique_default_route"
            ),
        ]

    def __str__(self) -> str:
        where = self.area.name if self.area_id else _("hela kommunen")
        return f"{self.category} · {where} → {self.organisation}"


class AnswerTemplate(models.Model):
    """A ready public answer; `{nummer}` and `{kategori}` are filled in."""

    title = models.CharField(_("rubrik"), max_length=200)
    body = models.TextField(_("text"))
    status = models.CharField(_("sätter status"), max_length=20, choices=CaseStatus, blank=True)
    active = models.BooleanField(_("aktiv"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        verbose_name = _("svarsmall")
        verbose_name_plural = _("svarsmallar")

    def __str__(self) -> str:
        return self.title


class Theme(models.Model):
    """A theme of many cases (e.g. "Belysning i Gottsunda"), linkable to a goal or assignment."""

    title = models.CharField(_("rubrik"), max_length=200, unique=True)
    description = models.TextField(_("beskrivning"), blank=True)
    goal = models.ForeignKey(
        Goal,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback_themes",
        verbose_name=_("mål"),
    )
    assignment = models.ForeignKey(
        Assignment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback_themes",
        verbose_name=_("uppdrag"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        verbose_name = _("tema")
        verbose_name_plural = _("teman")

    def __str__(self) -> str:
        return self.title


class DialogueLink(models.Model):
    """A dialogue linked to a theme of cases: a Theme (a tag on cases) or a whole Category.

    Shown on goal and assignment pages ("Ni sa — vi gjorde") and on both staff pages. The
    dialogue is named by its model label, not imported: feedback and dialogue are side by side
    in the layers (docs/architecture.md) and neither imports the other."""

    dialogue = models.ForeignKey(
        "dialogue.Dialogue",
        on_delete=models.CASCADE,
        related_name="case_links",
        verbose_name=_("dialog"),
    )
    theme = models.ForeignKey(
        Theme,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="dialogue_links",
        verbose_name=_("tema"),
    )
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="dialogue_links",
        verbose_name=_("kategori"),
    )
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("koppling mellan dialog och ärenden")
        verbose_name_plural = _("kopplingar mellan dialoger och ärenden")
        constraints = [
            models.CheckConstraint(
                condition=Q(theme__isnull=False, category__isnull=True)
                | Q(theme__isnull=True, category__isnull=False),
                name="dialogue_link_theme_or_category",
            ),
            models.UniqueConstraint(
                fields=["dialogue", "theme"],
                condition=Q(theme__isnull=False),
                name="unique_dialogue_theme_link",
            ),
            models.UniqueConstraint(
                fields=["dialogue", "category"],
                condition=Q(category__isnull=False),
                name="unique_dialogue_category_link",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dialogue_id} ↔ {self.theme or self.category}"

    @property
    def subject(self) -> Theme | Category | None:
        return self.theme or self.category


class Open311ApiKey(models.Model):
    """A key for POSTs to the Open311 API. Only a hash is stored; the key is shown once."""

    name = models.CharField(_("namn"), max_length=200)
    prefix = models.CharField(_("början av nyckeln"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="open311_keys",
        verbose_name=_("organisation"),
        help_text=_(
            "Om nyckeln tillhör en ansvarig organisations system: dess statusuppdateringar "
            "blir offentliga svar på ärenden som fördelats dit."
        ),
    )
    active = models.BooleanField(_("aktiv"), default=True)
    rate_per_minute = models.PositiveIntegerField(_("anrop per minut"), default=60)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("Open311-nyckel")
        verbose_name_plural = _("Open311-nycklar")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class CaseNumberCounter(models.Model):
    """Per-year sequence for case numbers; incremented with a row-locking UPDATE."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


# The one rule for what of the case register the public sees (issue 12 finding 1): a fault report
# that moderation has published and that is not merged into another. Every public path — list,
# map, report page, follow, nearby reports, the tracking page of someone who merely follows,
# Open311 GET, feeds, search — goes through CaseQuerySet.published() or Case.is_public.
PUBLISHED_CASES = Q(public_state=PublicState.PUBLISHED, kind=Kind.FAULT, merged_into__isnull=True)
LOCATED = Q(lat__isnull=False, long__isnull=False)


class CaseQuerySet(models.QuerySet):
    def published(self) -> CaseQuerySet:
        return self.filter(PUBLISHED_CASES)

    def to_moderate(self) -> CaseQuerySet:
        """Fault reports waiting for a moderator to publish them or keep them from the public."""
        return self.filter(
            public_state=PublicState.PENDING, kind=Kind.FAULT, merged_into__isnull=True
        )


class Case(models.Model):
    number = models.CharField(_("ärendenummer"), max_length=30, unique=True)
    kind = models.CharField(_("typ"), max_length=20, choices=Kind)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="cases", verbose_name=_("kategori")
    )
    description = models.TextField(_("beskrivning"))
    address_text = models.CharField(_("adress eller platsbeskrivning"), max_length=300, blank=True)
    lat = models.FloatField(_("latitud"), null=True, blank=True)
    long = models.FloatField(_("longitud"), null=True, blank=True)
    area = models.ForeignKey(
        District,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        verbose_name=_("område"),
    )
    attributes = models.JSONField(_("svar på tilläggsfrågor"), default=dict, blank=True)

    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback_cases",
        verbose_name=_("ansvarig organisation"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus, default=CaseStatus.RECEIVED
    )
    notice = models.TextField(_("besked till invånaren"), blank=True)
    source = models.CharField(_("kanal"), max_length=20, choices=Source, default=Source.WEB)

    created_at = models.DateTimeField(_("inkommet"), default=timezone.now)
    updated_at = models.DateTimeField(_("senast ändrat"), default=timezone.now)
    due_at = models.DateTimeField(_("ska vara klart"), null=True, blank=True)
    first_answered_at = models.DateTimeField(_("första svar"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("åtgärdat"), null=True, blank=True)
    closed_at = models.DateTimeField(_("avslutat"), null=True, blank=True)

    # Personal data (cleared by anonymise-old-cases).
    contact_name = models.CharField(_("namn"), max_length=200, blank=True)
    contact_email = models.EmailField(_("e-post"), blank=True)
    contact_phone = models.CharField(_("telefon"), max_length=40, blank=True)
    device_id = models.CharField(max_length=100, blank=True)
    account_id = models.CharField(max_length=100, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    # Public view: staff-moderated text; only fault reports may be published.
    public_state = models.CharField(
        _("publicering"), max_length=20, choices=PublicState, default=PublicState.PENDING
    )
    public_description = models.TextField(_("publik beskrivning"), blank=True)
    public_address = models.CharField(_("publik platsbeskrivning"), max_length=300, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)

    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
        verbose_name=_("sammanslaget med"),
    )
    goal = models.ForeignKey(
        Goal,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback_cases",
        verbose_name=_("mål"),
    )
    assignment = models.ForeignKey(
        Assignment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback_cases",
        verbose_name=_("uppdrag"),
    )
    theme = models.ForeignKey(
        Theme,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        verbose_name=_("tema"),
    )

    resident_says_fixed = models.BooleanField(
        _("invånaren anser att det är åtgärdat"), null=True, blank=True
    )
    resident_answered_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    api_key = models.ForeignKey(
        Open311ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    external_media_url = models.URLField(_("extern bildlänk"), max_length=500, blank=True)
    open311_token = models.CharField(max_length=40, blank=True, db_index=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("ärende")
        verbose_name_plural = _("ärenden")
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="fb_case_created"),
            models.Index(fields=["status", "-created_at"], name="fb_case_status"),
            models.Index(fields=["organisation", "status", "-created_at"], name="fb_case_org"),
            models.Index(fields=["category", "status", "-created_at"], name="fb_case_cat"),
            models.Index(fields=["status", "due_at"], name="fb_case_due"),
            models.Index(
                fields=["public_state", "kind", "status", "-created_at"], name="fb_case_public"
            ),
            models.Index(fields=["closed_at"], name="fb_case_closed"),
            # Issue 13 (plans in docs/benchmarks.md, section open311): what the hot reads of a
            # million cases need, each read from the index alone where it can be.
            # Open311 GET requests and the public list: the published reports, newest first.
            models.Index(
                fields=["-created_at", "-id"], condition=PUBLISHED_CASES, name="fb_case_published"
            ),
            # The public map's viewport (and nearby reports): a lat range, the rest in the index.
            models.Index(
                fields=["lat", "long", "category", "status"],
                condition=PUBLISHED_CASES & LOCATED,
                name="fb_case_public_geo",
            ),
            # The staff inbox's map: every located case in the viewport.
            models.Index(
                fields=["lat", "long", "category", "status", "organisation"],
                condition=LOCATED,
                name="fb_case_located",
            ),
            # The inbox's map filtered by status ("open cases"): only those statuses' index
            # entries in the viewport, not every located case (150,000 of 600,000 read).
            models.Index(
                fields=["status", "lat", "long", "category", "organisation"],
                condition=LOCATED,
                name="fb_case_located_status",
            ),
            # Case statistics: a period of created_at with every column they count.
            models.Index(
                fields=[
                    "created_at",
                    "kind",
                    "category",
                    "organisation",
                    "due_at",
                    "first_answered_at",
                    "resolved_at",
                    "resident_says_fixed",
                ],
                condition=Q(merged_into__isnull=True),
                name="fb_case_statistics",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("feedback_staff:case", args=[self.number])

    def get_public_url(self) -> str:
        return reverse("feedback:report", args=[self.number])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def status_icon(self) -> str:
        return STATUS_ICONS.get(self.status, "")

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in ACTIVE_STATUSES
            and self.due_at is not None
            and self.due_at < timezone.now()
        )

    @property
    def is_published(self) -> bool:
        return self.public_state == PublicState.PUBLISHED and self.kind == Kind.FAULT

    @property
    def is_public(self) -> bool:
        """The object form of PUBLISHED_CASES (tests/feedback/test_visibility.py keeps the two
        in step)."""
        return self.is_published and self.merged_into_id is None

    @property
    def has_location(self) -> bool:
        return self.lat is not None and self.long is not None


# The inbox map's stored grid (CaseMapCell): a located case's cell is floor(lat / MAP_CELL_LAT),
# floor(long / MAP_CELL_LONG), a web map's 64-pixel square at zoom 11 near 60° N (0.044° of
# longitude, 0.022° of latitude: about 2.4 km). Both are exact binary fractions, so a cell 2^k
# times larger is floor(cell / 2^k) (cell >> k) exactly, and the map's clusters read from the
# grid are the ones counted from the cases. The migration that fills the grid and the database
# triggers that keep it hold these two numbers too: change them only with a new migration.
MAP_CELL_LONG = 360 / 2**13
MAP_CELL_LAT = 360 / 2**14
MAP_SUM_UNIT = 1e-7


class CaseMapCell(models.Model):
    """How many located cases lie in one cell of the inbox map's grid, per status, category,
    organisation and kind, with the sums of their latitudes and longitudes (a cluster is drawn
    at its cases' mean point). Kept by database triggers on the case table (migration
    feedback 0009), in the same transaction as the change, for every way a case is written:
    services, bulk inserts, updates by queryset, deletions. Read by
    `selectors.inbox_map_points`: the whole municipality's clusters from a few thousand rows
    instead of hundreds of thousands of cases. No foreign keys (0 = none): a row outlives
    nothing, and a cell emptied by a change keeps its row with n = 0."""

    cell_lat = models.IntegerField()
    cell_long = models.IntegerField()
    status = models.CharField(max_length=20)
    category_id = models.IntegerField()
    organisation_id = models.IntegerField()  # 0: not assigned
    kind = models.CharField(max_length=20)
    n = models.IntegerField(default=0)
    # Sums in units of MAP_SUM_UNIT degrees (about a centimetre), as integers: adding and taking
    # away cases gives the same sums in any order, so the grid equals its rebuild exactly.
    lat_sum = models.BigIntegerField(default=0)
    long_sum = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "cell_lat",
                    "cell_long",
                    "status",
                    "category_id",
                    "organisation_id",
                    "kind",
                ],
                name="fb_case_map_cell_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.cell_lat}/{self.cell_long} {self.status}: {self.n}"


class CaseFollower(models.Model):
    """Someone who follows a case through a private tracking link (the reporter is one)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="followers")
    reported_case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField(blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    notify = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("bevakare")
        verbose_name_plural = _("bevakare")

    def __str__(self) -> str:
        return f"{self.case} · {'rapportör' if self.reported_case_id else 'följer'}"

    @property
    def is_reporter(self) -> bool:
        return self.reported_case_id is not None

    @property
    def may_see_case(self) -> bool:
        """The reporter (also of a duplicate merged into the case) sees the case's answers from
        the start; someone who merely follows only once moderation has published it."""
        return self.is_reporter or self.case.is_public


class AreaAlert(models.Model):
    """A resident's e-mail alert for new public fault reports in a district or within a radius
    of a point (FixMyStreet's local alerts). Only the address is kept: no name, no history; an
    unsubscribe deletes the row, and one never confirmed is deleted after a week
    (insyn anonymise-old-cases). insyn.feedback.alerts sends and confirms them."""

    email = models.EmailField(_("e-post"))
    district = models.ForeignKey(
        District,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("område"),
    )
    lat = models.FloatField(_("latitud"), null=True, blank=True)
    long = models.FloatField(_("longitud"), null=True, blank=True)
    radius = models.PositiveIntegerField(_("radie (meter)"), null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("områdesbevakning")
        verbose_name_plural = _("områdesbevakningar")
        indexes = [
            models.Index(fields=["confirmed_at", "lat", "long"], name="fb_alert_point"),
            models.Index(fields=["district", "confirmed_at"], name="fb_alert_district"),
            models.Index(fields=["email"], name="fb_alert_email"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(district__isnull=False, lat__isnull=True, long__isnull=True)
                    | Q(
                        district__isnull=True,
                        lat__isnull=False,
                        long__isnull=False,
                        radius__isnull=False,
                    )
                ),
                name="fb_alert_district_or_point",
            )
        ]

    def __str__(self) -> str:
        return f"bevakning {self.pk}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


def _photo_path(instance: CasePhoto, filename: str) -> str:
    return f"feedback/photos/{uuid.uuid4().hex}.jpg"


class CasePhoto(models.Model):
    """A photo, re-encoded without any metadata; public_image is the (maybe blurred) copy shown."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to=_photo_path, max_length=200, blank=True)
    public_image = models.FileField(upload_to=_photo_path, max_length=200, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    blurred = models.BooleanField(_("suddad"), default=False)
    hidden = models.BooleanField(_("visas inte publikt"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["case", "created_at", "pk"]
        verbose_name = _("bild")
        verbose_name_plural = _("bilder")

    def __str__(self) -> str:
        return f"{self.case} · bild {self.pk}"


class EventKind(models.TextChoices):
    CREATED = "created", _("Registrerat")
    STATUS = "status", _("Ny status")
    ANSWER = "answer", _("Svar")
    NOTE = "note", _("Intern anteckning")
    ASSIGNED = "assigned", _("Fördelat")
    TRIAGED = "triaged", _("Sorterat")
    FORWARDED = "forwarded", _("Vidarebefordrat")
    MERGED = "merged", _("Sammanslaget")
    REOPENED = "reopened", _("Återöppnat av invånare")
    FOLLOWED = "followed", _("Ny bevakare")
    FIXED_ANSWER = "fixed_answer", _("Invånarens svar: åtgärdat?")
    MODERATED = "moderated", _("Publicering")
    PHOTO = "photo", _("Bild")
    LINKED = "linked", _("Koppling till mål/uppdrag")
    EXTERNAL = "external", _("Uppdatering via Open311")
    ANONYMISED = "anonymised", _("Anonymiserat")


class CaseEvent(models.Model):
    """One entry in a case's event log; public ones are the updates residents and APIs see."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind)
    is_public = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=CaseStatus, blank=True)
    body = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    api_key = models.ForeignKey(
        Open311ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    external_id = models.CharField(max_length=100, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("händelse")
        verbose_name_plural = _("händelser")
        indexes = [
            models.Index(fields=["case", "created_at"], name="fb_event_case"),
            models.Index(fields=["is_public", "created_at"], name="fb_event_public"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["api_key", "external_id"],
                condition=~Q(external_id=""),
                name="unique_external_update",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_kind_display()}"
