"""The dialogue register: an entry's fields, who is affected, the guideline's publication
requirements, anchoring with elected officials, publishing, coordination, outreach, closing.

`dialogue_publish` refuses until the required register fields are filled and the anchoring is
recorded (`publication_blockers` lists what is missing, in Swedish); `dialogue_close` refuses until
the feedback is published (see `feedback`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from insyn.core.errors import ServiceError
from insyn.core.mail import queue_email
from insyn.dialogue.indexing import index_dialogue
from insyn.dialogue.models import (
    AgeBand,
    BudgetPhase,
    CoordinationComment,
    Dialogue,
    DialogueState,
    District,
    LadderStep,
    MethodKind,
    Outreach,
)
from insyn.dialogue.services.budgets import budget_close_voting
from insyn.dialogue.services.common import (
    MAX_TEXT,
    DialogueChanged,
    _absolute,
    _as_history_user,
    unchanged_since,
)
from insyn.dialogue.services.feedback import feedback_blockers
from insyn.organisations.models import Organisation


class PublishRefused(ServiceError):
    pass


class CloseRefused(ServiceError):
    pass


REGISTER_FIELDS = [
    "title",
    "question",
    "initiator",
    "responsible_board",
    "politically_decided",
    "purpose",
    "ladder_steps",
    "result_use",
    "decision_maker",
    "target_groups",
    "methods",
    "whole_municipality",
    "starts_on",
    "ends_on",
    "feedback_on",
    "earlier_dialogues_note",
    "identity_level",
]


REGISTER_RELATIONS = [
    "affected_organisations",
    "districts",
    "goals",
    "assignments",
    "earlier_dialogues",
]


@transaction.atomic
def dialogue_save(
    *,
    dialogue: Dialogue | None,
    fields: Mapping[str, Any],
    relations: Mapping[str, Iterable[Any]],
    by: Any,
    seen: dt.datetime | None = None,
) -> Dialogue:
    """Create or update a register entry; newly affected organisations are notified.

    A published dialogue must stay publishable: an edit that empties a required field is refused.
    `seen`: the dialogue's updated_at when the form was loaded; DialogueChanged if it has changed.
    """
    creating = dialogue is None
    if dialogue is not None and seen is not None:
        current = Dialogue.objects.select_for_update().get(pk=dialogue.pk)
        if current.updated_at != seen:
            raise DialogueChanged(current)
    if dialogue is None:
        dialogue = Dialogue(created_by=by if getattr(by, "is_authenticated", False) else None)
    unknown = set(fields) - set(REGISTER_FIELDS)
    if unknown:
        raise ValueError(f"unknown register fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(dialogue, name, value)
    dialogue.ladder_steps = [s for s in LadderStep.values if s in (dialogue.ladder_steps or [])]
    dialogue.methods = [m for m in MethodKind.values if m in (dialogue.methods or [])]
    if dialogue.ends_on and dialogue.starts_on and dialogue.ends_on < dialogue.starts_on:
        raise ServiceError(_("Slutdatum kan inte vara före startdatum."))
    before = (
        set() if creating else set(dialogue.affected_organisations.values_list("pk", flat=True))
    )
    _as_history_user(dialogue, by).save()
    for name in REGISTER_RELATIONS:
        if name in relations:
            values = list(relations[name])
            if name == "earlier_dialogues":
                values = [d for d in values if getattr(d, "pk", d) != dialogue.pk]
            getattr(dialogue, name).set(values)
    if dialogue.is_public:
        problems = publication_blockers(dialogue)
        if problems:
            raise PublishRefused(
                _("En publicerad dialog måste ha alla obligatoriska uppgifter."), problems
            )
        index_dialogue(dialogue)
    added = [org for org in dialogue.affected_organisations.all() if org.pk not in before]
    notify_affected(dialogue, added)
    return dialogue


def notify_affected(dialogue: Dialogue, organisations: Iterable[Organisation]) -> int:
    """Queue a coordination notice to each organisation's notice address (once per dialogue)."""
    sent = 0
    board = dialogue.responsible_board.name if dialogue.responsible_board else _("okänd")
    for org in organisations:
        if not org.email:
            continue
        body = _(
            '%(board)s planerar dialogen "%(title)s" och har angett att %(org)s berörs.\n\n'
            "Enligt riktlinjen för dialog ska kommunen uppträda som en kommun: lämna gärna "
            "synpunkter, underlag från tidigare dialoger eller önskemål om samordning här:\n"
            "%(url)s\n"
        ) % {
            "board": board,
            "title": dialogue.title,
            "org": org.name,
            "url": _absolute(dialogue.get_staff_url()),
        }
        if queue_email(
            org.email,
            _("Samordning av dialog: %(title)s") % {"title": dialogue.title},
            body,
            dedupe_key=f"dialogue:{dialogue.pk}:affected:{org.pk}",
        ):
            sent += 1
    return sent


def publication_blockers(dialogue: Dialogue) -> list[str]:
    """What the guideline still needs before the dialogue may be published (Swedish)."""
    missing: list[str] = []

    def need(condition: bool, text: str) -> None:
        if not condition:
            missing.append(text)

    need(bool(dialogue.title.strip()), _("Titel saknas."))
    need(bool(dialogue.question.strip()), _("Dialogfrågan saknas."))
    need(bool(dialogue.initiator), _("Ange varifrån initiativet kom."))
    need(
        dialogue.responsible_board_id is not None,
        _("Ange ansvarig nämnd (dialogansvaret följer verksamheten)."),
    )
    need(bool(dialogue.purpose.strip()), _("Syftet saknas (det ska vara tydligt för målgruppen)."))
    need(
        bool(dialogue.ladder_steps),
        _("Ange minst en matchningspunkt på delaktighetstrappan (graden av inflytande)."),
    )
    need(bool(dialogue.result_use.strip()), _("Beskriv hur resultatet ska användas."))
    need(bool(dialogue.decision_maker.strip()), _("Ange vem som beslutar."))
    need(bool(dialogue.target_groups.strip()), _("Ange målgrupper."))
    need(bool(dialogue.methods), _("Ange minst en metod."))
    need(
        dialogue.whole_municipality or (dialogue.pk is not None and dialogue.districts.exists()),
        _("Ange område eller att dialogen gäller hela kommunen."),
    )
    need(
        dialogue.starts_on is not None and dialogue.ends_on is not None,
        _("Ange när dialogen startar och slutar."),
    )
    need(dialogue.feedback_on is not None, _("Ange datum för återkoppling till deltagarna."))
    if dialogue.feedback_on and dialogue.ends_on and dialogue.feedback_on < dialogue.ends_on:
        missing.append(_("Återkopplingen kan inte ske innan dialogen har slutat."))
    need(
        bool(dialogue.earlier_dialogues_note.strip())
        or (dialogue.pk is not None and dialogue.earlier_dialogues.exists()),
        _("Ange vilka tidigare dialoger och underlag som tagits tillvara (eller att inga finns)."),
    )
    need(
        bool(dialogue.anchored_with.strip()),
        _("Förankringen: ange med vem dialogen är förankrad bland förtroendevalda."),
    )
    need(bool(dialogue.anchored_body.strip()), _("Förankringen: ange i vilket organ."))
    need(dialogue.anchored_on is not None, _("Förankringen: ange datum."))
    return missing


@transaction.atomic
@transaction.atomic
def dialogue_record_anchoring(
    *,
    dialogue: Dialogue,
    anchored_with: str,
    anchored_body: str,
    anchored_on: dt.date,
    by: Any,
    seen: dt.datetime | None = None,
) -> Dialogue:
    """Who the dialogue was anchored with among the elected. `seen`: see unchanged_since."""
    unchanged_since(dialogue, seen)
    if not (anchored_with.strip() and anchored_body.strip() and anchored_on):
        raise ServiceError(_("Ange vem, vilket organ och datum för förankringen."))
    if anchored_on > timezone.localdate():
        raise ServiceError(_("Förankringen kan inte ha skett i framtiden."))
    dialogue.anchored_with = anchored_with.strip()
    dialogue.anchored_body = anchored_body.strip()
    dialogue.anchored_on = anchored_on
    _as_history_user(dialogue, by).save()
    return dialogue


@transaction.atomic
def dialogue_publish(*, dialogue: Dialogue, by: Any) -> Dialogue:
    caller, dialogue = dialogue, Dialogue.objects.select_for_update().get(pk=dialogue.pk)
    if dialogue.state != DialogueState.DRAFT:
        raise PublishRefused(_("Dialogen är redan publicerad."))
    problems = publication_blockers(dialogue)
    if problems:
        raise PublishRefused(_("Dialogen kan inte publiceras ännu."), problems)
    dialogue.state = DialogueState.PUBLISHED
    dialogue.published_at = timezone.now()
    _as_history_user(dialogue, by).save()
    index_dialogue(dialogue)
    caller.refresh_from_db()
    return dialogue


@transaction.atomic
def dialogue_close(*, dialogue: Dialogue, by: Any) -> Dialogue:
    caller, dialogue = dialogue, Dialogue.objects.select_for_update().get(pk=dialogue.pk)
    if dialogue.state != DialogueState.PUBLISHED:
        raise CloseRefused(_("Bara en publicerad dialog kan avslutas."))
    if not dialogue.feedback_published:
        raise CloseRefused(
            _("Dialogen kan inte avslutas förrän återkopplingen är publicerad."),
            feedback_blockers(dialogue) or [_("Publicera återkopplingen först.")],
        )
    dialogue.state = DialogueState.CLOSED
    dialogue.closed_at = timezone.now()
    _as_history_user(dialogue, by).save()
    dialogue.surveys.update(is_open=False)
    dialogue.discussions.update(is_open=False)
    dialogue.meetings.update(registration_open=False)
    dialogue.budgets.filter(phase__in=[BudgetPhase.PROPOSALS, BudgetPhase.ASSESSMENT]).update(
        phase=BudgetPhase.CLOSED
    )
    for budget in dialogue.budgets.filter(phase=BudgetPhase.VOTING):
        budget_close_voting(budget=budget, by=by)
    index_dialogue(dialogue)
    caller.refresh_from_db()
    return dialogue


def coordination_comment_add(
    *, dialogue: Dialogue, organisation: Organisation | None, author: Any, body: str
) -> CoordinationComment:
    if not body.strip():
        raise ServiceError(_("Skriv en kommentar."))
    return CoordinationComment.objects.create(
        dialogue=dialogue, organisation=organisation, author=author, body=body.strip()[:MAX_TEXT]
    )


def outreach_record(
    *,
    dialogue: Dialogue,
    done_on: dt.date,
    description: str,
    district: District | None,
    age_band: str,
    by: Any,
) -> Outreach:
    if not description.strip():
        raise ServiceError(_("Beskriv vad som gjordes."))
    if age_band and age_band not in AgeBand.values:
        raise ServiceError(_("Okänd åldersgrupp."))
    outreach = Outreach(
        dialogue=dialogue,
        done_on=done_on,
        description=description.strip(),
        district=district,
        age_band=age_band,
        created_by=by,
    )
    _as_history_user(outreach, by).save()
    return outreach
