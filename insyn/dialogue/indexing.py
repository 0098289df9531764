"""Dialogues in search (kind "dialogue"): `insyn rebuild-search-index` calls `reindex_search`.

Services index a dialogue when it is published and whenever its public results change
(`index_dialogue`); only published dialogues, their published results (survey
summaries, budget winners, published meeting notes) and their feedback are indexed — never a
resident's contribution or personal data.
"""

from __future__ import annotations

from django.utils import timezone

from insyn.dialogue.models import BudgetPhase, Dialogue

PREFIX = "dialogue."


def _search_body(dialogue: Dialogue) -> str:
    parts = [
        dialogue.question,
        dialogue.purpose,
        dialogue.result_use,
        dialogue.target_groups,
        " ".join(dialogue.ladder_step_labels()),
        " ".join(dialogue.method_labels()),
        " ".join(d.name for d in dialogue.districts.all()),
    ]
    for survey in dialogue.surveys.all():
        parts.append(survey.title)
        if survey.summary_published_at:
            parts.append(survey.summary)
    for budget in dialogue.budgets.all():
        parts.append(budget.title)
        if budget.phase == BudgetPhase.RESULTS:
            parts.extend(p.title for p in budget.proposals.filter(is_winner=True))
    for meeting in dialogue.meetings.all():
        parts.append(meeting.title)
        if meeting.notes_published:
            parts.append(meeting.notes)
    if dialogue.feedback_published:
        parts += [dialogue.feedback_summary, dialogue.feedback_usage, dialogue.feedback_decision]
    return "\n".join(p for p in parts if p)


def index_dialogue(dialogue: Dialogue) -> None:
    from insyn.search import services as search

    key = f"dialogue.dialogue:{dialogue.pk}"
    if not dialogue.is_public:
        search.remove_document(key)
        return
    year = (dialogue.starts_on or timezone.localdate()).year
    search.index_document(
        object_key=key,
        kind="dialogue",
        url=dialogue.get_absolute_url(),
        title=dialogue.title,
        body=_search_body(dialogue),
        year=year,
    )


def reindex_search() -> int:
    from insyn.search import services as search

    documents = []
    for dialogue in Dialogue.objects.public().prefetch_related(
        "districts", "surveys", "budgets", "meetings"
    ):
        documents.append(
            search.build_document(
                object_key=f"dialogue.dialogue:{dialogue.pk}",
                kind="dialogue",
                url=dialogue.get_absolute_url(),
                title=dialogue.title,
                body=_search_body(dialogue),
                year=(dialogue.starts_on or timezone.localdate()).year,
            )
        )
    return search.replace_documents(PREFIX, documents)
