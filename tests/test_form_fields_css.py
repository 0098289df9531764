"""Every kind of text field a resident types into has the site's field style (site.css): the
dialogue's e-mail sign-in was the browser's small grey box while text fields were styled."""

from __future__ import annotations

import re
from pathlib import Path

import insyn

CSS = Path(insyn.__file__).parent / "public" / "static" / "insyn" / "site.css"


def test_the_base_field_rule_covers_every_typed_field():
    css = CSS.read_text(encoding="utf-8")
    rule = re.search(r"([^{}]*)\{[^}]*border: 2px solid var\(--border-strong\)", css)
    assert rule, "the base field rule (a 2px border) is in site.css"
    selectors = {s.strip() for s in rule.group(1).split(",")}
    for kind in ("text", "search", "email", "tel", "number", "date", "password", "url"):
        assert f'input[type="{kind}"]' in selectors, kind
    assert {"select", "textarea"} <= selectors
