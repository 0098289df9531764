"""Population CSV in SCB's table layout, and the representativeness maths."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from insyn.dialogue import representativeness, selectors
from insyn.dialogue.models import PopulationFigure
from insyn.dialogue.population import PopulationParseError, decode, parse_age, parse_population
from insyn.organisations.models import District
from tests.dialogue.factories import DistrictFactory, PublishedDialogueFactory, SurveyFactory

SCB = """"Folkmängden efter region, ålder och år"
"region","ålder","2022","2023"
"0380R012 Gottsunda","0 år",100,110
"0380R012 Gottsunda","1 år",100,120
"0380R012 Gottsunda","17 år",50,60
"0380R012 Gottsunda","18-29 år","1 200","1 300"
"0380R012 Gottsunda","80 år eller äldre",..,40
"0380R012 Gottsunda","totalt",9999,9999
"Årsta","100+ år",1,2
"""


def test_parses_scb_layout_and_sums_single_years_into_bands():
    table = parse_population(SCB)
    assert table.year == 2023
    code, bands = table.districts["Gottsunda"]
    assert code == "0380R012"
    assert bands == {"0-17": 290, "18-29": 1300, "80+": 40}
    assert table.districts["Årsta"][1] == {"80+": 2}
    assert parse_population(SCB, year=2022).districts["Gottsunda"][1]["80+"] == 0


def test_semicolon_tab_and_windows_1252():
    text = "region;ålder;2023\nSävja;45-64 år;900\n"
    assert parse_population(text).districts["Sävja"][1] == {"45-64": 900}
    assert parse_population(text.replace(";", "\t")).districts["Sävja"][1] == {"45-64": 900}
    assert parse_population(decode(text.encode("cp1252"))).total() == 900


@pytest.mark.parametrize(
    "text, message",
    [
        ("nothing here", "rubrikrad"),
        ('"region","ålder","2023"\n"X","25-35 år",1\n', "ryms inte"),
        ('"region","ålder","2023"\n"X","tjugo",1\n', "okänd ålder"),
        ('"region","ålder","2023"\n"X","20 år",abc\n', "inte ett heltal"),
        ('"region","ålder","2023"\n"X"\n', "för få kolumner"),
        ('"region","ålder","2023"\n', "inga befolkningsrader"),
    ],
)
def test_clear_errors_with_line_numbers(text, message):
    with pytest.raises(PopulationParseError) as error:
        parse_population(text)
    assert message in str(error.value)


def test_age_labels():
    assert parse_age("65–79 år") == "65-79"
    assert parse_age("80+") == "80+"
    assert parse_age("Totalt") is None
    with pytest.raises(ValueError):
        parse_age("65+ år")  # spans two bands


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_text_parses_or_fails_clearly(text):
    try:
        table = parse_population(text)
    except PopulationParseError as error:
        assert str(error)
    else:
        assert table.districts and table.total() >= 0


rows = st.lists(
    st.tuples(
        st.sampled_from(["Gottsunda", "Årsta", "Centrum"]),
        st.sampled_from(["0 år", "17 år", "18-29 år", "30-44 år", "45 år", "80+ år", "totalt"]),
        st.integers(min_value=0, max_value=10**6),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=100, deadline=None)
@given(rows)
def test_generated_tables_round_trip(data):
    text = '"region","ålder","2023"\n' + "".join(f'"{r}","{a}",{n}\n' for r, a, n in data)
    expected = sum(n for _r, a, n in data if a != "totalt")
    if all(a == "totalt" for _r, a, _n in data):
        with pytest.raises(PopulationParseError):
            parse_population(text)
    else:
        assert parse_population(text).total() == expected


@pytest.mark.django_db
def test_import_population_command_is_idempotent():
    path = Path(__file__).resolve().parents[2] / "insyn/dialogue/data/uppsala_population.csv"
    out = StringIO()
    call_command("import_population", str(path), stdout=out)
    call_command("import_population", str(path), stdout=out)
    assert (
        District.objects.filter(
            name__in=[
                "Gottsunda",
                "Stenhagen",
                "Årsta",
                "Sävja",
                "Storvreta",
                "Björklinge",
                "Gränby",
            ]
        ).count()
        == 7
    )
    assert PopulationFigure.objects.count() == District.objects.count() * 6
    assert "områden" in out.getvalue()


@pytest.mark.django_db
def test_import_population_command_reports_bad_files(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text('"region","ålder","2023"\n"X","hundra",1\n')
    with pytest.raises(CommandError, match="Rad 2"):
        call_command("import_population", str(bad))


# --- Representativeness ---------------------------------------------------------------------


def test_under_represented_means_below_half_the_population_share():
    groups = [("a", "A"), ("b", "B"), ("c", "C")]
    result = representativeness.compare(groups, {"a": 8, "b": 2}, {"a": 50, "b": 30, "c": 20})
    rows = {row.key: row for row in result.rows}
    assert rows["a"].participant_share == 0.8 and rows["a"].population_share == 0.5
    assert not rows["a"].under_represented
    assert rows["b"].participant_share == 0.2 and not rows["b"].under_represented  # 0.2 ≥ 0.15
    assert rows["c"].under_represented  # nobody from 20 % of the population
    assert rows["b"].participant_percent == "20,0\u00a0%"


def test_exactly_half_is_not_flagged_and_nothing_to_compare_flags_nothing():
    result = representativeness.compare(
        [("a", "A"), ("b", "B")], {"a": 3, "b": 1}, {"a": 1, "b": 1}
    )
    assert [r.under_represented for r in result.rows] == [False, False]  # 25 % vs 50 %: half
    empty = representativeness.compare([("a", "A")], {}, {"a": 10}, not_stated=4)
    assert not empty.comparable and not empty.flagged and empty.not_stated == 4


@given(
    st.dictionaries(st.sampled_from("abcde"), st.integers(0, 1000)),
    st.dictionaries(st.sampled_from("abcde"), st.integers(0, 10**6)),
)
def test_shares_sum_to_one_when_defined(part, pop):
    groups = [(k, k) for k in "abcde"]
    result = representativeness.compare(groups, part, pop)
    if sum(part.values()):
        assert abs(sum(r.participant_share for r in result.rows) - 1) < 1e-9
    if sum(pop.values()):
        assert abs(sum(r.population_share for r in result.rows) - 1) < 1e-9


@pytest.mark.django_db
def test_dialogue_view_counts_participants_and_flags_groups(staff_client):
    from insyn.dialogue import services

    north, south = DistrictFactory(name="Norr"), DistrictFactory(name="Söder")
    for district, count in ((north, 900), (south, 100)):
        PopulationFigure.objects.create(district=district, age_band="30-44", year=2023, count=count)
    dialogue = PublishedDialogueFactory(whole_municipality=True)
    survey = SurveyFactory(dialogue=dialogue)
    question = services.question_add(survey=survey, kind="text", text="Vad tycker du?")
    for district in [south] * 3 + [None]:
        services.survey_submit(
            survey=survey, answers={question.pk: "Bra"}, district=district, age_band="30-44"
        )
    data = selectors.dialogue_representativeness(dialogue)
    rows = {r.label: r for r in data.districts.rows}
    assert rows["Norr"].under_represented and not rows["Söder"].under_represented
    assert data.districts.not_stated == 1 and data.total == 4
    page = staff_client.get(f"/personal/dialog/{dialogue.pk}/representativitet/")
    assert "Underrepresenterad" in page.content.decode()
    staff_client.post(
        f"/personal/dialog/{dialogue.pk}/representativitet/",
        {"done_on": "2026-01-05", "district": north.pk, "description": "Dörrknackning i Norr"},
    )
    assert dialogue.outreach.get().district == north
