"""The municipality and its organisations: boards (nämnder), companies (bolag), groups."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Municipality(models.Model):
    """The municipality this instance serves (one row), identified by its Kolada/SCB code."""

    name = models.CharField(_("namn"), max_length=200)  # "Uppsala kommun"
    short_name = models.CharField(_("kort namn"), max_length=100)  # "Uppsala"
    code = models.CharField(_("kommunkod"), max_length=4, unique=True)  # "0380"
    website = models.URLField(_("webbplats"), blank=True)
    contact_email = models.EmailField(_("kontaktadress"), blank=True)
    # The group's parent company ("Uppsala Stadshus AB"), which the published follow-up never
    # counts among "the companies"; from the registry file.
    parent_company = models.CharField(_("moderbolag"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("kommun")
        verbose_name_plural = _("kommuner")

    def __str__(self) -> str:
        return self.name


class OrganisationKind(models.TextChoices):
    EXECUTIVE_BOARD = "executive_board", _("Kommunstyrelse")
    BOARD = "board", _("Nämnd")
    COMPANY = "company", _("Bolag")
    EXTERNAL = "external", _("Extern aktör")


BOARD_KINDS = (OrganisationKind.EXECUTIVE_BOARD, OrganisationKind.BOARD)


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def active_in(self, year: int) -> OrganisationQuerySet:
        return self.filter(
            models.Q(active_from__isnull=True) | models.Q(active_from__lte=year),
            models.Q(active_until__isnull=True) | models.Q(active_until__gte=year),
        )

    def internal(self) -> OrganisationQuerySet:
        return self.exclude(kind=OrganisationKind.EXTERNAL)


class Organisation(models.Model):
    """A board or company that can be given and report on assignments."""

    name = models.CharField(_("namn"), max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(_("typ"), max_length=20, choices=OrganisationKind)
    short_name = models.CharField(_("förkortning"), max_length=40, blank=True)
    description = models.TextField(_("beskrivning"), blank=True)
    website = models.URLField(_("webbplats"), blank=True)
    email = models.EmailField(_("e-post för notiser"), blank=True)
    active_from = models.PositiveSmallIntegerField(_("aktiv från år"), null=True, blank=True)
    active_until = models.PositiveSmallIntegerField(
        _("aktiv till och med år"), null=True, blank=True
    )
    successor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="predecessors",
        verbose_name=_("uppgick i"),
    )
    history = HistoricalRecords()

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisationer")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("public:organisation", args=[self.slug])

    def is_active_in(self, year: int) -> bool:
        return (self.active_from is None or self.active_from <= year) and (
            self.active_until is None or self.active_until >= year
        )

    @property
    def is_board(self) -> bool:
        return self.kind in BOARD_KINDS


class OrganisationAlias(models.Model):
    """Another name the documents use: an abbreviation (OSN, OMN), a short form, a former name."""

    class Kind(models.TextChoices):
        ABBREVIATION = "abbreviation", _("Förkortning")
        ALIAS = "alias", _("Annat namn")
        FORMER_NAME = "former_name", _("Tidigare namn")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField(_("namn"), max_length=200)
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices, default=Kind.ALIAS)

    class Meta:
        verbose_name = _("alias")
        verbose_name_plural = _("alias")
        constraints = [
            models.UniqueConstraint(Lower("alias"), name="unique_organisation_alias_ci"),
        ]

    def __str__(self) -> str:
        return self.alias


class OrganisationGroup(models.Model):
    """A shorthand such as "Alla nämnder och bolag" that expands through the registry per year."""

    name = models.CharField(_("namn"), max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    kinds = models.JSONField(_("omfattar typer"), default=list)
    aliases = models.JSONField(_("andra skrivningar"), default=list, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisationsgrupp")
        verbose_name_plural = _("organisationsgrupper")

    def __str__(self) -> str:
        return self.name

    def members(self, year: int) -> OrganisationQuerySet:
        return Organisation.objects.filter(kind__in=self.kinds).active_in(year)


# --- Districts and areas ----------------------------------------------------------------------


class DistrictKind(models.TextChoices):
    DISTRICT = "district", _("Stadsdel eller ort")
    SERVICE_AREA = "service_area", _("Driftområde")


class District(models.Model):
    """A district (stadsdel, ort) or service area of the municipality, with its real shape.

    One model serves dialogue (population, representativeness, target groups) and feedback
    (routing, statistics per district). `geometry` is a GeoJSON Polygon or MultiPolygon in WGS 84
    (longitude, latitude — GeoJSON's order), holes allowed; the bounding box columns are derived
    from it on save (insyn.organisations.geometry) so a point lookup can prefilter in SQL.
    A district without geometry (e.g. one created by a population import) is never matched by a
    point, but can still be chosen from a list.
    """

    name = models.CharField(_("namn"), max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    code = models.CharField(_("kod"), max_length=20, blank=True)
    kind = models.CharField(
        _("typ"), max_length=20, choices=DistrictKind, default=DistrictKind.DISTRICT
    )
    geometry = models.JSONField(
        _("gräns (GeoJSON, WGS 84)"),
        null=True,
        blank=True,
        help_text=_("GeoJSON Polygon eller MultiPolygon i WGS 84. Läs in med insyn import-areas."),
    )
    approximate = models.BooleanField(
        _("ungefärlig gräns"),
        default=False,
        help_text=_("Gränsen är ritad ungefärligt (t.ex. demodata) och ska visas som ungefärlig."),
    )
    min_lat = models.FloatField(_("sydligaste latitud"), null=True, blank=True, editable=False)
    max_lat = models.FloatField(_("nordligaste latitud"), null=True, blank=True, editable=False)
    min_long = models.FloatField(_("västligaste longitud"), null=True, blank=True, editable=False)
    max_long = models.FloatField(_("östligaste longitud"), null=True, blank=True, editable=False)
    order = models.PositiveSmallIntegerField(_("ordning"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("område")
        verbose_name_plural = _("områden")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        from insyn.organisations.geometry import bbox_of

        if not self.slug:
            base = slugify(self.name)[:190] or "omrade"
            self.slug, n = base, 2
            while District.objects.filter(slug=self.slug).exclude(pk=self.pk).exists():
                self.slug, n = f"{base}-{n}", n + 1
        box = bbox_of(self.geometry) if self.geometry else None
        self.min_lat, self.max_lat, self.min_long, self.max_long = box or (None,) * 4
        if kwargs.get("update_fields") is not None and "geometry" in kwargs["update_fields"]:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "min_lat",
                "max_lat",
                "min_long",
                "max_long",
            }
        super().save(*args, **kwargs)

    def contains(self, lat: float, long: float) -> bool:
        """True if the point lies inside or on the border (see geometry.covers)."""
        from insyn.organisations.geometry import covers

        return bool(self.geometry) and covers(self.geometry, lat, long)

    @property
    def has_shape(self) -> bool:
        return bool(self.geometry)


class PlaceKind(models.TextChoices):
    ADDRESS = "address", _("Adress")
    STREET = "street", _("Gata")
    PLACE = "place", _("Plats")


class Place(models.Model):
    """The municipality's own gazetteer: named places, streets and addresses with a point
    (WGS 84). Loaded with `insyn import-places FILE`; searched before any external geocoder,
    so address search works with no internet."""

    name = models.CharField(_("namn"), max_length=200)
    kind = models.CharField(_("typ"), max_length=10, choices=PlaceKind)
    locality = models.CharField(_("ort"), max_length=100, blank=True)
    lat = models.FloatField(_("latitud"))
    long = models.FloatField(_("longitud"))
    approximate = models.BooleanField(_("ungefärlig punkt"), default=False)
    search_text = models.CharField(max_length=300, db_index=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("plats")
        verbose_name_plural = _("platser")
        constraints = [
            models.UniqueConstraint(fields=["name", "locality"], name="unique_place_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.locality}" if self.locality else self.name

    def save(self, *args, **kwargs) -> None:
        from insyn.organisations.places import normalise

        self.search_text = normalise(f"{self.name} {self.locality}")[:300]
        super().save(*args, **kwargs)
