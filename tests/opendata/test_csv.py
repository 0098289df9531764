"""The CSV of a goal's follow-up, read back with the csv module."""

from __future__ import annotations

import csv
import io

import pytest

from tests.opendata.conftest import SECRET

pytestmark = pytest.mark.django_db

URL = "/api/v1/plans/2023/goals/4/follow-up.csv"


def read(response) -> list[dict[str, str]]:
    body = response.content
    assert body.startswith("\ufeff".encode())  # BOM: Excel reads it as UTF-8
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_csv_is_a_utf8_attachment(client, world):
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="insyn-2023-mal-4-uppfoljning.csv"'
    )
    assert response["Access-Control-Allow-Origin"] == "*"


def test_one_row_per_assignment_and_published_period(client, world):
    rows = read(client.get(URL))
    assert list(rows[0]) == [
        "Plan",
        "Mål",
        "Uppdrags-id",
        "Uppdrag",
        "Nummer",
        "Typ",
        "Titel",
        "Uppföljning",
        "Statuskod",
        "Status",
        "Ansvariga",
        "Bedömning",
    ]
    assert len(rows) == 4 * 2  # four assignments × April and August (not the draft period)
    assert {row["Uppföljning"] for row in rows} == {
        "Uppföljning per april 2023",
        "Delårsuppföljning per augusti 2023",
    }
    council, remaining, additional, board_goal = world.assignments
    by_key = {(row["Uppdrags-id"], row["Uppföljning"]): row for row in rows}

    august = by_key[(str(council.pk), "Delårsuppföljning per augusti 2023")]
    assert august == {
        "Plan": "2023",
        "Mål": "Fokusmål 4. Uppsala ska bli tryggare",
        "Uppdrags-id": str(council.pk),
        "Uppdrag": "Uppdrag 20",
        "Nummer": "20",
        "Typ": "Uppdrag",
        "Titel": "Förebygga brott",
        "Uppföljning": "Delårsuppföljning per augusti 2023",
        "Statuskod": "completed",
        "Status": "Slutfört",
        "Ansvariga": "Kulturnämnden",
        "Bedömning": "Sammanställd bedömning av Förebygga brott.",
    }
    april = by_key[(str(council.pk), "Uppföljning per april 2023")]
    assert (april["Statuskod"], april["Status"]) == ("on_track", "Enligt plan")
    # No compiled report in April: the status is unknown, the assessment empty.
    missing = by_key[(str(remaining.pk), "Uppföljning per april 2023")]
    assert (missing["Statuskod"], missing["Status"], missing["Bedömning"]) == (
        "unknown",
        "Status saknas",
        "",
    )
    assert (
        by_key[(str(remaining.pk), "Delårsuppföljning per augusti 2023")]["Ansvariga"]
        == "Alla nämnder och bolag"
    )
    assert (
        by_key[(str(board_goal.pk), "Delårsuppföljning per augusti 2023")]["Ansvariga"]
        == "Kulturnämnden; Uppsalahem AB"
    )
    assert (
        by_key[(str(additional.pk), "Delårsuppföljning per augusti 2023")]["Typ"]
        == "Tillkommande uppdrag"
    )


def test_csv_quotes_commas_quotes_and_newlines(client, world):
    council = world.assignments[0]
    report = council.reports.get(period=world.august, organisation__isnull=True)
    report.assessment = 'Rad ett, med "citat";\nrad två.'
    report.save()
    rows = read(client.get(URL))
    row = next(
        r
        for r in rows
        if r["Uppdrags-id"] == str(council.pk) and r["Uppföljning"].startswith("Delår")
    )
    assert row["Bedömning"] == 'Rad ett, med "citat";\nrad två.'


def test_csv_never_contains_unpublished_material(client, world):
    assert SECRET not in client.get(URL).content.decode("utf-8-sig")


def test_csv_of_a_goal_without_published_periods_has_only_the_header(client, world):
    world.april.state = world.august.state = "closed"
    world.april.save()
    world.august.save()
    assert read(client.get(URL)) == []


@pytest.mark.parametrize(
    "typed", ["-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", ' =HYPERLINK("http://x")', "@SUM(1)"]
)
def test_csv_never_hands_a_spreadsheet_a_formula(client, world, typed):
    """Issue 12 finding 5: the open-data CSV had no formula protection at all."""
    council = world.assignments[0]
    report = council.reports.get(period=world.august, organisation__isnull=True)
    report.assessment = typed
    report.save()
    rows = read(client.get(URL))
    row = next(
        r
        for r in rows
        if r["Uppdrags-id"] == str(council.pk) and r["Uppföljning"].startswith("Delår")
    )
    assert row["Bedömning"] == "'" + typed
