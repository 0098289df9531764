"""Indicators: Kolada key figures (and the municipality's own), peers, and the board budget.

Vocabulary: a *Kpi* is a measured series (Kolada's metadata, or an own series entered by staff);
an *Area* is anything Kolada reports values for (a kommun, a region, Riket 0000, a Kolada
municipality group G…, an organisational unit); a *Value* is one number for (kpi, area, year,
gender), with where it came from. An *Indicator* is the public presentation of a Kpi that staff
link to goals and assignments, with a direction and optional targets. A *PeerGroup* is a set of
areas to compare with: Kolada's own groups (whose mean Kolada publishes) or the municipality's
own list (whose mean Insyn computes and never labels as Kolada's). The budget is uploaded per year
by staff as net cost by board and activity.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from insyn.goals.models import Assignment, Goal, Plan
from insyn.organisations.models import Organisation


class AreaType(models.TextChoices):
    MUNICIPALITY = "K", _("Kommun")
    REGION = "L", _("Region eller riket")
    GROUP = "G", _("Kommungrupp i Kolada")
    UNIT = "O", _("Organisatorisk enhet")


class Area(models.Model):
    """A place or group Kolada reports values for, keyed by Kolada's id ("0380", "G37329")."""

    id = models.CharField(_("id i Kolada"), max_length=40, primary_key=True)
    title = models.CharField(_("namn"), max_length=200)
    type = models.CharField(_("typ"), max_length=1, choices=AreaType)
    municipality = models.CharField(_("kommun (för enheter)"), max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("område")
        verbose_name_plural = _("områden")

    def __str__(self) -> str:
        return self.title

    @property
    def is_country(self) -> bool:
        return self.id == "0000"


class KpiSource(models.TextChoices):
    KOLADA = "kolada", _("Kolada")
    OWN = "own", _("Kommunens egen")
    INSYN = "insyn", _("Invånarnas signaler i Insyn")


class Kpi(models.Model):
    """A measured series: Kolada's KPI metadata, or an own series (id EGEN-…)."""

    id = models.CharField(_("id"), max_length=40, primary_key=True)
    source = models.CharField(
        _("källa"), max_length=10, choices=KpiSource, default=KpiSource.KOLADA
    )
    title = models.CharField(_("titel"), max_length=500)
    description = models.TextField(_("beskrivning"), blank=True)
    is_divided_by_gender = models.BooleanField(_("redovisas per kön"), default=False)
    municipality_type = models.CharField(_("kommuntyp"), max_length=5, blank=True)
    operating_area = models.CharField(_("verksamhetsområde"), max_length=300, blank=True)
    perspective = models.CharField(_("perspektiv"), max_length=100, blank=True)
    auspice = models.CharField(_("huvudmannaskap"), max_length=20, blank=True)
    publication_date = models.DateField(_("publiceringsdatum"), null=True, blank=True)
    prel_publication_date = models.DateField(
        _("preliminärt publiceringsdatum"), null=True, blank=True
    )
    publ_period = models.CharField(_("publiceringsperiod"), max_length=20, blank=True)
    has_ou_data = models.BooleanField(_("har data för enheter"), default=False)
    unit = models.CharField(_("enhet enligt källan"), max_length=50, blank=True)
    fetched_at = models.DateTimeField(_("metadata hämtad"), null=True, blank=True)
    source_ref = models.CharField(_("hämtad från"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("nyckeltal (KPI)")
        verbose_name_plural = _("nyckeltal (KPI)")

    def __str__(self) -> str:
        return f"{self.id} {self.title}"

    @property
    def is_kolada(self) -> bool:
        return self.source == KpiSource.KOLADA


class ImportRun(models.Model):
    """One run of the Kolada import (or one staff entry of own values): what, when, the counts."""

    started_at = models.DateTimeField(_("startad"))
    finished_at = models.DateTimeField(_("klar"), null=True, blank=True)
    succeeded = models.BooleanField(_("lyckades"), default=False)
    description = models.TextField(_("källa"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kpis = models.PositiveIntegerField(default=0)
    areas = models.PositiveIntegerField(default=0)
    groups = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    missing = models.PositiveIntegerField(_("saknade värden (null)"), default=0)
    message = models.TextField(_("meddelande"), blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("importkörning")
        verbose_name_plural = _("importkörningar")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.description[:60]}"


class Gender(models.TextChoices):
    TOTAL = "T", _("Totalt")
    WOMEN = "K", _("Kvinnor")
    MEN = "M", _("Män")


class Value(models.Model):
    """One number (or a recorded gap: value NULL) with its provenance."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="values")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="values")
    period = models.PositiveSmallIntegerField(_("år"))
    gender = models.CharField(_("kön"), max_length=1, choices=Gender, default=Gender.TOTAL)
    value = models.FloatField(_("värde"), null=True, blank=True)
    count = models.PositiveIntegerField(_("antal bidragande"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=50, blank=True)
    fetched_at = models.DateTimeField(_("hämtad"))
    publ_period = models.CharField(_("publiceringsperiod"), max_length=20, blank=True)
    publication_date = models.DateField(_("publiceringsdatum"), null=True, blank=True)
    source_ref = models.CharField(_("hämtad från"), max_length=500, blank=True)
    run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kpi", "area", "period", "gender"]
        verbose_name = _("värde")
        verbose_name_plural = _("värden")
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "area", "period", "gender"], name="unique_indicator_value"
            ),
        ]
        indexes = [models.Index(fields=["area", "kpi"], name="indicator_value_area_kpi")]

    def __str__(self) -> str:
        return f"{self.kpi_id} {self.area_id} {self.period} {self.gender}: {self.value}"


class ValueRevision(models.Model):
    """A value as it was before a re-import changed or deleted it (Kolada revises silently)."""

    class Change(models.TextChoices):
        CHANGED = "changed", _("Ändrat")
        DELETED = "deleted", _("Borttaget")

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="+")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    period = models.PositiveSmallIntegerField(_("år"))
    gender = models.CharField(_("kön"), max_length=1, choices=Gender)
    value = models.FloatField(_("värde"), null=True, blank=True)
    count = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=50, blank=True)
    fetched_at = models.DateTimeField(_("hämtad"))
    publ_period = models.CharField(max_length=20, blank=True)
    publication_date = models.DateField(null=True, blank=True)
    source_ref = models.CharField(max_length=500, blank=True)
    change = models.CharField(_("ändring"), max_length=10, choices=Change.choices)
    replaced_at = models.DateTimeField(_("ersatt"))
    replaced_by = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="revisions"
    )

    class Meta:
        ordering = ["kpi", "area", "period", "gender", "replaced_at"]
        verbose_name = _("tidigare värde")
        verbose_name_plural = _("tidigare värden")
        indexes = [models.Index(fields=["kpi", "area", "period"], name="indicator_revision_key")]

    def __str__(self) -> str:
        return f"{self.kpi_id} {self.area_id} {self.period} {self.gender}: {self.value}"


class SignalValue(models.Model):
    """One group of a resident signal's breakdown for a year (a district, a category, an
    organisation, an age band), computed by `insyn compute-signals` from Insyn's own data.
    The municipality's own number is an ordinary Value (the home area), so charts and tables
    show it like any indicator; this holds the breakdown beside it. Counts only, never
    personal data."""

    class Group(models.TextChoices):
        DISTRICT = "district", _("Område")
        CATEGORY = "category", _("Kategori")
        ORGANISATION = "organisation", _("Ansvarig organisation")
        AGE_BAND = "age_band", _("Åldersgrupp")

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="signal_values")
    period = models.PositiveSmallIntegerField(_("år"))
    group = models.CharField(_("indelning"), max_length=20, choices=Group.choices)
    key = models.CharField(max_length=40)
    label = models.CharField(_("namn"), max_length=300)
    value = models.FloatField(_("värde"), null=True, blank=True)
    numerator = models.FloatField(_("antal"), null=True, blank=True)
    denominator = models.FloatField(_("av"), null=True, blank=True)
    order = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(_("beräknat"))

    class Meta:
        ordering = ["kpi", "period", "group", "order"]
        verbose_name = _("signalvärde")
        verbose_name_plural = _("signalvärden")
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "period", "group", "key"], name="unique_signal_value"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi_id} {self.period} {self.group} {self.label}: {self.value}"


class PeerGroupKind(models.TextChoices):
    KOLADA = "kolada", _("Kolada-grupp")
    CUSTOM = "custom", _("Egen jämförelsegrupp")


class PeerGroup(models.Model):
    """Areas to compare with. Kolada's groups mirror Kolada; custom groups are edited by staff."""

    kind = models.CharField(
        _("typ"), max_length=10, choices=PeerGroupKind, default=PeerGroupKind.CUSTOM
    )
    kolada_id = models.CharField(
        _("id i Kolada"), max_length=40, unique=True, null=True, blank=True
    )
    title = models.CharField(_("namn"), max_length=300)
    description = models.TextField(_("beskrivning"), blank=True)
    members = models.ManyToManyField(
        Area, blank=True, related_name="peer_groups", verbose_name=_("medlemmar")
    )
    show_on_pages = models.BooleanField(
        _("visa i jämförelser"),
        default=False,
        help_text=_("Gruppens medelvärde visas på mål- och indikatorsidorna."),
    )
    order = models.PositiveSmallIntegerField(_("ordning"), default=0)
    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        ordering = ["order", "title"]
        verbose_name = _("jämförelsegrupp")
        verbose_name_plural = _("jämförelsegrupper")

    def __str__(self) -> str:
        return self.title

    @property
    def is_kolada(self) -> bool:
        return self.kind == PeerGroupKind.KOLADA


class Direction(models.TextChoices):
    INCREASE = "increase", _("Högre värden är bättre")
    DECREASE = "decrease", _("Lägre värden är bättre")
    NONE = "none", _("Varken högre eller lägre är självklart bättre")


class Indicator(models.Model):
    """How a Kpi is shown to residents and which goals it measures."""

    kpi = models.ForeignKey(
        Kpi, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("nyckeltal")
    )
    title = models.CharField(_("rubrik"), max_length=300)
    description = models.TextField(_("beskrivning"), blank=True)
    unit = models.CharField(
        _("enhet"), max_length=50, blank=True, help_text=_("Till exempel %, kr/inv eller antal.")
    )
    direction = models.CharField(
        _("vad är bättre"), max_length=10, choices=Direction, default=Direction.NONE
    )
    is_published = models.BooleanField(_("publicerad"), default=False)
    order = models.PositiveSmallIntegerField(_("ordning"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "title"]
        verbose_name = _("indikator")
        verbose_name_plural = _("indikatorer")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("indicators:detail", args=[self.pk])


class IndicatorTarget(models.Model):
    """A target value for one year ("målvärde 2026: 5 %")."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("år"))
    value = models.FloatField(_("målvärde"))
    note = models.CharField(_("kommentar"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "year"]
        verbose_name = _("målvärde")
        verbose_name_plural = _("målvärden")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="unique_indicator_target"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}: {self.value}"


class IndicatorLink(models.Model):
    """An indicator measures a goal, or more narrowly one of the goal's assignments."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="links")
    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="indicator_links", verbose_name=_("mål")
    )
    assignment = models.ForeignKey(
        Assignment,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="indicator_links",
        verbose_name=_("uppdrag"),
    )
    order = models.PositiveSmallIntegerField(_("ordning"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("koppling till mål")
        verbose_name_plural = _("kopplingar till mål")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "goal"],
                condition=models.Q(assignment__isnull=True),
                name="unique_indicator_goal_link",
            ),
            models.UniqueConstraint(
                fields=["indicator", "assignment"],
                condition=models.Q(assignment__isnull=False),
                name="unique_indicator_assignment_link",
            ),
        ]

    def __str__(self) -> str:
        target = self.assignment.heading if self.assignment_id else str(self.goal)
        return f"{self.indicator} → {target}"


class BudgetState(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    PUBLISHED = "published", _("Publicerad")


class BudgetUpload(models.Model):
    """One uploaded budget file for a year; the newest published upload of a year is shown."""

    year = models.PositiveSmallIntegerField(_("budgetår"))
    plan = models.ForeignKey(
        Plan,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="budget_uploads",
        verbose_name=_("plan"),
    )
    state = models.CharField(
        _("läge"), max_length=10, choices=BudgetState, default=BudgetState.DRAFT
    )
    file_name = models.CharField(_("filnamn"), max_length=255, blank=True)
    note = models.CharField(_("kommentar"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uppladdad"))
    published_at = models.DateTimeField(_("publicerad"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "-uploaded_at", "-pk"]
        verbose_name = _("budget")
        verbose_name_plural = _("budgetar")

    def __str__(self) -> str:
        return f"Budget {self.year} ({self.get_state_display()}, {self.file_name})"


class BudgetLine(models.Model):
    """Net cost (mnkr) for a board, or for one activity of a board."""

    upload = models.ForeignKey(BudgetUpload, on_delete=models.CASCADE, related_name="lines")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="budget_lines", verbose_name=_("nämnd")
    )
    activity = models.CharField(_("verksamhet"), max_length=200, blank=True)
    net_cost = models.DecimalField(_("nettokostnad (mnkr)"), max_digits=14, decimal_places=3)
    row = models.PositiveIntegerField(_("rad i filen"), default=0)

    class Meta:
        ordering = ["upload", "row"]
        verbose_name = _("budgetrad")
        verbose_name_plural = _("budgetrader")
        constraints = [
            models.UniqueConstraint(
                fields=["upload", "organisation", "activity"], name="unique_budget_line"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.activity}: {self.net_cost}"
