"""Write parsed follow-up pages to the database.

`import_followup_files()` reads every file first and writes nothing unless all of them parse;
then it writes everything in one transaction. Re-importing the same page changes nothing: rows
are found again by natural keys (plan year, goal number, an assignment's import key, the
period's kind and label) and saved only when a value differs, so history stays meaningful.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from insyn.goals.indexing import index_period
from insyn.goals.models import (
    Assignment,
    AssignmentKind,
    FollowUpPeriod,
    Goal,
    GoalFollowUp,
    GoalKind,
    GoalSection,
    PeriodKind,
    PeriodState,
    Plan,
    Report,
    ReportState,
    Status,
)
from insyn.importers import followup_parser as parser
from insyn.importers.followup_parser import FollowupParse, FollowupParseError
from insyn.organisations.models import Organisation, OrganisationGroup
from insyn.organisations.registry import Registry
from insyn.organisations.services import (
    _set_if_changed,
    ensure_organisation,
    registry_from_database,
)


class FollowupImportError(Exception):
    """A file could not be imported; the message names the file and line, in Swedish."""


class FollowupStrictError(FollowupImportError):
    """--strict: the pages were read but something needs checking, so nothing was written."""

    def __init__(self, result: ImportResult) -> None:
        self.result = result
        unplaced = len(result.unplaced_lines)
        super().__init__(
            f"--strict: {len(result.warnings)} varning(ar), varav {unplaced} rad(er) som inte "
            "kunde placeras; ingenting har sparats."
        )


@dataclass
class ImportResult:
    parses: list[FollowupParse] = field(default_factory=list)
    goals: int = 0
    assignments: int = 0
    created: int = 0
    periods: set[int] = field(default_factory=set)

    @property
    def warnings(self) -> list[str]:
        return [w for p in self.parses for w in p.warnings]

    @property
    def goals_read(self) -> int:
        return sum(len(p.goals) for p in self.parses)

    @property
    def assignments_read(self) -> int:
        return sum(len(g.assignments) for p in self.parses for g in p.goals)

    @property
    def line_count(self) -> int:
        return sum(len(p.lines) for p in self.parses)

    @property
    def unplaced_lines(self) -> list[tuple[str, int, str]]:
        """(file, line number, text) of every line no part of the parse claimed."""
        return [
            (p.source, line.number, line.text.strip())
            for p in self.parses
            for line in p.unplaced_lines
        ]

    def to_json(self) -> dict:
        """The dry-run contract: all goals of all files, and all warnings.

        "pages" (added later) says per file how every line was accounted for.
        """
        return {
            "goals": [g for p in self.parses for g in p.to_json()["goals"]],
            "warnings": self.warnings,
            "files": [p.source for p in self.parses],
            "pages": [
                {
                    "file": p.source,
                    "line_count": len(p.lines),
                    "line_roles": p.line_roles(),
                    "unplaced_lines": p.to_json()["unplaced_lines"],
                }
                for p in self.parses
            ],
        }


def read_page(path: str | Path) -> str:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise FollowupImportError(f"{path}: filen kan inte läsas ({exc.strerror}).") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FollowupImportError(f"{path}, rad {line}: filen är inte UTF-8-kodad text.") from exc


def parse_files(paths: Sequence[str | Path], registry: Registry) -> list[FollowupParse]:
    parses = []
    for path in paths:
        text = read_page(path)
        try:
            parses.append(parser.parse_followup(text, registry, source=str(path)))
        except FollowupParseError as exc:
            raise FollowupImportError(str(exc)) from exc
    return parses


def import_followup_files(
    paths: Sequence[str | Path],
    *,
    dry_run: bool = False,
    strict: bool = False,
    progress: Callable[[str], None] | None = None,
) -> ImportResult:
    """Parse every file, then write all of them in one transaction (or nothing on error).

    With `strict`, any warning (a line that could not be placed, a cross-check that disagrees,
    an unknown organisation) stops the import before anything is written
    (`FollowupStrictError`, which carries the parsed result for the report).
    `progress` is called with a line per file written (the command shows it at -v 2).
    """
    registry = registry_from_database()
    result = ImportResult(parses=parse_files(paths, registry))
    if strict and result.warnings:
        raise FollowupStrictError(result)
    if dry_run:
        return result
    with transaction.atomic():
        for parse in result.parses:
            _write_parse(parse, result)
            if progress is not None:
                progress(f"Skrev {parse.source}")
    _index_for_search(result.periods)
    return result


def _index_for_search(period_ids: Iterable[int]) -> None:
    for period in FollowUpPeriod.objects.filter(pk__in=list(period_ids)):
        index_period(period)


# -- writing ------------------------------------------------------------------------------------

PERIOD_KIND_BY_MONTH = {4: PeriodKind.APRIL, 8: PeriodKind.AUGUST, None: PeriodKind.ANNUAL}
STATUS_BY_CODE = {s.value: s for s in Status}


def _plan_for(year: int) -> Plan:
    plan, _ = Plan.objects.get_or_create(
        year=year,
        defaults={
            "title": f"Mål och budget {year} med plan för {year + 1}–{year + 2}",
            "last_year": year + 2,
        },
    )
    return plan


def _write_parse(parse: FollowupParse, result: ImportResult) -> None:
    for org in parse.unknown_organisations:
        ensure_organisation(name=org["name"], kind=org.get("kind") or "board")
    for goal_data in parse.goals:
        year = goal_data.period.year
        if year is None:
            raise FollowupImportError(
                f"{parse.source}, rad {goal_data.line}: året för uppföljningen framgår inte "
                '(till exempel av "Rapportering augusti 2023").'
            )
        _write_goal(goal_data, _plan_for(year), result, parse.source)


def _write_goal(data: parser.Goal, plan: Plan, result: ImportResult, source: str) -> None:
    kind = (
        GoalKind.INRIKTNINGSMAL
        if (data.kind_label or "").lower().startswith("inriktning")
        else GoalKind.FOKUSMAL
    )
    goal = Goal.objects.filter(plan=plan, number=data.number).first()
    values = {
        "kind": kind,
        "title": data.title,
        "short_title": data.short_title or "",
        "order": int(data.number) if data.number.isdigit() else 0,
    }
    if goal is None:
        goal = Goal.objects.create(plan=plan, number=data.number, **values)
        result.created += 1
    else:
        _set_if_changed(goal, **values)
    result.goals += 1
    _write_sections(goal, data.sections)
    period = _period_for(plan, data.period)
    result.periods.add(period.pk)
    follow_up, _ = GoalFollowUp.objects.get_or_create(goal=goal, period=period)
    _set_if_changed(
        follow_up,
        status=data.status or "",
        assessment=data.assessment or "",
        stated_trend=data.stated_trend or "",
        published_summary=data.published_summary or "",
    )
    organisations = {o.name: o for o in Organisation.objects.all()}
    not_affected = [organisations[name] for name in data.not_affected if name in organisations]
    if {o.pk for o in follow_up.not_affected_organisations.all()} != {o.pk for o in not_affected}:
        follow_up.not_affected_organisations.set(not_affected)
    groups = {g.name: g for g in OrganisationGroup.objects.all()}
    for order, item in enumerate(data.assignments):
        _write_assignment(goal, period, item, order, organisations, groups, result, source)


def _write_sections(goal: Goal, sections: list[parser.Section]) -> None:
    existing = list(goal.sections.all())
    for order, section in enumerate(sections):
        heading, body = section.heading or "", section.body
        if order < len(existing):
            _set_if_changed(existing[order], order=order, heading=heading, body=body)
        else:
            GoalSection.objects.create(goal=goal, order=order, heading=heading, body=body)
    for stale in existing[len(sections) :]:
        stale.delete()


def _period_for(plan: Plan, data: parser.Period) -> FollowUpPeriod:
    kind = PERIOD_KIND_BY_MONTH.get(data.month, PeriodKind.OTHER)
    label = data.label or str(kind.label)
    period = FollowUpPeriod.objects.filter(plan=plan, kind=kind, label=label).first()
    if period is None:
        # Imported pages are already published material.
        period = FollowUpPeriod.objects.create(
            plan=plan,
            year=data.year or plan.year,
            kind=kind,
            label=label,
            month=data.month,
            state=PeriodState.PUBLISHED,
            published_at=timezone.now(),
            published_on=_date_or_none(data.published),
        )
    elif data.published and period.published_on is None:
        period.published_on = _date_or_none(data.published)
        period.save(update_fields=["published_on"])
    return period


def _date_or_none(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _title_hash(title: str) -> str:
    normalised = " ".join(title.lower().split())
    return hashlib.sha1(normalised.encode()).hexdigest()[:16]


def import_key(item: parser.Assignment) -> str:
    if item.kind == "council" and item.number:
        return f"council:{item.number}"
    if item.kind == "remaining" and item.origin_year and item.origin_number:
        return f"remaining:{item.origin_year}:{item.origin_number}"
    if item.kind == "board_goal" and item.board_goal_code:
        return f"board_goal:{item.board_goal_code}"
    return f"{item.kind}:{_title_hash(item.title)}"


def _decision_date(item: parser.Assignment) -> dt.date | None:
    if item.decision and item.decision.date:
        try:
            return dt.date.fromisoformat(item.decision.date)
        except ValueError:
            return None
    return None


def _write_assignment(
    goal: Goal,
    period: FollowUpPeriod,
    item: parser.Assignment,
    order: int,
    organisations: dict[str, Organisation],
    groups: dict[str, OrganisationGroup],
    result: ImportResult,
    source: str,
) -> None:
    key = import_key(item)
    decision = item.decision or parser.Decision()
    values = {
        "kind": item.kind,
        "number": item.number or "",
        "title": item.title,
        "description": item.description or "",
        "order": order,
        "origin_year": item.origin_year,
        "origin_number": item.origin_number or "",
        "decision_case_number": decision.case_number or "",
        "decision_paragraph": decision.paragraph or "",
        "decision_body": decision.body or "",
        "decision_date": _decision_date(item),
        "board_goal_code": item.board_goal_code or "",
        "valid_until": item.valid_until,
    }
    found = Assignment.objects.filter(goal=goal, import_key=key).first()
    created = found is None
    if found is None:
        # A new assignment gets one history record, written once its links are set below:
        # each m2m set() would otherwise add a record of its own with a copy of every link
        # (four more records per assignment, most of an import's time).
        assignment = Assignment(goal=goal, import_key=key, **values)
        assignment.skip_history_when_saving = True  # type: ignore[attr-defined]
        assignment.save()
        result.created += 1
    else:
        assignment = found
        _set_if_changed(assignment, **values)
    if (
        item.kind == AssignmentKind.REMAINING
        and item.origin_year
        and item.origin_number
        and assignment.carried_over_from_id is None
    ):
        origin = Assignment.objects.filter(
            goal__plan__year=item.origin_year,
            number=item.origin_number,
            kind=AssignmentKind.COUNCIL,
        ).first()
        if origin is not None:
            _set_if_changed(assignment, carried_over_from=origin)
    _set_names(
        assignment.responsible_organisations,
        assignment.responsible_groups,
        item.responsible,
        organisations,
        groups,
        source,
    )
    _set_names(
        assignment.affected_organisations,
        assignment.affected_groups,
        item.affected,
        organisations,
        groups,
        source,
    )
    if created:
        del assignment.skip_history_when_saving  # type: ignore[attr-defined]
        # The creation record ("+", with the links) that the save above skipped.
        post_save.send(
            sender=Assignment,
            instance=assignment,
            created=True,
            update_fields=None,
            raw=False,
            using=assignment._state.db,
        )
    result.assignments += 1
    status = STATUS_BY_CODE.get(item.status or "", Status.UNKNOWN)
    report = Report.objects.filter(
        assignment=assignment, period=period, organisation__isnull=True
    ).first()
    report_values = {
        "status": status,
        "assessment": item.assessment or "",
        "assessment_label": item.assessment_label or "",
        "state": ReportState.APPROVED,
    }
    if report is None:
        Report.objects.create(
            assignment=assignment, period=period, organisation=None, **report_values
        )
    else:
        _set_if_changed(report, **report_values)


def _set_names(
    org_manager,
    group_manager,
    names: list[str],
    organisations: dict[str, Organisation],
    groups: dict[str, OrganisationGroup],
    source: str,
) -> None:
    wanted_orgs, wanted_groups = [], []
    for name in names:
        if name in groups:
            wanted_groups.append(groups[name])
        elif name in organisations:
            wanted_orgs.append(organisations[name])
        else:
            org = Organisation.objects.filter(name=name).first()
            if org is None:
                raise FollowupImportError(f"{source}: okänd organisation {name!r}.")
            organisations[name] = org
            wanted_orgs.append(org)
    if {o.pk for o in org_manager.all()} != {o.pk for o in wanted_orgs}:
        org_manager.set(wanted_orgs)
    if {g.pk for g in group_manager.all()} != {g.pk for g in wanted_groups}:
        group_manager.set(wanted_groups)
