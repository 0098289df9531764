"""Write parsed follow-up pages to the database.

`import_followup_files()` reads every file first and writes nothing unless all of them parse;
then it writes everything in one transaction. Re-importing the same page changes nothing: rows
are found again by natural keys (plan year, goal number, an assignment's import key, the
period's kind and label) and saved only when a value differs, so history stays meaningful.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any, cast

from django.apps import apps
from django.db import connection, transaction
from django.db.models import ManyToManyField
from django.urls import get_resolver
from django.utils import timezone
from simple_history.models import HistoricalRecords

from insyn.core.bulk import MAX_PARAMS, insert_objects, new_object
from insyn.core.parallel import forked
from insyn.core.parallel import two_cpus as _two_cpus
from insyn.core.publication import bump_publication_version
from insyn.goals.indexing import index_plans
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
    free_assignment_slug,
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
from insyn.search.services import PARALLEL_STEMMING_FROM, stem_texts


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


# From this many pages on, a second process parses the second half while this one parses the
# first (parsing is pure: the pages and the registry in, a FollowupParse out). Below it, starting
# the process and bringing its results back costs more than it saves.
PARALLEL_FROM = 200


def parse_files(
    paths: Sequence[str | Path],
    registry: Registry,
    *,
    meanwhile: Callable[[], object] | None = None,
) -> list[FollowupParse]:
    """Every page parsed, in file order; the first page that cannot be read or parsed raises
    FollowupImportError, as when they are parsed one after the other.

    `meanwhile` is called once this process has parsed its half of many pages, while the
    second process finishes and sends its half back (it took a few tenths of a second longer:
    time this process would spend waiting). With few pages it is not called."""
    paths = list(paths)
    if len(paths) < PARALLEL_FROM or not _two_cpus():
        return _parse_each(paths, registry, stop_at_error=True)  # type: ignore[return-value]
    half = (len(paths) + 1) // 2
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        second = pool.submit(_parse_each, paths[half:], registry)
        try:
            parses = _parse_each(paths[:half], registry, stop_at_error=True)
            if meanwhile is not None:
                meanwhile()
        except BaseException:
            second.cancel()
            raise
        for item in second.result():
            if isinstance(item, str):
                raise FollowupImportError(item)
            parses.append(item)
    return parses  # type: ignore[return-value]


def _parse_each(
    paths: Sequence[str | Path], registry: Registry, *, stop_at_error: bool = False
) -> list[FollowupParse | str]:
    """The pages parsed; at the first that fails, its message (or the error, if stop_at_error)."""
    parses: list[FollowupParse | str] = []
    for path in paths:
        try:
            text = read_page(path)
            try:
                parses.append(parser.parse_followup(text, registry, source=str(path)))
            except FollowupParseError as exc:
                raise FollowupImportError(str(exc)) from exc
        except FollowupImportError as exc:
            if stop_at_error:
                raise
            parses.append(str(exc))
            break
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
    # While the second parsing process finishes, a run that writes loads the URL configuration
    # its search documents' addresses need (every app's URLs and views: 0.2 s that would come
    # later, with nothing beside it).
    result = ImportResult(
        parses=parse_files(paths, registry, meanwhile=None if dry_run else _load_urls)
    )
    if strict and result.warnings:
        raise FollowupStrictError(result)
    if dry_run:
        return result
    # The pages' texts are stemmed for search in a second process while this one writes them.
    texts = _searchable_texts(result.parses)
    stemmed = forked(stem_texts, texts, fork=len(texts) >= PARALLEL_STEMMING_FROM)
    try:
        with transaction.atomic():
            writer = _Writer(result)
            writer.write(progress)
            # In the same transaction: a run killed after its rows were written leaves no
            # rows that search does not know (which a re-run that changes nothing would not
            # repair).
            _index_for_search(
                result.periods,
                writer.changed_plans,
                known_stems=lambda: dict(zip(texts, stemmed.result(), strict=True)),
            )
    finally:
        stemmed.close()  # a run that changed nothing, or failed, does not wait for it
    return result


def _load_urls() -> None:
    get_resolver().reverse_dict  # noqa: B018 (reading it loads and indexes every URL pattern)


def _searchable_texts(parses: list[FollowupParse]) -> list[str]:
    """The pages' texts that search documents are made of (insyn.goals.indexing), once each:
    goal sections, assessments and assignment descriptions."""
    texts: dict[str, None] = {}
    for parse in parses:
        for goal in parse.goals:
            for section in goal.sections:
                texts[section.heading or ""] = texts[section.body] = None
            texts[goal.assessment or ""] = None
            for item in goal.assignments:
                texts[item.description or ""] = texts[item.assessment or ""] = None
    return list(texts)


def _index_for_search(
    period_ids: Iterable[int],
    plan_ids: set[int],
    *,
    known_stems: Callable[[], Mapping[str, str]] | None = None,
) -> None:
    """One index pass for the plans the run changed that have a published period among the
    run's (as `index_period` for each of those periods would): a plan the run left as it was
    already has the documents it would write (every service that changes a plan indexes it)."""
    if not plan_ids:
        return
    periods = FollowUpPeriod.objects.filter(pk__in=list(period_ids), plan_id__in=plan_ids)
    published = {period.plan_id for period in periods if period.is_published}
    if published:
        index_plans(published, two_processes=True, known_stems=known_stems)


# -- writing ------------------------------------------------------------------------------------
#
# The writer reads what the run's plans already hold once (goals, sections, follow-ups,
# assignments with their links, compiled reports), decides page by page in file order exactly
# as a row-by-row import would, and keeps what is new in memory until `flush()` writes it with
# one bulk INSERT per table (and per batch), history records included. A change to a row that
# already exists is saved at once with `save()` (its history record and signals as before); when
# such a change touches a row that is still only in memory (the same goal on two pages of one
# run), everything pending is flushed first, so the rows and their history come out as if each
# had been saved when it was read. So an import costs a number of queries per run, not per row
# (tests/importers/test_import_queries.py pins it).

PERIOD_KIND_BY_MONTH = {4: PeriodKind.APRIL, 8: PeriodKind.AUGUST, None: PeriodKind.ANNUAL}
STATUS_BY_CODE = {s.value: s for s in Status}
LINK_FIELDS = (
    "responsible_organisations",
    "responsible_groups",
    "affected_organisations",
    "affected_groups",
)


def _link_field(name: str) -> ManyToManyField:
    return cast(ManyToManyField, Assignment._meta.get_field(name))


def _plan_for(year: int) -> Plan:
    plan, _ = Plan.objects.get_or_create(
        year=year,
        defaults={
            "title": f"Mål och budget {year} med plan för {year + 1}–{year + 2}",
            "last_year": year + 2,
        },
    )
    return plan


@dataclass(eq=False)
class _FollowUpRows:
    follow_up: GoalFollowUp
    not_affected: set[int] = field(default_factory=set)


@dataclass(eq=False)
class _AssignmentRows:
    assignment: Assignment
    links: dict[str, list[int]] = field(default_factory=dict)  # m2m field → linked pks
    reports: dict[int, Report] = field(default_factory=dict)  # compiled report by period pk


@dataclass(eq=False)
class _GoalRows:
    goal: Goal
    sections: list[GoalSection] = field(default_factory=list)
    follow_ups: dict[int, _FollowUpRows] = field(default_factory=dict)  # by period pk
    assignments: dict[str, _AssignmentRows] = field(default_factory=dict)  # by import key
    slugs: set[str] = field(default_factory=set)


@dataclass
class _Pending:
    goals: list[Goal] = field(default_factory=list)
    sections: list[GoalSection] = field(default_factory=list)
    follow_ups: list[_FollowUpRows] = field(default_factory=list)
    assignments: list[_AssignmentRows] = field(default_factory=list)
    carried_over: list[tuple[Assignment, Assignment]] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.goals or self.sections or self.follow_ups or self.assignments)


def _create_with_history(model, objects: list) -> list:
    """INSERT the rows in bulk, and their "+" history records as `save()` would have."""
    if objects:
        insert_objects(model, objects)
        _record_creation(model, [obj.pk for obj in objects])
    return objects


def _max_params() -> int:
    return min(MAX_PARAMS, connection.features.max_query_params or MAX_PARAMS)


def _id_batches(ids: list[int]):
    size = min(5000, (connection.features.max_query_params or 5000) - 1)
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]
        yield batch, ", ".join(["%s"] * len(batch))


def _record_creation(model, pks: list[int]) -> None:
    """The "+" history record of each new row, copied by the database from the row itself.

    The record simple-history's post_save writes for a `save()` (every tracked column as saved,
    the time, no change reason, the signed-in user of the current request if any), without a
    Python object per record.
    """
    history = model.history.model
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in history.tracked_fields)
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    user_id = user.pk if user is not None and user.is_authenticated else None
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    pk = qn(model._meta.pk.column)
    with connection.cursor() as cursor:
        for batch, placeholders in _id_batches(pks):
            cursor.execute(
                f"INSERT INTO {qn(history._meta.db_table)} ({columns}, history_date, "
                "history_type, history_user_id, history_change_reason) "
                f"SELECT {columns}, %s, '+', %s, NULL FROM {qn(model._meta.db_table)} "
                f"WHERE {pk} IN ({placeholders}) ORDER BY {pk}",
                [now, user_id, *batch],
            )


def _link_assignments(pending: list[_AssignmentRows]) -> None:
    """The new assignments' organisation and group links, and the copy of them that
    simple-history keeps with each assignment's "+" record (one row per link and field)."""
    qn = connection.ops.quote_name
    pks = [rows.assignment.pk for rows in pending]
    with connection.cursor() as cursor:
        for name in LINK_FIELDS:
            m2m = _link_field(name)
            through: Any = m2m.remote_field.through
            source, target = qn(m2m.m2m_column_name()), qn(m2m.m2m_reverse_name())
            # Multi-row INSERTs: executemany binds and steps one row at a time (about 75,000
            # links for 1,000 pages; half a second on SQLite, issue 13).
            pairs = [(rows.assignment.pk, pk) for rows in pending for pk in rows.links[name]]
            head = f"INSERT INTO {qn(through._meta.db_table)} ({source}, {target}) VALUES "
            size = _max_params() // 2
            for start in range(0, len(pairs), size):
                batch = pairs[start : start + size]
                cursor.execute(
                    head + ", ".join(["(%s, %s)"] * len(batch)),
                    list(chain.from_iterable(batch)),
                )
            history: Any = apps.get_model("goals", f"HistoricalAssignment_{name}")
            columns = [qn(f.column) for f in through._meta.concrete_fields]
            for batch, placeholders in _id_batches(pks):
                cursor.execute(
                    f"INSERT INTO {qn(history._meta.db_table)} ({', '.join(columns)}, history_id) "
                    f"SELECT {', '.join('t.' + c for c in columns)}, h.history_id "
                    f"FROM {qn(through._meta.db_table)} t "
                    f"JOIN {qn(Assignment.history.model._meta.db_table)} h "
                    f"ON h.id = t.{source} AND h.history_type = '+' "
                    f"WHERE t.{source} IN ({placeholders}) ORDER BY t.id",
                    batch,
                )


class _Writer:
    def __init__(self, result: ImportResult) -> None:
        self.result = result
        self.pending = _Pending()
        self.organisations: dict[str, Organisation] = {}
        self.groups: dict[str, OrganisationGroup] = {}
        self.plans: dict[int, Plan] = {}
        self.periods: dict[tuple[int, str, str], FollowUpPeriod] = {}
        self.goals: dict[tuple[int, str], _GoalRows] = {}
        # Council assignments by (plan year, number), for a remaining assignment's origin:
        # (sort key as Assignment's ordering, pk or the pending assignment). Loaded when needed.
        self._origins: dict[tuple[int, str], list[tuple[tuple, int | Assignment]]] | None = None
        self._origin_years: set[int] = set()
        self._sequence = 0
        self.plan_years: dict[int, int] = {}
        # Plans whose rows the run created, changed or deleted (their search documents are
        # rebuilt); `_plan_id` is the plan of the goal being written.
        self.changed_plans: set[int] = set()
        self._plan_id: int | None = None

    def _changed(self) -> None:
        assert self._plan_id is not None
        self.changed_plans.add(self._plan_id)

    # -- the run -----------------------------------------------------------------------------

    def write(self, progress: Callable[[str], None] | None) -> None:
        parses = self.result.parses
        for parse in parses:
            for org in parse.unknown_organisations:
                ensure_organisation(name=org["name"], kind=org.get("kind") or "board")
        for parse in parses:
            for goal_data in parse.goals:
                if goal_data.period.year is None:
                    raise FollowupImportError(
                        f"{parse.source}, rad {goal_data.line}: året för uppföljningen framgår "
                        'inte (till exempel av "Rapportering augusti 2023").'
                    )
        self.organisations = {o.name: o for o in Organisation.objects.all()}
        self.groups = {g.name: g for g in OrganisationGroup.objects.all()}
        years = list(dict.fromkeys(_year(g) for p in parses for g in p.goals))
        self.plans = {plan.year: plan for plan in Plan.objects.filter(year__in=years)}
        for year in years:
            if year not in self.plans:
                self.plans[year] = _plan_for(year)
        self._origin_years = {
            item.origin_year
            for p in parses
            for g in p.goals
            for item in g.assignments
            if item.kind == AssignmentKind.REMAINING and item.origin_year and item.origin_number
        }
        self.plan_years = {plan.pk: year for year, plan in self.plans.items()}
        self._load([plan.pk for plan in self.plans.values()])
        if self._origin_years:
            self._load_origins()
        for parse in parses:
            for goal_data in parse.goals:
                self._write_goal(goal_data, self.plans[_year(goal_data)], parse.source)
            if progress is not None:
                progress(f"Skrev {parse.source}")
        self.flush()

    def _load(self, plan_ids: list[int]) -> None:
        """What the plans hold now, in a fixed number of queries."""
        for period in FollowUpPeriod.objects.filter(plan_id__in=plan_ids):
            self.periods[(period.plan_id, period.kind, period.label)] = period
        goals: dict[int, _GoalRows] = {}
        for goal in Goal.objects.filter(plan_id__in=plan_ids).order_by("pk"):
            goals[goal.pk] = self.goals[(goal.plan_id, goal.number)] = _GoalRows(goal)
        for section in GoalSection.objects.filter(goal__plan_id__in=plan_ids).order_by(
            "goal", "order"
        ):
            goals[section.goal_id].sections.append(section)
        follow_ups: dict[int, _FollowUpRows] = {}
        for follow_up in GoalFollowUp.objects.filter(goal__plan_id__in=plan_ids):
            follow_up_rows = follow_ups[follow_up.pk] = _FollowUpRows(follow_up)
            goals[follow_up.goal_id].follow_ups[follow_up.period_id] = follow_up_rows
        through = GoalFollowUp.not_affected_organisations.through
        for follow_up_id, organisation_id in through.objects.filter(
            goalfollowup__goal__plan_id__in=plan_ids
        ).values_list("goalfollowup_id", "organisation_id"):
            follow_ups[follow_up_id].not_affected.add(organisation_id)
        assignments: dict[int, _AssignmentRows] = {}
        for assignment in Assignment.objects.filter(goal__plan_id__in=plan_ids).order_by("pk"):
            goal_rows = goals[assignment.goal_id]
            rows = assignments[assignment.pk] = _AssignmentRows(
                assignment, links={name: [] for name in LINK_FIELDS}
            )
            goal_rows.slugs.add(assignment.slug)
            if assignment.import_key:
                goal_rows.assignments[assignment.import_key] = rows
        for name in LINK_FIELDS:
            m2m = _link_field(name)
            links: Any = m2m.remote_field.through
            for assignment_id, target_id in links.objects.filter(
                assignment__goal__plan_id__in=plan_ids
            ).values_list("assignment_id", m2m.m2m_reverse_name()):
                assignments[assignment_id].links[name].append(target_id)
        for report in Report.objects.filter(
            assignment__goal__plan_id__in=plan_ids, organisation__isnull=True
        ).order_by("pk"):
            assignments[report.assignment_id].reports.setdefault(report.period_id, report)

    def _update(self, obj, **values) -> None:
        """`_set_if_changed`, for a row that may still be pending (then everything is written
        first, so that the change gets its own history record after the creation's)."""
        if all(getattr(obj, name) == value for name, value in values.items()):
            return
        self._changed()
        if obj.pk is None:
            self.flush()
        _set_if_changed(obj, **values)

    # -- goals, sections, periods, follow-ups ---------------------------------------------------

    def _write_goal(self, data: parser.Goal, plan: Plan, source: str) -> None:
        result = self.result
        self._plan_id = plan.pk
        kind = (
            GoalKind.INRIKTNINGSMAL
            if (data.kind_label or "").lower().startswith("inriktning")
            else GoalKind.FOKUSMAL
        )
        values = {
            "kind": kind,
            "title": data.title,
            "short_title": data.short_title or "",
            "order": int(data.number) if data.number.isdigit() else 0,
        }
        goal_rows = self.goals.get((plan.pk, data.number))
        if goal_rows is None:
            goal = new_object(Goal, plan=plan, number=data.number, **values)
            goal_rows = self.goals[(plan.pk, data.number)] = _GoalRows(goal)
            self.pending.goals.append(goal)
            self._changed()
            result.created += 1
        else:
            goal = goal_rows.goal
            if values["order"] != goal.order:
                self._origins = None  # the ordering of origins changes: read again
            self._update(goal, **values)
        result.goals += 1
        self._write_sections(goal_rows, data.sections)
        period = self._period_for(plan, data.period)
        result.periods.add(period.pk)
        follow_up_values = {
            "status": data.status or "",
            "assessment": data.assessment or "",
            "stated_trend": data.stated_trend or "",
            "published_summary": data.published_summary or "",
        }
        not_affected = [
            self.organisations[name] for name in data.not_affected if name in self.organisations
        ]
        follow_up_rows = goal_rows.follow_ups.get(period.pk)
        if follow_up_rows is None:
            follow_up_rows = goal_rows.follow_ups[period.pk] = _FollowUpRows(
                new_object(GoalFollowUp, goal=goal, period=period, **follow_up_values),
                not_affected={o.pk for o in not_affected},
            )
            self.pending.follow_ups.append(follow_up_rows)
            self._changed()
        else:
            follow_up = follow_up_rows.follow_up
            self._update(follow_up, **follow_up_values)
            if follow_up_rows.not_affected != {o.pk for o in not_affected}:
                self._changed()
                if follow_up.pk is None:
                    self.flush()
                follow_up.not_affected_organisations.set(not_affected)
                follow_up_rows.not_affected = {o.pk for o in not_affected}
        for order, item in enumerate(data.assignments):
            self._write_assignment(goal_rows, period, item, order, source)

    def _write_sections(self, goal_rows: _GoalRows, sections: list[parser.Section]) -> None:
        existing = goal_rows.sections
        for order, section in enumerate(sections):
            heading, body = section.heading or "", section.body
            if order < len(existing):
                self._update(existing[order], order=order, heading=heading, body=body)
            else:
                new = new_object(
                    GoalSection, goal=goal_rows.goal, order=order, heading=heading, body=body
                )
                existing.append(new)
                self.pending.sections.append(new)
                self._changed()
        stale = existing[len(sections) :]
        if stale:
            self._changed()
        if any(row.pk is None for row in stale):
            self.flush()
        for row in stale:
            row.delete()
        del existing[len(sections) :]

    def _period_for(self, plan: Plan, data: parser.Period) -> FollowUpPeriod:
        kind = PERIOD_KIND_BY_MONTH.get(data.month, PeriodKind.OTHER)
        label = data.label or str(kind.label)
        period = self.periods.get((plan.pk, kind, label))
        if period is None:
            # Imported pages are already published material.
            period = self.periods[(plan.pk, kind, label)] = FollowUpPeriod.objects.create(
                plan=plan,
                year=data.year or plan.year,
                kind=kind,
                label=label,
                month=data.month,
                state=PeriodState.PUBLISHED,
                published_at=timezone.now(),
                published_on=_date_or_none(data.published),
            )
            self._changed()
        elif data.published and period.published_on is None:
            self._changed()
            period.published_on = _date_or_none(data.published)
            period.save(update_fields=["published_on"])
        return period

    # -- assignments and their reports -----------------------------------------------------------

    def _write_assignment(
        self,
        goal_rows: _GoalRows,
        period: FollowUpPeriod,
        item: parser.Assignment,
        order: int,
        source: str,
    ) -> None:
        result = self.result
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
        links = {
            "responsible": self._names(item.responsible, source),
            "affected": self._names(item.affected, source),
        }
        wanted = {
            "responsible_organisations": links["responsible"][0],
            "responsible_groups": links["responsible"][1],
            "affected_organisations": links["affected"][0],
            "affected_groups": links["affected"][1],
        }
        rows = goal_rows.assignments.get(key)
        if rows is None:
            # A new assignment gets one history record, with its links (written by flush()).
            assignment = new_object(Assignment, goal=goal_rows.goal, import_key=key, **values)
            assignment.slug = free_assignment_slug(assignment, goal_rows.slugs)
            goal_rows.slugs.add(assignment.slug)
            rows = goal_rows.assignments[key] = _AssignmentRows(assignment, links=wanted)
            self.pending.assignments.append(rows)
            self._changed()
            result.created += 1
            if item.kind == AssignmentKind.REMAINING and item.origin_year and item.origin_number:
                origin = self._origin(item.origin_year, item.origin_number)
                if isinstance(origin, int):
                    assignment.carried_over_from_id = origin
                elif origin is not None:
                    self.pending.carried_over.append((assignment, origin))
            if assignment.kind == AssignmentKind.COUNCIL:
                self._add_origin(goal_rows.goal, assignment)
        else:
            assignment = rows.assignment
            if any(
                getattr(assignment, name) != values[name] for name in ("kind", "number", "order")
            ):
                self._origins = None  # read again when next needed
            if not assignment.slug and assignment.pk is not None:
                self.flush()  # save() gives it a slug from the goal's rows in the database
            self._update(assignment, **values)
            goal_rows.slugs.add(assignment.slug)
            if (
                item.kind == AssignmentKind.REMAINING
                and item.origin_year
                and item.origin_number
                and assignment.carried_over_from_id is None
            ):
                origin = self._origin(item.origin_year, item.origin_number)
                if isinstance(origin, Assignment):
                    self.flush()
                    origin = origin.pk
                if origin is not None:
                    self._update(assignment, carried_over_from_id=origin)
            for name in LINK_FIELDS:
                if set(rows.links[name]) != set(wanted[name]):
                    self._changed()
                    if assignment.pk is None:
                        self.flush()
                    getattr(assignment, name).set(wanted[name])
                    rows.links[name] = wanted[name]
        result.assignments += 1
        status = STATUS_BY_CODE.get(item.status or "", Status.UNKNOWN)
        report_values = {
            "status": status,
            "assessment": item.assessment or "",
            "assessment_label": item.assessment_label or "",
            "state": ReportState.APPROVED,
        }
        report = rows.reports.get(period.pk)
        if report is None:
            report = rows.reports[period.pk] = new_object(
                Report, assignment=assignment, period=period, organisation=None, **report_values
            )
            self.pending.reports.append(report)
            self._changed()
        else:
            self._update(report, **report_values)

    def _names(self, names: list[str], source: str) -> tuple[list[int], list[int]]:
        """(organisation pks, group pks) named, a group's name before an organisation's."""
        organisations: dict[int, None] = {}
        groups: dict[int, None] = {}
        for name in names:
            if name in self.groups:
                groups[self.groups[name].pk] = None
            elif name in self.organisations:
                organisations[self.organisations[name].pk] = None
            else:
                org = Organisation.objects.filter(name=name).first()
                if org is None:
                    raise FollowupImportError(f"{source}: okänd organisation {name!r}.")
                self.organisations[name] = org
                organisations[org.pk] = None
        return list(organisations), list(groups)

    def _origin(self, year: int, number: str) -> int | Assignment | None:
        """The council assignment a remaining one came from, as
        `Assignment.objects.filter(goal__plan__year=year, number=number, kind=COUNCIL).first()`
        would find it at this point of the run: a pk, a pending assignment or None."""
        if self._origins is None:
            self.flush()
            self._load_origins()
        assert self._origins is not None
        found = self._origins.get((year, number))
        return min(found, key=lambda entry: entry[0])[1] if found else None

    def _load_origins(self) -> None:
        self._origins = {}
        candidates = Assignment.objects.filter(
            kind=AssignmentKind.COUNCIL, goal__plan__year__in=self._origin_years
        ).values_list("pk", "number", "order", "goal__plan__year", "goal__order", "goal__number")
        for pk, a_number, order, a_year, goal_order, goal_number in candidates:
            self._origins.setdefault((a_year, a_number), []).append(
                ((goal_order, goal_number, order, 0, pk), pk)
            )

    def _add_origin(self, goal: Goal, assignment: Assignment) -> None:
        year = self.plan_years[goal.plan_id]
        if self._origins is None or year not in self._origin_years:
            return
        self._sequence += 1  # a new row's pk is larger than every existing one, in this order
        self._origins.setdefault((year, assignment.number), []).append(
            ((goal.order, goal.number, assignment.order, 1, self._sequence), assignment)
        )

    # -- writing what is pending -------------------------------------------------------------------

    def flush(self) -> None:
        pending, self.pending = self.pending, _Pending()
        if not pending:
            return
        _create_with_history(Goal, pending.goals)
        _create_with_history(GoalSection, pending.sections)
        _create_with_history(GoalFollowUp, [rows.follow_up for rows in pending.follow_ups])
        through = GoalFollowUp.not_affected_organisations.through
        through.objects.bulk_create(
            through(goalfollowup_id=rows.follow_up.pk, organisation_id=organisation_id)
            for rows in pending.follow_ups
            for organisation_id in sorted(rows.not_affected)
        )
        self._create_assignments(pending)
        _create_with_history(Report, pending.reports)
        # bulk_create sends no post_save: the public pages' version is bumped here, once.
        bump_publication_version()

    def _create_assignments(self, pending: _Pending) -> None:
        assignments = [rows.assignment for rows in pending.assignments]
        if not assignments:
            return
        insert_objects(Assignment, assignments)
        for assignment, origin in pending.carried_over:
            assignment.carried_over_from_id = origin.pk
        if pending.carried_over:
            Assignment.objects.bulk_update(
                [assignment for assignment, _origin in pending.carried_over],
                ["carried_over_from"],
            )
        _record_creation(Assignment, [assignment.pk for assignment in assignments])
        _link_assignments(pending.assignments)


def _year(goal: parser.Goal) -> int:
    """The goal's plan year (`write()` refuses a page without one before anything else)."""
    assert goal.period.year is not None
    return goal.period.year


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
