"""Publishing a dialogue's feedback: a refusal saves nothing and links each missing text to
its field (the summary at the top of the form)."""

from __future__ import annotations

import pytest

from insyn.dialogue.models import DialogueState
from tests.dialogue.factories import PublishedDialogueFactory

pytestmark = pytest.mark.django_db


def test_publishing_incomplete_feedback_is_refused_field_by_field_and_saves_nothing(
    staff_client,
):
    dialogue = PublishedDialogueFactory(state=DialogueState.CLOSED)
    url = f"/personal/dialog/{dialogue.pk}/aterkoppling/"
    response = staff_client.post(
        url, {"summary": "Fler vill ha träd.", "usage": "", "decision": "", "publicera": "1"}
    )
    assert response.status_code == 400  # refused: the form again, with the error summary
    html = response.content.decode()
    assert "Återkopplingen kan inte publiceras ännu." in html
    assert 'href="#id_usage"' in html and 'href="#id_decision"' in html
    assert 'href="#id_summary"' not in html
    assert "Fler vill ha träd." in html  # what was written stays in the form
    dialogue.refresh_from_db()
    assert dialogue.feedback_summary == "" and dialogue.feedback_published_at is None

    response = staff_client.post(
        url,
        {
            "summary": "Fler vill ha träd.",
            "usage": "Träden är med i ritningen.",
            "decision": "Nämndens beslut om parken.",
            "publicera": "1",
        },
    )
    assert response.status_code == 302
    dialogue.refresh_from_db()
    assert dialogue.feedback_published_at is not None
