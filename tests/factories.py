"""factory_boy factories for the domain: realistic defaults, override what a test is about."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import slugify

from insyn.accounts.models import Membership, Role
from insyn.goals.models import (
    Assignment,
    AssignmentKind,
    FollowUpPeriod,
    Goal,
    GoalFollowUp,
    GoalKind,
    GoalSection,
    GoalStatus,
    PeriodKind,
    PeriodState,
    Plan,
    Report,
    ReportState,
    Status,
)
from insyn.organisations.geometry import rectangle
from insyn.organisations.models import (
    District,
    Municipality,
    Organisation,
    OrganisationAlias,
    OrganisationGroup,
    OrganisationKind,
)


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("code",)

    name = "Uppsala kommun"
    short_name = "Uppsala"
    code = "0380"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Testnämnd {n}")
    slug = factory.Sequence(lambda n: f"testnamnd-{n}")
    kind = OrganisationKind.BOARD
    short_name = factory.Sequence(lambda n: f"TN{n}")


class CompanyFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Testbolag {n} AB")
    slug = factory.Sequence(lambda n: f"testbolag-{n}-ab")
    kind = OrganisationKind.COMPANY


class OrganisationAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationAlias

    organisation = factory.SubFactory(OrganisationFactory)
    alias = factory.Sequence(lambda n: f"ALIAS{n}")


class OrganisationGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationGroup
        django_get_or_create = ("name",)

    name = "Alla nämnder och bolag"
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kinds = [OrganisationKind.EXECUTIVE_BOARD, OrganisationKind.BOARD, OrganisationKind.COMPANY]


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan
        django_get_or_create = ("year",)

    year = 2023
    title = factory.LazyAttribute(
        lambda o: f"Mål och budget {o.year} med plan för {o.year + 1}–{o.year + 2}"
    )
    last_year = factory.LazyAttribute(lambda o: o.year + 2)


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    kind = GoalKind.FOKUSMAL
    title = factory.Sequence(lambda n: f"Uppsala ska nå mål nummer {n}")
    short_title = "Testområdet"
    order = factory.LazyAttribute(lambda o: int(o.number) if o.number.isdigit() else 0)


class GoalSectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GoalSection

    goal = factory.SubFactory(GoalFactory)
    heading = "Målbeskrivning"
    body = "Kommunen ska arbeta för trygghet och jämlikhet."


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    goal = factory.SubFactory(GoalFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    kind = AssignmentKind.COUNCIL
    title = factory.Sequence(lambda n: f"Utveckla verksamhet nummer {n}")
    description = "Kommunen ska utveckla arbetet tillsammans med civilsamhället."
    order = factory.Sequence(lambda n: n)

    @factory.post_generation
    def responsible(self, create: bool, extracted: list[Organisation] | None, **kwargs: object):
        if create and extracted:
            self.responsible_organisations.set(extracted)


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUpPeriod

    plan = factory.SubFactory(PlanFactory)
    year = factory.LazyAttribute(lambda o: o.plan.year)
    kind = PeriodKind.AUGUST
    label = "Delårsuppföljning per augusti"
    month = 8
    state = PeriodState.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    published_on = factory.LazyAttribute(
        lambda o: timezone.localdate(o.published_at) if o.published_at else None
    )
    deadline = factory.LazyAttribute(lambda o: dt.date(o.year, 9, 15))


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    assignment = factory.SubFactory(AssignmentFactory)
    period = factory.SubFactory(PeriodFactory)
    organisation = None
    status = Status.ON_TRACK
    assessment = "Arbetet pågår enligt plan."
    assessment_label = factory.LazyAttribute(lambda o: f"Rapportering augusti {o.period.year}")
    state = ReportState.APPROVED


class GoalFollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GoalFollowUp

    goal = factory.SubFactory(GoalFactory)
    period = factory.SubFactory(PeriodFactory)
    status = GoalStatus.GREEN
    assessment = "Målet bedöms bli uppfyllt vid årets slut."


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "lösenord-för-test")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.REPORTER
    organisation = factory.SubFactory(OrganisationFactory)


# Gottsunda, roughly (a rectangle): the feedback tests' default routing district.
GOTTSUNDA_BOX = (59.798, 59.815, 17.590, 17.640)


class DistrictFactory(factory.django.DjangoModelFactory):
    """The one district (area) factory: give `box=(min_lat, max_lat, min_long, max_long)` for a
    rectangular shape (e.g. GOTTSUNDA_BOX) or `geometry=` for any GeoJSON Polygon/MultiPolygon
    (WGS 84, longitude first)."""

    class Meta:
        model = District
        django_get_or_create = ("name",)

    class Params:
        box = None

    name = factory.Sequence(lambda n: f"Område {n}")
    geometry = factory.LazyAttribute(lambda o: rectangle(*o.box) if o.box else None)
