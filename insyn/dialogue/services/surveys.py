"""Surveys: questions, validated responses (online and entered from paper), closing, summary."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from insyn.core.errors import ServiceError
from insyn.dialogue.indexing import index_dialogue
from insyn.dialogue.models import (
    AgeBand,
    Answer,
    Dialogue,
    DialogueState,
    District,
    Participant,
    Question,
    QuestionKind,
    Source,
    Survey,
    SurveyResponse,
)
from insyn.dialogue.services.common import MAX_TEXT, _as_history_user


class SurveyInvalid(ServiceError):
    def __init__(self, errors: Mapping[int, str]) -> None:
        super().__init__(
            _("Svaren kunde inte skickas. Rätta det som är markerat."), list(errors.values())
        )
        self.errors = dict(errors)


def survey_create(
    *,
    dialogue: Dialogue,
    title: str,
    intro: str = "",
    requires_sign_in: bool = False,
    closes_at: dt.datetime | None = None,
    by: Any = None,
) -> Survey:
    survey = Survey(
        dialogue=dialogue,
        title=title,
        intro=intro,
        requires_sign_in=requires_sign_in,
        closes_at=closes_at,
    )
    _as_history_user(survey, by).save()
    return survey


@transaction.atomic
def question_add(
    *,
    survey: Survey,
    kind: str,
    text: str,
    options: Sequence[str] = (),
    required: bool = False,
    help_text: str = "",
    scale_min: int = 1,
    scale_max: int = 5,
    scale_min_label: str = "",
    scale_max_label: str = "",
) -> Question:
    if kind not in QuestionKind.values:
        raise ServiceError(_("Okänd frågetyp."))
    if survey.responses.exists():
        raise ServiceError(_("Frågor kan inte läggas till när enkäten har fått svar."))
    options = [o.strip() for o in options if o.strip()]
    if (
        kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RANKING)
        and len(options) < 2
    ):
        raise ServiceError(_("Frågan behöver minst två svarsalternativ."))
    if kind == QuestionKind.SCALE and not (scale_min < scale_max <= scale_min + 10):
        raise ServiceError(_("Skalan ska ha mellan två och elva steg."))
    order = survey.questions.count() + 1
    question = Question.objects.create(
        survey=survey,
        order=order,
        kind=kind,
        text=text.strip(),
        help_text=help_text,
        required=required,
        scale_min=scale_min,
        scale_max=scale_max,
        scale_min_label=scale_min_label,
        scale_max_label=scale_max_label,
    )
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RANKING):
        from insyn.dialogue.models import Option

        Option.objects.bulk_create(
            Option(question=question, order=i, text=t) for i, t in enumerate(options, start=1)
        )
    return question


def _to_int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _answers_for(question: Question, raw: Any, errors: dict[int, str]) -> list[Answer]:
    """Validate one question's raw input and turn it into Answer rows (unsaved)."""
    option_ids = {o.pk for o in question.options.all()}
    answers: list[Answer] = []
    kind = question.kind
    if kind == QuestionKind.SINGLE:
        value = _to_int(raw) if raw not in (None, "") else None
        if value is not None:
            if value not in option_ids:
                errors[question.pk] = _("Välj ett av alternativen.")
            else:
                answers.append(Answer(question=question, option_id=value))
    elif kind == QuestionKind.MULTIPLE:
        values = {_to_int(v) for v in (raw or [])}
        if not values <= option_ids:
            errors[question.pk] = _("Välj bland alternativen.")
        else:
            chosen = sorted(v for v in values if v is not None)  # none: values <= option_ids
            answers += [Answer(question=question, option_id=v) for v in chosen]
    elif kind == QuestionKind.SCALE:
        if raw not in (None, ""):
            value = _to_int(raw)
            if value is None or not question.scale_min <= value <= question.scale_max:
                errors[question.pk] = _("Välj ett värde på skalan.")
            else:
                answers.append(Answer(question=question, value=value))
    elif kind == QuestionKind.RANKING:
        ranks = {k: _to_int(v) for k, v in (raw or {}).items() if v not in (None, "")}
        given = {k: v for k, v in ranks.items() if v is not None}
        if ranks:
            if set(ranks) - option_ids or len(given) < len(ranks):
                errors[question.pk] = _("Rangordna bland alternativen.")
            elif sorted(given.values()) != list(range(1, len(given) + 1)):
                errors[question.pk] = _(
                    "Ge varje alternativ en egen plats (1, 2, 3 …) utan att hoppa över någon."
                )
            else:
                answers += [
                    Answer(question=question, option_id=k, value=v)
                    for k, v in sorted(given.items(), key=lambda kv: kv[1])
                ]
    elif kind == QuestionKind.TEXT:
        text = (raw or "").strip()
        if len(text) > MAX_TEXT:
            errors[question.pk] = _("Svaret är för långt (högst 5 000 tecken).")
        elif text:
            answers.append(Answer(question=question, text=text))
    if question.required and not answers and question.pk not in errors:
        errors[question.pk] = _("Frågan måste besvaras.")
    return answers


@transaction.atomic
def survey_submit(
    *,
    survey: Survey,
    answers: Mapping[int, Any],
    participant: Participant | None = None,
    district: District | None = None,
    age_band: str = "",
    source: str = Source.ONLINE,
    entered_by: Any = None,
) -> SurveyResponse:
    """Store one response. `answers` maps question id to: an option id (single), option ids
    (multiple), a number (scale), {option id: rank} (ranking) or text."""
    offline = source != Source.ONLINE
    if offline:
        if entered_by is None or survey.dialogue.state == DialogueState.CLOSED:
            raise ServiceError(_("Svar på papper kan bara föras in av personal före avslut."))
    elif not survey.accepting:
        raise ServiceError(_("Enkäten tar inte emot svar."))
    if survey.requires_sign_in and not offline:
        if participant is None:
            raise ServiceError(_("Logga in för att svara på den här enkäten."))
        if not participant.meets(survey.dialogue.identity_level):
            raise ServiceError(_("Enkäten kräver inloggning med e-legitimation."))
        if SurveyResponse.objects.filter(survey=survey, participant=participant).exists():
            raise ServiceError(_("Du har redan svarat på enkäten."))
    if age_band and age_band not in AgeBand.values:
        raise ServiceError(_("Okänd åldersgrupp."))
    errors: dict[int, str] = {}
    rows: list[Answer] = []
    for question in survey.questions.prefetch_related("options"):
        rows += _answers_for(question, answers.get(question.pk), errors)
    if errors:
        raise SurveyInvalid(errors)
    if not rows:
        raise SurveyInvalid({0: _("Svara på minst en fråga.")})
    if participant is not None and not offline:
        district = district or participant.district
        age_band = age_band or participant.age_band
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                survey=survey,
                participant=participant if survey.requires_sign_in else None,
                district=district,
                age_band=age_band,
                source=source,
                entered_by=entered_by,
            )
    except IntegrityError as exc:
        raise ServiceError(_("Du har redan svarat på enkäten.")) from exc
    for row in rows:
        row.response = response
    Answer.objects.bulk_create(rows)
    return response


def survey_close(*, survey: Survey, by: Any) -> Survey:
    survey.is_open = False
    _as_history_user(survey, by).save()
    return survey


@transaction.atomic
def survey_publish_summary(*, survey: Survey, summary: str, by: Any) -> Survey:
    if survey.accepting:
        raise ServiceError(_("Sammanfattningen publiceras när enkäten har stängt."))
    if not summary.strip():
        raise ServiceError(_("Skriv en sammanfattning av resultatet."))
    survey.summary = summary.strip()
    survey.summary_published_at = survey.summary_published_at or timezone.now()
    _as_history_user(survey, by).save()
    index_dialogue(survey.dialogue)
    return survey
