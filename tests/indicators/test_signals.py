"""Resident signals: each computed indicator against numbers worked out by hand on factory data,
including a district without population figures and a year without cases; stored by
`insyn compute-signals` and shown on goal pages beside Kolada indicators."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from insyn.core import registry
from insyn.dialogue.models import AgeBand, OfflineInput, PopulationFigure, Post, SurveyResponse
from insyn.feedback.models import Case, Kind
from insyn.indicators import services
from insyn.indicators.models import Direction, Indicator, KpiSource, SignalValue, Value
from tests.dialogue.factories import DiscussionFactory, ParticipantFactory, SurveyFactory
from tests.factories import (
    DistrictFactory,
    GoalFactory,
    MunicipalityFactory,
    OrganisationFactory,
)
from tests.feedback.factories import CategoryFactory

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Europe/Stockholm")
_numbers = itertools.count(1)


def at(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 12, tzinfo=TZ)


def case(category, *, area=None, organisation=None, created, kind=Kind.FAULT, **fields) -> Case:
    return Case.objects.create(
        number=f"T-{next(_numbers)}",
        kind=kind,
        category=category,
        description="Lampan lyser inte.",
        area=area,
        organisation=organisation,
        created_at=created,
        **fields,
    )


@pytest.fixture
def world(db):
    return build_world()


def build_world():
    """Gottsunda (2,000 residents: 1,000 aged 0–17, 1,000 aged 18–29), Centrum (3,000 aged
    30–44) and Stenhagen (no population figures); the figures are for 2024 only."""
    MunicipalityFactory()
    gottsunda = DistrictFactory(name="Gottsunda", order=1)
    centrum = DistrictFactory(name="Centrum", order=2)
    stenhagen = DistrictFactory(name="Stenhagen", order=3)
    for district, band, count in [
        (gottsunda, AgeBand.A0_17, 1000),
        (gottsunda, AgeBand.A18_29, 1000),
        (centrum, AgeBand.A30_44, 3000),
    ]:
        PopulationFigure.objects.create(district=district, age_band=band, year=2024, count=count)
    light = CategoryFactory(name="Belysning", order=1, target_days=7)
    hole = CategoryFactory(name="Gatuhål", order=2, target_days=14)
    graffiti = CategoryFactory(name="Klotter", order=3)
    streets = OrganisationFactory(name="Gatu- och samhällsmiljönämnden")
    parks = OrganisationFactory(name="Plan- och byggnadsnämnden")
    return {
        "gottsunda": gottsunda,
        "centrum": centrum,
        "stenhagen": stenhagen,
        "light": light,
        "hole": hole,
        "graffiti": graffiti,
        "streets": streets,
        "parks": parks,
    }


def by_group(rows):
    return {(row.group, row.label): row for row in rows}


def signal(key):
    return next(s for s in registry.signals() if s.key == key)


def test_the_population_comes_from_the_newest_figures_at_or_before_the_year(world):
    assert registry.population(2025).year == 2024
    assert registry.population(2024).total == 5000
    # Before any figures: the oldest year there is, rather than nothing.
    assert registry.population(2020).year == 2024


def test_fault_reports_per_1000_residents_by_district_and_category(world):
    w = world
    case(w["light"], area=w["gottsunda"], created=at(2025, 2, 1))
    case(w["light"], area=w["gottsunda"], created=at(2025, 3, 1))
    original = case(w["hole"], area=w["gottsunda"], created=at(2025, 4, 1))
    case(w["hole"], area=w["gottsunda"], created=at(2025, 4, 2), merged_into=original)
    case(w["light"], area=w["centrum"], created=at(2025, 5, 1))
    case(w["hole"], area=w["stenhagen"], created=at(2025, 6, 1))
    case(w["light"], created=at(2025, 7, 1))  # no district
    case(w["light"], area=w["centrum"], created=at(2025, 7, 1), kind=Kind.FEEDBACK)
    case(w["light"], area=w["centrum"], created=at(2024, 7, 1))

    rows = by_group(signal("FELANMALAN-PER-1000").compute(2025))
    # 6 fault reports (the duplicate, the comment and last year's report left out) / 5,000.
    assert rows["total", ""].value == 1.2
    assert rows["total", ""].numerator == 6
    assert rows["district", "Gottsunda"].value == 1.5  # 3 / 2,000
    assert rows["district", "Centrum"].value == 0.33  # 1 / 3,000
    stenhagen = rows["district", "Stenhagen"]
    assert stenhagen.value is None  # a report, but no population to divide by
    assert (stenhagen.numerator, stenhagen.denominator) == (1, None)
    assert rows["category", "Belysning"].value == 0.8  # 4 / 5,000
    assert rows["category", "Gatuhål"].value == 0.4
    assert rows["category", "Klotter"].value == 0.0

    empty = by_group(signal("FELANMALAN-PER-1000").compute(2023))
    assert empty["total", ""].value == 0.0
    assert empty["district", "Gottsunda"].value == 0.0
    assert empty["district", "Stenhagen"].value is None


def resolved_cases(w):
    # A: 2 days, no due date → category target 7 days → in time.
    case(
        w["light"],
        organisation=w["streets"],
        created=at(2025, 3, 1),
        resolved_at=at(2025, 3, 3),
        resident_says_fixed=True,
        resident_answered_at=at(2025, 3, 4),
    )
    # B: 10 days against 7 → late.
    case(
        w["light"],
        organisation=w["streets"],
        created=at(2025, 3, 1),
        resolved_at=at(2025, 3, 11),
        resident_says_fixed=False,
        resident_answered_at=at(2025, 3, 12),
    )
    # C: 4 days, but it was due after 2 → late, although within the category's 14 days.
    case(
        w["hole"],
        organisation=w["parks"],
        created=at(2025, 4, 1),
        due_at=at(2025, 4, 3),
        resolved_at=at(2025, 4, 5),
        resident_says_fixed=False,
        resident_answered_at=at(2025, 4, 6),
    )
    # Resolved the year before: not in 2025.
    case(w["hole"], organisation=w["parks"], created=at(2024, 1, 1), resolved_at=at(2024, 1, 9))


def test_median_days_to_resolution_per_category_and_organisation(world):
    resolved_cases(world)
    rows = by_group(signal("ATGARDSTID-MEDIAN").compute(2025))
    assert rows["total", ""].value == 4.0  # median of 2, 10, 4
    assert rows["total", ""].denominator == 3
    assert rows["category", "Belysning"].value == 6.0  # median of 2 and 10
    assert rows["category", "Gatuhål"].value == 4.0
    assert rows["category", "Klotter"].value is None
    assert rows["organisation", "Gatu- och samhällsmiljönämnden"].value == 6.0
    assert rows["organisation", "Plan- och byggnadsnämnden"].value == 4.0
    assert signal("ATGARDSTID-MEDIAN").compute(2023)[0].value is None


def test_share_resolved_within_the_target_time(world):
    resolved_cases(world)
    rows = by_group(signal("ATGARDAT-INOM-MALTID").compute(2025))
    assert rows["total", ""].value == 33.3
    assert (rows["total", ""].numerator, rows["total", ""].denominator) == (1, 3)
    assert rows["category", "Belysning"].value == 50.0
    assert rows["category", "Gatuhål"].value == 0.0
    assert rows["category", "Klotter"].value is None
    assert signal("ATGARDAT-INOM-MALTID").compute(2023)[0].value is None


def test_reopen_rate_is_the_share_answering_not_fixed(world):
    resolved_cases(world)
    rows = by_group(signal("ATEROPPNADE").compute(2025))
    assert rows["total", ""].value == 66.7  # 2 of 3 said no
    assert rows["category", "Belysning"].value == 50.0
    assert rows["category", "Gatuhål"].value == 100.0
    assert rows["category", "Klotter"].value is None
    assert rows["organisation", "Plan- och byggnadsnämnden"].value == 100.0


def test_dialogue_participation_per_district_and_age_band(world):
    w = world
    survey = SurveyFactory()
    discussion = DiscussionFactory(dialogue=survey.dialogue)
    person = ParticipantFactory()
    made = [
        SurveyResponse.objects.create(
            survey=survey, participant=person, district=w["gottsunda"], age_band=AgeBand.A18_29
        ),
        # The same person in the same dialogue counts once.
        Post.objects.create(discussion=discussion, participant=person, body="Fler bänkar."),
        Post.objects.create(
            discussion=discussion, district=w["centrum"], age_band=AgeBand.A30_44, body="Ljus!"
        ),
    ]
    made.append(OfflineInput.objects.create(dialogue=survey.dialogue, body="Workshop", people=3))
    for item in made:
        type(item).objects.filter(pk=item.pk).update(created_at=at(2025, 5, 5))

    rows = by_group(signal("DIALOG-DELTAGANDE").compute(2025))
    assert rows["total", ""].value == 1.0  # (1 + 1 + 3) / 5,000 × 1,000
    assert rows["district", "Gottsunda"].value == 0.5
    assert rows["district", "Centrum"].value == 0.33
    assert rows["district", "Stenhagen"].value is None
    assert rows["age_band", "18–29 år"].value == 1.0
    assert rows["age_band", "30–44 år"].value == 0.33
    assert rows["age_band", "0–17 år"].value == 0.0
    assert rows["age_band", "45–64 år"].value is None  # nobody of that age in the figures
    assert by_group(signal("DIALOG-DELTAGANDE").compute(2024))["total", ""].value == 0.0


def test_compute_signals_stores_values_and_replaces_a_years_run(world):
    resolved_cases(world)
    call_command("compute_signals", "--ar", "2025")
    kpi_id = services.signal_kpi_id("ATGARDSTID-MEDIAN")
    value = Value.objects.get(kpi_id=kpi_id, period=2025)
    assert value.value == 4.0
    assert value.kpi.source == KpiSource.INSYN
    assert "Medianen" in value.kpi.description
    belysning = SignalValue.objects.get(kpi_id=kpi_id, period=2025, label="Belysning")
    assert belysning.value == 6.0
    before = SignalValue.objects.count()
    services.signals_compute(year=2025)
    assert SignalValue.objects.count() == before  # replaced, not added


def test_staff_link_a_signal_and_the_goal_page_shows_it(world, client):
    resolved_cases(world)
    services.signals_compute(year=2025)
    indicator = services.indicator_create(
        kpi=None, title="", signal_key="ATGARDSTID-MEDIAN", is_published=True
    )
    assert indicator.direction == Direction.DECREASE
    assert indicator.unit == "dagar"
    goal = GoalFactory()
    services.indicator_link(indicator=indicator, goal=goal)
    services.target_set(indicator=indicator, year=2026, value=3.0)
    page = client.get(reverse("public:goal", args=[goal.plan.year, goal.number]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Mediantid till åtgärd" in text
    assert "Så beräknas det:" in text
    assert "Källa: Insyn" in text
    assert "Belysning" in text


def test_a_signal_indicator_needs_a_signal(world):
    from insyn.indicators.forms import IndicatorForm

    form = IndicatorForm({"source": "insyn", "direction": "none"})
    assert not form.is_valid()
    assert "signal" in form.errors
    assert Indicator.objects.count() == 0


def test_staff_create_a_signal_indicator_on_the_staff_page(client, world):
    from insyn.accounts.models import Role
    from tests.factories import MembershipFactory

    membership = MembershipFactory(role=Role.COMPILER, organisation=None)
    client.force_login(membership.user)
    page = client.get(reverse("indicators_staff:create")).content.decode()
    assert "Andel ärenden åtgärdade inom måltiden" in page  # every registered signal is offered
    response = client.post(
        reverse("indicators_staff:create"),
        {"source": "insyn", "signal": "ATGARDAT-INOM-MALTID", "direction": "none"},
    )
    assert response.status_code == 302
    indicator = Indicator.objects.get()
    assert indicator.kpi_id == "INSYN-ATGARDAT-INOM-MALTID"
    assert indicator.kpi.source == KpiSource.INSYN
    assert (indicator.unit, indicator.direction) == ("%", Direction.INCREASE)
    unknown = client.post(
        reverse("indicators_staff:create"),
        {"source": "insyn", "signal": "FINNS-INTE", "direction": "none"},
    )
    assert unknown.status_code in (200, 400)
    assert Indicator.objects.count() == 1
