"""Writing published follow-up pages to the database: counts, idempotency, atomicity."""

from __future__ import annotations

import io
import json

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from insyn.goals.models import (
    Assignment,
    AssignmentKind,
    FollowUpPeriod,
    Goal,
    GoalFollowUp,
    PeriodState,
    Report,
    Status,
)
from insyn.goals.summary import StatusCounts, summary_sentence
from insyn.importers.services import FollowupImportError, import_followup_files
from insyn.organisations.models import Organisation
from tests.importers import GOAL_1, GOAL_4

pytestmark = pytest.mark.django_db


def counts_for(goal: Goal) -> StatusCounts:
    statuses = (
        Report.objects.filter(assignment__goal=goal, organisation__isnull=True)
        .exclude(assignment__kind=AssignmentKind.BOARD_GOAL)
        .values_list("status", flat=True)
    )
    return StatusCounts.from_statuses(statuses)


def snapshot() -> dict[str, int]:
    models = [Goal, Assignment, Report, GoalFollowUp, FollowUpPeriod, Organisation]
    counts = {m.__name__: m.objects.count() for m in models}
    counts.update({f"history_{m.__name__}": m.history.count() for m in models})
    return counts


def test_it_imports_both_seeds_with_the_published_counts(registry):
    import_followup_files([GOAL_4, GOAL_1])

    goal4 = Goal.objects.get(plan__year=2023, number="4")
    assert goal4.title == "Uppsala ska bli tryggare med jämlika livsvillkor"
    assert counts_for(goal4) == StatusCounts(completed=1, on_track=9, delayed=2)
    assert summary_sentence(counts_for(goal4), goal4.kind_definite) == (
        "Ett av kommunfullmäktiges tolv uppdrag inom fokusmålet är klart. "
        "Nio uppdrag pågår enligt plan och två uppdrag är försenade."
    )
    goal1 = Goal.objects.get(plan__year=2023, number="1")
    assert counts_for(goal1) == StatusCounts(completed=1, on_track=14, delayed=3)
    assert goal1.assignments.filter(kind=AssignmentKind.BOARD_GOAL).count() == 2

    follow_up = GoalFollowUp.objects.get(goal=goal4)
    assert follow_up.status == "yellow"
    assert follow_up.stated_trend == "unchanged"
    assert follow_up.period.state == PeriodState.PUBLISHED
    assert follow_up.period.label == "Delårsuppföljning per augusti"
    assert [s.heading for s in goal4.sections.all()][:2] == [
        "Målbeskrivning",
        "Välkomna och inkluderade",
    ]


def test_it_links_organisations_and_groups(registry):
    import_followup_files([GOAL_4])
    goal = Goal.objects.get(plan__year=2023, number="4")

    a20 = goal.assignments.get(number="20")
    assert [g.name for g in a20.responsible_groups.all()] == ["Alla nämnder och bolag"]
    assert a20.responsible_organisations.count() == 0

    a25 = goal.assignments.get(number="25")
    assert sorted(o.name for o in a25.responsible_organisations.all()) == [
        "Omsorgsnämnden",
        "Socialnämnden",
        "Utbildningsnämnden",
    ]
    # Berörda "UBN, SCN och OSN": OSN is Omsorgsnämnden's other abbreviation.
    assert sorted(o.name for o in a25.affected_organisations.all()) == [
        "Omsorgsnämnden",
        "Socialnämnden",
        "Utbildningsnämnden",
    ]

    remaining = goal.assignments.get(kind=AssignmentKind.REMAINING, origin_number="19")
    assert remaining.origin_year == 2022
    assert remaining.heading == "Kvarvarande från 2022 uppdrag 19"
    report = remaining.reports.get(organisation__isnull=True)
    assert report.status == Status.DELAYED
    assert report.assessment.startswith("Från den 1 juli 2023")

    ethics = goal.assignments.get(decision_case_number="KSN-2019-03835")
    assert ethics.kind == AssignmentKind.ADDITIONAL
    assert ethics.decision_paragraph == "§379"
    assert str(ethics.decision_date) == "2020-09-14"
    assert ethics.reports.get().status == Status.COMPLETED


def test_reimporting_changes_nothing(registry):
    import_followup_files([GOAL_4, GOAL_1])
    before = snapshot()
    import_followup_files([GOAL_4, GOAL_1])
    assert snapshot() == before


def test_a_changed_page_updates_in_place_and_keeps_history(registry, tmp_path):
    import_followup_files([GOAL_4])
    changed = tmp_path / "changed.txt"
    changed.write_text(
        GOAL_4.read_text(encoding="utf-8").replace(
            "Arbete med revidering av handlingsplan pågår.", "Handlingsplanen är reviderad."
        ),
        encoding="utf-8",
    )
    assignments = Assignment.objects.count()
    import_followup_files([changed])
    assert Assignment.objects.count() == assignments
    report = Report.objects.get(assessment="Handlingsplanen är reviderad.")
    assert report.history.count() == 2
    assert report.history.last().assessment == "Arbete med revidering av handlingsplan pågår."


def test_a_bad_file_writes_nothing_and_names_file_and_line(registry, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("Det här är ingen uppföljningssida.\nBara text.\n", encoding="utf-8")
    before = snapshot()
    with pytest.raises(FollowupImportError) as excinfo:
        import_followup_files([GOAL_4, bad])
    assert "bad.txt" in str(excinfo.value)
    assert "rad" in str(excinfo.value)
    assert snapshot() == before


def test_a_file_that_is_not_utf8_is_refused(registry, tmp_path):
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Fokusmål 4. Trygghet\n".encode("latin-1"))
    with pytest.raises(FollowupImportError, match=r"latin1\.txt, rad 1: filen är inte UTF-8"):
        import_followup_files([latin1])


def test_dry_run_writes_nothing(registry):
    before = snapshot()
    result = import_followup_files([GOAL_4], dry_run=True)
    assert result.to_json()["goals"][0]["summary"]["assignments"] == 12
    assert snapshot() == before


def test_the_command_prints_the_json_contract(registry):
    out = io.StringIO()
    call_command("import_followup", str(GOAL_4), str(GOAL_1), dry_run=True, json=True, stdout=out)
    data = json.loads(out.getvalue())
    assert Goal.objects.count() == 0
    assert [g["number"] for g in data["goals"]] == ["4", "1"]
    goal4 = data["goals"][0]
    assert goal4["status"] == "yellow"
    assert goal4["period"] == {"label": "Delårsuppföljning per augusti", "year": 2023, "month": 8}
    assert goal4["summary"] == {
        "assignments": 12,
        "completed": 1,
        "on_track": 9,
        "delayed": 2,
        "not_done": 0,
        "unknown": 0,
    }
    first = goal4["assignments"][0]
    assert first["number"] == "20"
    assert first["kind"] == "council"
    assert first["status"] == "on_track"
    assert first["responsible"] == ["Alla nämnder och bolag"]
    assert isinstance(data["warnings"], list)
    assert data["goals"][1]["summary"]["assignments"] == 18


def test_the_command_fails_clearly_without_writing(registry, tmp_path):
    bad = tmp_path / "trasig.txt"
    bad.write_text("\n\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"trasig\.txt"):
        call_command("import_followup", str(bad))
    assert Goal.objects.count() == 0


def test_unknown_organisations_are_created(registry, tmp_path):
    page = tmp_path / "ny.txt"
    page.write_text(
        GOAL_4.read_text(encoding="utf-8").replace(
            "Ansvariga: Socialnämnden Bedömning", "Ansvariga: Socialnämnden Nya nämnden Bedömning"
        ),
        encoding="utf-8",
    )
    result = import_followup_files([page])
    assert Organisation.objects.filter(name="Nya nämnden", kind="board").exists()
    assert any("Nya nämnden" in w for w in result.warnings)


def test_load_demo_is_idempotent():
    call_command("load_demo", stdout=io.StringIO())
    before = snapshot()
    call_command("load_demo", stdout=io.StringIO())
    assert snapshot() == before
    assert Goal.objects.filter(plan__year=2023).count() == 2


def test_a_new_assignment_has_one_creation_record_with_its_organisations(registry):
    import_followup_files([GOAL_4])
    assignment = Assignment.objects.filter(responsible_organisations__isnull=False).first()
    records = list(assignment.history.all())
    assert [r.history_type for r in records] == ["+"]
    linked = {o.pk for o in assignment.responsible_organisations.all()}
    assert {row.organisation_id for row in records[0].responsible_organisations.all()} == linked


def test_the_command_pauses_the_cycle_collector_only_while_it_imports(registry, monkeypatch):
    import gc

    from insyn.importers.management.commands import import_followup as command

    seen = []

    def fake_import(files, **options):
        seen.append(gc.isenabled())
        raise FollowupImportError("trasig sida")

    monkeypatch.setattr(command, "import_followup_files", fake_import)
    assert gc.isenabled()
    with pytest.raises(CommandError, match="trasig sida"):
        call_command("import_followup", str(GOAL_4))
    assert seen == [False]
    assert gc.isenabled()  # again after the import, also when it failed


def _links() -> dict[str, set[tuple[str, str, str]]]:
    """Every organisation link of every assignment by natural keys (goal, import key, name),
    and the same of their creation records."""
    links: dict[str, set[tuple[str, str, str]]] = {}
    for name in ("responsible_organisations", "affected_organisations"):
        through = getattr(Assignment, name).through
        links[name] = set(
            through.objects.values_list(
                "assignment__goal__number", "assignment__import_key", "organisation__name"
            )
        )
        history = apps.get_model("goals", f"HistoricalAssignment_{name}")
        links[f"history {name}"] = {
            (record.history.goal.number, record.history.import_key, record.organisation.name)
            for record in history.objects.select_related("history", "organisation")
        }
    return links


def test_links_written_in_many_statements_are_the_same_links(registry, monkeypatch):
    """The organisation links go in as multi-row INSERTs of as many rows as the database takes;
    cut into statements of two rows they are the same rows, with the same history copies."""
    from django.db import transaction

    from insyn.importers import services

    with transaction.atomic():
        import_followup_files([GOAL_1, GOAL_4])
        one_statement = _links()
        transaction.set_rollback(True)
    assert len(one_statement["responsible_organisations"]) > 2
    assert (
        one_statement["history responsible_organisations"]
        == (one_statement["responsible_organisations"])
    )

    monkeypatch.setattr(services, "MAX_PARAMS", 4)  # two links a statement
    import_followup_files([GOAL_1, GOAL_4])
    assert _links() == one_statement
