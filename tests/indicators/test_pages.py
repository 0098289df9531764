"""Public pages: goal panel, indicator list and page, with labels, sentences and bounded queries."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from insyn.indicators import selectors
from insyn.indicators.models import AreaType, Direction, Gender
from tests.factories import AssignmentFactory, GoalFactory, MunicipalityFactory
from tests.indicators.factories import (
    IndicatorFactory,
    KoladaAreaFactory,
    KpiFactory,
    LinkFactory,
    PeerGroupFactory,
    TargetFactory,
    add_series,
)

pytestmark = pytest.mark.django_db

YEARS = range(2015, 2025)


@pytest.fixture
def world():
    MunicipalityFactory()
    home = KoladaAreaFactory(id="0380", title="Uppsala")
    peers = [
        KoladaAreaFactory(id=code, title=name)
        for code, name in [("0580", "Linköping"), ("1880", "Örebro"), ("1980", "Västerås")]
    ]
    KoladaAreaFactory(id="0000", title="Riket", type=AreaType.REGION)
    custom = PeerGroupFactory(title="Jämförbara städer")
    custom.members.set(peers)
    kpi = KpiFactory(id="N00090", title="Sjukfrånvaro, andel (%)", is_divided_by_gender=True)
    add_series(kpi, home, {y: 6.0 + (y - 2015) * 0.2 for y in YEARS})
    add_series(kpi, home, {y: 8.0 for y in YEARS}, gender=Gender.WOMEN)
    add_series(kpi, home, {y: 4.0 for y in YEARS}, gender=Gender.MEN)
    add_series(kpi, peers[0], {2024: 7.0})
    add_series(kpi, peers[1], {2024: 9.0})
    add_series(kpi, peers[2], {2024: None})
    add_series(kpi, "0000", {2024: 7.5}, count=290)
    goal = GoalFactory(number="1")
    indicator = IndicatorFactory(
        kpi=kpi, title="Sjukfrånvaro bland medarbetarna", direction=Direction.DECREASE
    )
    LinkFactory(indicator=indicator, goal=goal)
    TargetFactory(indicator=indicator, year=2024, value=7.0)
    TargetFactory(indicator=indicator, year=2026, value=6.5)
    return {"goal": goal, "indicator": indicator, "kpi": kpi, "group": custom, "home": home}


def render_panel(panel):
    from django.template.loader import render_to_string

    return render_to_string(panel.template, panel.context)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_goal_panel_shows_latest_trend_target_peers_and_gender(world):
    panel = selectors.goal_panel(world["goal"])
    html = render_panel(panel)
    text = text_of(html)
    assert "Sjukfrånvaro bland medarbetarna" in text
    assert "Värdet har ökat från 6,0 % år 2015 till 7,8 % år 2024." in text
    assert "Det är en försämring, eftersom lägre värden är bättre." in text
    # the custom peer mean is computed by Insyn over members with values (7 and 9 → 8), 2 of 3
    assert "medelvärdet för Jämförbara städer 8,0 %" in text
    assert "2 av 3 kommuner har värden" in text
    assert "Beräknat av Insyn från Kolada-data" in text
    assert "Riket" in text and "7,5 %" in text
    # target, gender split
    assert "Målvärdet för 2024 var 7,0 % och utfallet 7,8 % – målet nåddes inte." in text
    assert "Målvärde 2026: 6,5 %." in text
    assert "Kvinnor 8,0 %, män 4,0 %" in text
    # Kolada's own numbers are labelled as Kolada's
    assert "Källa: Kolada" in text


def test_custom_group_mean_is_never_labelled_kolada(world):
    html = render_panel(selectors.goal_panel(world["goal"]))
    for paragraph in re.findall(r"<p class=\"ind-source\">(.*?)</p>", html, re.S):
        if "Jämförbara städer" in paragraph:
            assert "Källa: Kolada" not in paragraph
            assert "Beräknat av Insyn" in paragraph


def test_kolada_group_value_is_labelled_kolada(world):
    from insyn.indicators.models import PeerGroupKind

    world["group"].show_on_pages = False
    world["group"].save()
    group_area = KoladaAreaFactory(id="G1", title="Liknande kommuner", type=AreaType.GROUP)
    kolada_group = PeerGroupFactory(
        kind=PeerGroupKind.KOLADA, kolada_id="G1", title="Liknande kommuner"
    )
    kolada_group.members.set([KoladaAreaFactory(id="0580")])
    add_series(world["kpi"], group_area, {2024: 7.2}, count=20)
    text = text_of(render_panel(selectors.goal_panel(world["goal"])))
    assert "medelvärdet för Liknande kommuner 7,2 %" in text
    assert "Medelvärde för Liknande kommuner: Källa: Kolada." in text
    assert "Beräknat av Insyn" not in text


def test_chart_is_accessible_svg_with_table_and_text(world):
    html = render_panel(selectors.goal_panel(world["goal"]))
    svg = re.search(r"<svg class=\"ind-chart-svg\"[^>]*>", html).group(0)
    assert 'role="img"' in svg and "aria-labelledby=" in svg
    ids = re.search(r'aria-labelledby="([^"]+)"', svg).group(1).split()
    for element_id in ids:
        assert f'id="{element_id}"' in html
    assert "<title id=" in html and "<desc id=" in html
    assert "style=" not in html  # CSP forbids inline styles
    assert "<details" in html and "<table" in html
    # never colour alone: different dash patterns, marker shapes and a legend in words
    assert "stroke-dasharray" in html
    assert "heldragen linje, cirklar" in html and "streckad linje, kvadrater" in html
    # coordinates are not localised (no decimal commas inside path data)
    for d in re.findall(r' d="([^"]+)"', html):
        assert "," not in d


def test_numbers_keep_the_precision_of_the_source(world):
    kpi = KpiFactory(id="N00101", title="Antal", is_divided_by_gender=False)
    add_series(kpi, world["home"], {2023: 120.0, 2024: 1250.0})
    add_series(kpi, "0580", {2024: 1000.0})
    add_series(kpi, "1880", {2024: 1001.0})
    indicator = IndicatorFactory(kpi=kpi, title="Antal", unit="kr/inv")
    summary = selectors.summarise([indicator])[0]
    assert summary.latest == "1\u00a0250\u00a0kr/inv"
    assert "1\u00a0000,5\u00a0kr/inv" in summary.comparison_sentences[0]
    assert summary.trend_sentence.startswith("Värdet har ökat från 120\u00a0kr/inv år 2023")


def test_null_is_shown_as_missing_not_zero(world):
    kpi = KpiFactory(id="N00100", title="Trygghet (%)")
    add_series(kpi, world["home"], {2022: 50.0, 2023: None, 2024: 52.0})
    indicator = IndicatorFactory(kpi=kpi, title="Trygghet")
    summary = selectors.summarise([indicator])[0]
    rows = {row.year: row.home for row in summary.rows}
    assert rows[2023] == "–"
    assert summary.chart.series[0].path.count("M") == 2  # the line breaks at the gap


def test_unpublished_indicator_is_not_shown(world):
    world["indicator"].is_published = False
    world["indicator"].save()
    assert selectors.goal_panel(world["goal"]) is None
    assert selectors.indicator_detail(world["indicator"].pk) is None


def test_assignment_panel(world):
    assignment = AssignmentFactory(goal=world["goal"])
    assert selectors.assignment_panel(assignment) is None
    LinkFactory(indicator=world["indicator"], goal=world["goal"], assignment=assignment)
    panel = selectors.assignment_panel(assignment)
    assert "Sjukfrånvaro bland medarbetarna" in render_panel(panel)


def test_own_indicator_is_labelled_as_the_municipalitys(world):
    from insyn.indicators.services import indicator_create, own_value_set

    indicator = indicator_create(
        kpi=None, title="Trygghetsvandringar", unit="antal", is_published=True
    )
    own_value_set(indicator=indicator, period=2024, value=12)
    LinkFactory(indicator=indicator, goal=world["goal"])
    text = text_of(render_panel(selectors.goal_panel(world["goal"])))
    assert "Källa: Uppsala (egen uppgift)" in text


def test_goal_page_renders_the_panel(client, world):
    from tests.factories import PeriodFactory

    PeriodFactory(plan=world["goal"].plan)
    response = client.get(world["goal"].get_absolute_url())
    assert response.status_code == 200
    assert "Sjukfrånvaro bland medarbetarna" in response.content.decode()


def test_indicator_list_and_page(client, world):
    response = client.get(reverse("indicators:index"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Sjukfrånvaro bland medarbetarna" in body and "Minskar" not in body
    assert "Ökar" in body and "(sämre)" in body
    response = client.get(world["indicator"].get_absolute_url())
    assert response.status_code == 200
    text = text_of(response.content.decode())
    assert "Kvinnor och män" in text
    assert "Linköping" in text and "Örebro" in text and "(vår kommun)" in text
    assert "Senast uppdaterad" in text


def test_indicator_page_404_for_unknown(client, world):
    assert client.get(reverse("indicators:detail", args=[99999])).status_code == 404


def _many_indicators(goal, home, peers, n):
    for i in range(n):
        kpi = KpiFactory(is_divided_by_gender=bool(i % 2))
        add_series(kpi, home, {y: float(i + y - 2000) for y in YEARS})
        if i % 2:
            add_series(kpi, home, {y: 1.0 for y in YEARS}, gender=Gender.WOMEN)
        for peer in peers:
            add_series(kpi, peer, {y: 3.0 for y in YEARS})
        indicator = IndicatorFactory(kpi=kpi)
        LinkFactory(indicator=indicator, goal=goal)
        TargetFactory(indicator=indicator)


@pytest.mark.parametrize("scale", [1, 10])
def test_goal_panel_queries_are_bounded(world, django_assert_max_num_queries, scale):
    peers = list(world["group"].members.all())
    _many_indicators(world["goal"], world["home"], peers, 2 * scale)
    # links, targets, the peer groups with their members, every value: 5 (8 before issue 13)
    with django_assert_max_num_queries(5):
        panel = selectors.goal_panel(world["goal"])
        render_panel(panel)
    assert len(panel.context["indicator_panel"]["summaries"]) == 2 * scale + 1


@pytest.mark.parametrize("scale", [1, 10])
def test_public_pages_queries_are_bounded(client, world, django_assert_max_num_queries, scale):
    peers = list(world["group"].members.all())
    _many_indicators(world["goal"], world["home"], peers, 2 * scale)
    client.get(reverse("indicators:index"))  # warm the municipality cache
    with django_assert_max_num_queries(10):
        assert client.get(reverse("indicators:index")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(world["indicator"].get_absolute_url()).status_code == 200
