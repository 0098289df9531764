from __future__ import annotations

import datetime as dt

import pytest

from insyn.goals.models import ReportState
from insyn.goals.selectors import completeness, completeness_sentence
from tests.world import open_period


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ((12, 12, 11, 13), "Alla nämnder och 11 av 13 bolagsstyrelser har rapporterat"),
        ((12, 12, 13, 13), "Alla nämnder och alla bolagsstyrelser har rapporterat"),
        ((8, 12, 7, 13), "8 av 12 nämnder och 7 av 13 bolagsstyrelser har rapporterat"),
        ((0, 12, 0, 13), "Ingen nämnd och ingen bolagsstyrelse har rapporterat ännu"),
        ((12, 12, 0, 13), "Alla nämnder men ingen bolagsstyrelse har rapporterat"),
        ((0, 12, 3, 13), "Ingen nämnd men 3 av 13 bolagsstyrelser har rapporterat"),
        ((1, 12, 1, 13), "1 av 12 nämnder och 1 av 13 bolagsstyrelser har rapporterat"),
        ((1, 1, 1, 1), "Nämnden och bolagsstyrelsen har rapporterat"),
        ((0, 1, 1, 1), "Ingen nämnd men bolagsstyrelsen har rapporterat"),
        ((1, 1, 0, 2), "Nämnden men ingen bolagsstyrelse har rapporterat"),
        ((5, 12, 0, 0), "5 av 12 nämnder har rapporterat"),
        ((12, 12, 0, 0), "Alla nämnder har rapporterat"),
        ((0, 12, 0, 0), "Ingen nämnd har rapporterat ännu"),
        ((0, 0, 13, 13), "Alla bolagsstyrelser har rapporterat"),
        ((0, 0, 1, 1), "Bolagsstyrelsen har rapporterat"),
        ((0, 0, 2, 13), "2 av 13 bolagsstyrelser har rapporterat"),
        ((0, 0, 0, 0), "Inga nämnder eller bolagsstyrelser ska rapportera i den här perioden."),
    ],
)
def test_it_writes_the_completeness_sentence(counts, expected):
    boards_done, boards_total, companies_done, companies_total = counts
    assert (
        completeness_sentence(
            boards_done=boards_done,
            boards_total=boards_total,
            companies_done=companies_done,
            companies_total=companies_total,
        )
        == expected
    )


def test_it_never_writes_a_broken_sentence_for_any_counts():
    for bt in range(4):
        for bd in range(bt + 1):
            for ct in range(4):
                for cd in range(ct + 1):
                    text = completeness_sentence(
                        boards_done=bd, boards_total=bt, companies_done=cd, companies_total=ct
                    )
                    assert text[0].isupper() or text[0].isdigit()
                    assert "  " not in text
                    if bt or ct:
                        assert "har rapporterat" in text


@pytest.mark.django_db
def test_it_counts_organisations_and_marks_the_overdue(world):
    open_period(world)
    world.period.reports.filter(organisation__in=[world.ks, world.son]).update(
        state=ReportState.SUBMITTED
    )
    progress = completeness(world.period)
    assert (progress.boards_done, progress.boards_total) == (2, 3)
    assert (progress.companies_done, progress.companies_total) == (0, 1)
    assert progress.sentence == "2 av 3 nämnder men ingen bolagsstyrelse har rapporterat"
    assert progress.overdue == []
    late = completeness(world.period, today=world.period.deadline + dt.timedelta(days=1))
    assert {row.organisation.name for row in late.overdue} == {
        "Utbildningsnämnden",
        "Uppsalahem AB",
    }
