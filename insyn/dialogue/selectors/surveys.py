"""Survey results (counts per option, scale and ranking, the texts) and the survey export."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from insyn.dialogue.models import (
    Answer,
    Question,
    QuestionKind,
    Survey,
)


@dataclass
class OptionResult:
    text: str
    count: int
    percent: float
    mean_rank: float | None = None


@dataclass
class QuestionResult:
    question: Question
    answered: int
    options: list[OptionResult] = field(default_factory=list)
    mean: float | None = None
    texts: list[str] = field(default_factory=list)


def survey_results(survey: Survey, *, text_limit: int = 200) -> tuple[int, list[QuestionResult]]:
    """(responses, per-question results); a fixed number of queries whatever the size."""
    total = survey.responses.count()
    questions = list(survey.questions.prefetch_related("options"))
    option_counts = Counter(
        Answer.objects.filter(question__survey=survey, option__isnull=False).values_list(
            "option_id", flat=True
        )
    )
    answered = dict(
        Answer.objects.filter(question__survey=survey)
        .values("question_id")
        .annotate(n=Count("response", distinct=True))
        .values_list("question_id", "n")
    )
    ranks: dict[int, list[int]] = defaultdict(list)
    scale_values: dict[int, list[int]] = defaultdict(list)
    for question_id, option_id, value in Answer.objects.filter(
        question__survey=survey, value__isnull=False
    ).values_list("question_id", "option_id", "value"):
        if value is None:  # excluded by the filter; says so to the type checker
            continue
        if option_id:
            ranks[option_id].append(value)
        else:
            scale_values[question_id].append(value)
    texts: dict[int, list[str]] = defaultdict(list)
    for question_id, text in (
        Answer.objects.filter(question__survey=survey)
        .exclude(text="")
        .order_by("pk")
        .values_list("question_id", "text")
    ):
        if len(texts[question_id]) < text_limit:
            texts[question_id].append(text)
    results = []
    for q in questions:
        n = answered.get(q.pk, 0)
        result = QuestionResult(question=q, answered=n)
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RANKING):
            for option in q.options.all():
                count = option_counts.get(option.pk, 0)
                option_ranks = ranks.get(option.pk, [])
                if q.kind == QuestionKind.RANKING:
                    count = sum(1 for r in option_ranks if r == 1)
                result.options.append(
                    OptionResult(
                        text=option.text,
                        count=count,
                        percent=round(100 * count / n, 1) if n else 0.0,
                        mean_rank=(
                            round(sum(option_ranks) / len(option_ranks), 2)
                            if option_ranks
                            else None
                        ),
                    )
                )
        elif q.kind == QuestionKind.SCALE:
            values = scale_values.get(q.pk, [])
            dist = Counter(values)
            for step in range(q.scale_min, q.scale_max + 1):
                result.options.append(
                    OptionResult(
                        text=str(step),
                        count=dist.get(step, 0),
                        percent=round(100 * dist.get(step, 0) / n, 1) if n else 0.0,
                    )
                )
            result.mean = round(sum(values) / len(values), 2) if values else None
        else:
            result.texts = texts.get(q.pk, [])
        results.append(result)
    return total, results


def _option_texts(option_text: dict[int, str], answers: list[Answer]) -> list[str]:
    """The chosen options' texts (an answer to a choice or ranking question names an option)."""
    return [option_text[a.option_id] for a in answers if a.option_id is not None]


def survey_export_rows(survey: Survey) -> tuple[list[str], Iterable[list[Any]]]:
    """Header and rows, one row per response; never who answered."""
    questions = list(survey.questions.prefetch_related("options"))
    header = [_("Svar"), _("Datum"), _("Källa"), _("Område"), _("Åldersgrupp")]
    header += [q.text for q in questions]
    option_text = {o.pk: o.text for q in questions for o in q.options.all()}

    def rows() -> Iterable[list[Any]]:
        responses = (
            survey.responses.select_related("district")
            .order_by("pk")
            .prefetch_related(Prefetch("answers", Answer.objects.order_by("value", "pk")))
        )
        for number, response in enumerate(responses.iterator(chunk_size=500), start=1):
            by_question: dict[int, list[Answer]] = defaultdict(list)
            for answer in response.answers.all():
                by_question[answer.question_id].append(answer)
            row: list[Any] = [
                number,
                timezone.localtime(response.created_at).date().isoformat(),
                response.get_source_display(),
                response.district.name if response.district else "",
                response.get_age_band_display() if response.age_band else "",
            ]
            for q in questions:
                parts = by_question.get(q.pk, [])
                if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
                    row.append("; ".join(_option_texts(option_text, parts)))
                elif q.kind == QuestionKind.RANKING:
                    row.append(" > ".join(_option_texts(option_text, parts)))
                elif q.kind == QuestionKind.SCALE:
                    row.append(parts[0].value if parts else "")
                else:
                    row.append(parts[0].text if parts else "")
            yield row

    return header, rows()
