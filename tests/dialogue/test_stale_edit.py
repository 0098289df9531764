"""A stale dialogue page: someone else saved the register entry after the form was loaded.
Saving says so in Swedish, shows the saved version beside the form (which keeps what this person
wrote) and overwrites nothing; saving again from that page is based on the new version."""

from __future__ import annotations

import re

import pytest

from insyn.dialogue import services
from tests.dialogue.factories import DialogueFactory

pytestmark = pytest.mark.django_db


def _form_data(page: str) -> dict[str, str]:
    seen = re.search(r'name="seen" value="([^"]+)"', page)
    assert seen, "the form remembers when the dialogue was loaded"
    return {"seen": seen.group(1), "identity_level": "none"}


def test_a_stale_dialogue_page_says_so_shows_both_versions_and_overwrites_nothing(
    staff_client, officer
):
    dialogue = DialogueFactory(title="Dialog om parken")
    url = f"/personal/dialog/{dialogue.pk}/andra/"
    page = staff_client.get(url).content.decode()
    data = _form_data(page)
    identity = re.search(
        r'name="identity_level"[^>]*>.*?<option value="([^"]*)" selected', page, re.S
    )
    if identity:
        data["identity_level"] = identity.group(1)
    # Someone else renames it meanwhile.
    services.dialogue_save(
        dialogue=dialogue, fields={"title": "Dialog om stadsparken"}, relations={}, by=officer
    )
    response = staff_client.post(url, {**data, "title": "Dialog om parken vid ån"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Någon annan har ändrat dialogen sedan du öppnade sidan" in html
    assert "Dialog om stadsparken" in html  # theirs
    assert "Dialog om parken vid ån" in html  # mine, still in the form
    dialogue.refresh_from_db()
    assert dialogue.title == "Dialog om stadsparken"

    again = staff_client.post(
        url,
        {
            **_form_data(html),
            "identity_level": data["identity_level"],
            "title": "Dialog om parken vid ån",
        },
    )
    assert again.status_code == 302
    dialogue.refresh_from_db()
    assert dialogue.title == "Dialog om parken vid ån"
