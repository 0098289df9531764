"""Dialogues in search (kind "dialogue"): `insyn rebuild-search-index` calls `reindex_search`.

Services index a dialogue when it is published and whenever its public results change
(`services.index_dialogue`); only published dialogues, their published results (survey
summaries, budget winners, published meeting notes) and their feedback are indexed — never a
resident's contribution or personal data.
"""

from __future__ import annotations

from django.utils import timezone

from insyn.dialogue.models import Dialogue, DialogueState

PREFIX = "dialogue."


def reindex_search() -> int:
    from insyn.dialogue.services import _search_body
    from insyn.search import services as search

    documents = []
    for dialogue in Dialogue.objects.filter(
        state__in=[DialogueState.PUBLISHED, DialogueState.CLOSED]
    ).prefetch_related("districts", "surveys", "budgets", "meetings"):
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
