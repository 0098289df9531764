"""Reads for the rest of the public record in the open-data API: dialogues with their results and
feedback, indicators with values and provenance, the budget, participatory budgets and fault-report
statistics. JSON-ready dicts with stable English keys, like `insyn.opendata.selectors`.

What is public follows the pages: a dialogue once it is published (never a draft), its feedback
once published, a survey's summary once published; indicators marked published; the newest
published budget upload of each year; a participatory budget's proposals once they are shown to
residents and assessed by the municipality, its votes once results are published; fault-report
statistics as counts only. No personal data: no participants, no e-mail addresses, no names, and
no text written by residents except the budget proposals the municipality has assessed and shows.

Each function costs a fixed number of queries whatever the amount of data (tests pin it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone

from insyn.dialogue.models import (
    Budget,
    Dialogue,
    DialogueState,
    LadderStep,
    MethodKind,
    Proposal,
    Survey,
)
from insyn.dialogue.selectors import public_dialogues
from insyn.feedback.models import Case, Category, Kind
from insyn.goals.models import Assignment, Goal
from insyn.indicators.models import (
    BudgetLine,
    Indicator,
    IndicatorTarget,
    Value,
)
from insyn.indicators.selectors import current_uploads as current_budget_uploads

Link = Callable[[str], str]
Json = dict[str, Any]


def _api(link: Link, name: str, *args: Any) -> str:
    return link(reverse(f"api:{name}", args=args))


def _date(value: dt.date | dt.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


# --- dialogues ---------------------------------------------------------------------------------


def _dialogue_queryset() -> QuerySet[Dialogue]:
    return (
        public_dialogues()
        .select_related("responsible_board")
        .prefetch_related(
            "districts",
            Prefetch("goals", Goal.objects.select_related("plan")),
            Prefetch("assignments", Assignment.objects.select_related("goal__plan")),
            Prefetch("surveys", Survey.objects.order_by("pk")),
            Prefetch("budgets", Budget.objects.order_by("pk")),
        )
        .order_by("-starts_on", "-pk")
    )


def _dialogue_json(d: Dialogue, link: Link, *, detail: bool) -> Json:
    ladder = dict(LadderStep.choices)
    methods = dict(MethodKind.choices)
    data: Json = {
        "id": d.pk,
        "url": _api(link, "dialogue", d.pk),
        "page": link(d.get_absolute_url()),
        "title": d.title,
        "state": "open" if d.state == DialogueState.PUBLISHED else "closed",
        "responsible_board": d.responsible_board.name if d.responsible_board_id else None,
        "starts_on": _date(d.starts_on),
        "ends_on": _date(d.ends_on),
        "feedback_due_on": _date(d.feedback_on),
        "feedback_published_at": _date(d.feedback_published_at),
        "published_at": _date(d.published_at),
    }
    if not detail:
        return data
    data.update(
        {
            "question": d.question,
            "purpose": d.purpose,
            "result_use": d.result_use,
            "decision_maker": d.decision_maker,
            "target_groups": d.target_groups,
            "politically_decided": d.politically_decided,
            "participation_ladder": [
                {"code": s, "label": str(ladder[s])} for s in d.ladder_steps if s in ladder
            ],
            "methods": [{"code": m, "label": str(methods[m])} for m in d.methods if m in methods],
            "whole_municipality": d.whole_municipality,
            "districts": [district.name for district in d.districts.all()],
            "anchoring": (
                {
                    "with": d.anchored_with,
                    "body": d.anchored_body,
                    "on": _date(d.anchored_on),
                }
                if d.is_anchored
                else None
            ),
            "goals": [
                {
                    "plan": g.plan.year,
                    "number": g.number,
                    "title": g.title,
                    "url": _api(link, "goal", g.plan.year, g.number),
                }
                for g in d.goals.all()
            ],
            "assignments": [
                {"title": a.heading, "url": _api(link, "assignment", a.pk)}
                for a in d.assignments.all()
            ],
            "results": [
                {
                    "survey": s.title,
                    "summary": s.summary,
                    "published_at": _date(s.summary_published_at),
                }
                for s in d.surveys.all()
                if s.summary_published_at
            ],
            "participatory_budgets": [
                _api(link, "participatory-budget", b.pk) for b in d.budgets.all()
            ],
            "feedback": (
                {
                    "summary": d.feedback_summary,
                    "usage": d.feedback_usage,
                    "decision": d.feedback_decision,
                    "published_at": _date(d.feedback_published_at),
                }
                if d.feedback_published_at
                else None
            ),
        }
    )
    return data


def dialogue_count() -> int:
    return public_dialogues().count()


def dialogues(link: Link, *, limit: int, offset: int) -> list[Json]:
    rows = _dialogue_queryset()[offset : offset + limit]
    return [_dialogue_json(d, link, detail=True) for d in rows]


def dialogue(pk: int, link: Link) -> Json | None:
    d = _dialogue_queryset().filter(pk=pk).first()
    return None if d is None else _dialogue_json(d, link, detail=True)


DIALOGUE_CSV_HEADER = [
    "id",
    "titel",
    "status",
    "ansvarig nämnd",
    "startar",
    "slutar",
    "återkoppling senast",
    "återkoppling publicerad",
    "steg på delaktighetstrappan",
    "metoder",
    "mål",
    "adress",
]


def dialogue_csv_rows(link: Link) -> list[list[Any]]:
    rows = []
    for d in _dialogue_queryset():
        data = _dialogue_json(d, link, detail=True)
        rows.append(
            [
                d.pk,
                d.title,
                "pågår" if data["state"] == "open" else "avslutad",
                data["responsible_board"] or "",
                data["starts_on"] or "",
                data["ends_on"] or "",
                data["feedback_due_on"] or "",
                data["feedback_published_at"] or "",
                "; ".join(s["label"] for s in data["participation_ladder"]),
                "; ".join(m["label"] for m in data["methods"]),
                "; ".join(f"{g['plan']} mål {g['number']}" for g in data["goals"]),
                data["page"],
            ]
        )
    return rows


# --- indicators --------------------------------------------------------------------------------


def _indicator_queryset() -> QuerySet[Indicator]:
    return (
        Indicator.objects.filter(is_published=True)
        .select_related("kpi")
        .prefetch_related(
            Prefetch("targets", IndicatorTarget.objects.order_by("year")),
        )
        .order_by("order", "title")
    )


def _indicator_json(ind: Indicator, link: Link) -> Json:
    return {
        "id": ind.pk,
        "url": _api(link, "indicator", ind.pk),
        "page": link(ind.get_absolute_url()),
        "title": ind.title,
        "description": ind.description,
        "unit": ind.unit,
        "direction": ind.direction,
        "kpi": {
            "id": ind.kpi_id,
            "source": ind.kpi.source,
            "title": ind.kpi.title,
            "publication_date": _date(ind.kpi.publication_date),
            "source_ref": ind.kpi.source_ref,
        },
        "targets": [{"year": t.year, "value": t.value} for t in ind.targets.all()],
    }


def indicators(link: Link) -> list[Json]:
    return [_indicator_json(i, link) for i in _indicator_queryset()]


def indicator(pk: int, link: Link) -> Json | None:
    ind = _indicator_queryset().filter(pk=pk).first()
    if ind is None:
        return None
    data = _indicator_json(ind, link)
    values = (
        Value.objects.filter(kpi_id=ind.kpi_id)
        .select_related("area")
        .order_by("area_id", "period", "gender")
    )
    data["values"] = [  # every area: the municipality, its peers and Kolada's averages
        {
            "area": {"id": v.area_id, "name": v.area.title, "type": v.area.type},
            "year": v.period,
            "gender": v.gender,
            "value": v.value,
            "status": v.status,
            "provenance": {
                "fetched_at": _date(v.fetched_at),
                "publication_date": _date(v.publication_date),
                "source_ref": v.source_ref,
            },
        }
        for v in values
    ]
    return data


# --- budget ------------------------------------------------------------------------------------


def budget(link: Link) -> list[Json]:
    uploads = current_budget_uploads()
    lines: dict[int, list[Json]] = defaultdict(list)
    for line in (
        BudgetLine.objects.filter(upload__in=list(uploads.values()))
        .select_related("organisation", "upload")
        .order_by("row")
    ):
        lines[line.upload.year].append(
            {
                "organisation": line.organisation.name,
                "organisation_url": _api(link, "organisation", line.organisation.slug),
                "activity": line.activity,
                "net_cost_mnkr": str(line.net_cost),
            }
        )
    return [
        {
            "year": year,
            "published_at": _date(upload.published_at),
            "note": upload.note,
            "lines": lines[year],
        }
        for year, upload in sorted(uploads.items(), reverse=True)
    ]


BUDGET_CSV_HEADER = ["år", "nämnd", "verksamhet", "nettokostnad (mnkr)"]


def budget_csv_rows(link: Link) -> list[list[Any]]:
    return [
        [year["year"], line["organisation"], line["activity"], line["net_cost_mnkr"]]
        for year in budget(link)
        for line in year["lines"]
    ]


# --- participatory budgets ---------------------------------------------------------------------


def _budget_queryset() -> QuerySet[Budget]:
    return (
        Budget.objects.filter(dialogue__in=public_dialogues())
        .select_related("dialogue")
        .order_by("-pk")
    )


def _proposals(budget_obj: Budget) -> QuerySet[Proposal]:
    return (
        # Moderated and assessed: one waiting for either is not yet in the record.
        Proposal.objects.public()
        .assessed()
        .filter(budget=budget_obj)
        .select_related("responsible_organisation")
        .prefetch_related("deliveries")
        .order_by("-votes", "title")
    )


def _budget_json(b: Budget, link: Link, *, detail: bool) -> Json:
    data: Json = {
        "id": b.pk,
        "url": _api(link, "participatory-budget", b.pk),
        "page": link(reverse("dialogue:budget", args=[b.dialogue_id, b.pk])),
        "dialogue": _api(link, "dialogue", b.dialogue_id),
        "title": b.title,
        "amount_sek": b.amount,
        "rule": b.rule,
        "counting": b.counting,
        "phase": b.phase,
        "results_published_at": _date(b.results_published_at),
    }
    if detail:
        results = b.results_published_at is not None
        data["projects"] = [
            {
                "title": p.title,
                "description": p.description,
                "place": p.place,
                "feasible": p.is_feasible,
                "answer": p.answer,
                "cost_sek": p.cost,
                "votes": p.votes if results else None,
                "selected": p.is_winner if results else None,
                "delivery": (
                    {
                        "stage": p.delivery_stage or None,
                        "responsible_organisation": p.responsible_organisation.name
                        if p.responsible_organisation_id
                        else None,
                        "updates": [
                            {
                                "stage": d.stage,
                                "on": _date(d.on),
                                "note": d.note,
                                "photo": (
                                    {"url": link(d.photo_url), "alt": d.photo_alt}
                                    if d.photo_url
                                    else None
                                ),
                            }
                            for d in p.deliveries.all()
                        ],
                    }
                    if results and p.is_winner
                    else None
                ),
            }
            for p in _proposals(b)
        ]
    return data


def participatory_budgets(link: Link) -> list[Json]:
    return [_budget_json(b, link, detail=False) for b in _budget_queryset()]


def participatory_budget(pk: int, link: Link) -> Json | None:
    b = _budget_queryset().filter(pk=pk).first()
    return None if b is None else _budget_json(b, link, detail=True)


# --- fault-report statistics -------------------------------------------------------------------

FAULT_STATISTICS_CSV_HEADER = ["månad", "kategori", "område", "inkomna", "åtgärdade"]


def fault_statistics(*, start: dt.date, end: dt.date) -> list[Json]:
    """Counts of fault reports received per month, category and area: numbers only, never text.

    Every received fault report counts (moderation decides what text is shown, not whether the
    municipality's workload is reported); merged duplicates count once.
    """
    tz = timezone.get_current_timezone()
    start_dt = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    end_dt = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    rows = (
        Case.objects.filter(
            kind=Kind.FAULT,
            merged_into__isnull=True,
            created_at__gte=start_dt,
            created_at__lt=end_dt,
        )
        .annotate(month=TruncMonth("created_at", tzinfo=tz))
        .values("month", "category_id", "area__name")
        .annotate(received=Count("id"), resolved=Count("id", filter=Q(resolved_at__isnull=False)))
        .order_by()
    )
    categories = dict(Category.objects.values_list("pk", "name"))
    result = []
    for row in rows:
        month = row["month"]
        month = timezone.localtime(month, tz) if timezone.is_aware(month) else month
        result.append(
            {
                "month": month.strftime("%Y-%m"),
                "category": categories.get(row["category_id"], ""),
                "area": row["area__name"] or "",
                "received": row["received"],
                "resolved": row["resolved"],
            }
        )
    result.sort(key=lambda r: (r["month"], r["category"], r["area"]))
    return result
