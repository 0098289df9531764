"""Every button in a template looks like one: the site's `button` class (green, or grey with
`button--secondary`) or, deliberately, `link-button` (an action that reads as a link).

Walking the dialogue as a resident showed its buttons as the browser's own small grey ones,
next to the fault-report pages' site buttons; a misspelt modifier (`button-secondary`) left one
button green that was meant to be secondary."""

from __future__ import annotations

import re
from pathlib import Path

import insyn

TEMPLATES = sorted(Path(insyn.__file__).parent.glob("*/templates/**/*.html"))
BUTTON = re.compile(r"<button\b[^>]*>")
CLASSES = re.compile(r'class="([^"]*)"')
KNOWN = {"button", "button--secondary", "link-button"}


def test_templates_are_found():
    assert len(TEMPLATES) > 100


def test_every_button_has_the_sites_look():
    wrong = []
    for path in TEMPLATES:
        for tag in BUTTON.findall(path.read_text(encoding="utf-8")):
            found = CLASSES.search(tag)
            # Template logic inside the attribute ({% if … %}) is left out of the check.
            names = set(re.sub(r"{%.*?%}", " ", found.group(1)).split()) if found else set()
            if not names & {"button", "link-button"} or names - KNOWN:
                wrong.append(f"{path.relative_to(Path(insyn.__file__).parent)}: {tag}")
    assert not wrong, "\n".join(wrong)
