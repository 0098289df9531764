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


def test_every_list_of_choices_puts_each_box_beside_its_label():
    """Checkbox and radio lists are drawn by one include, core/_choices.html, whose rows have
    the .checkbox style (a box beside its label): the dialogue officer's districts were each a
    small box above a bold label, the label being a block like every other field's."""
    root = Path(insyn.__file__).parent
    css = CSS.read_text(encoding="utf-8")
    assert re.search(r"\.checkbox \{ display: flex;", css)
    assert re.search(r"\.checkbox label \{ font-weight: 400; margin: 0; display: inline-flex", css)
    include = (root / "core" / "templates" / "core" / "_choices.html").read_text()
    assert '<div class="checkbox">{{ choice.tag }} <label for=' in include
    loops = [
        path.relative_to(root)
        for path in root.rglob("*.html")
        if "{% for choice in field %}" in path.read_text(encoding="utf-8")
        and path.name != "_choices.html"
    ]
    assert loops == [], f"choices drawn without core/_choices.html: {loops}"


def test_the_dialogue_form_draws_its_districts_with_the_include(client, db):
    from insyn.accounts.models import Role
    from tests.factories import DistrictFactory, MembershipFactory, UserFactory

    DistrictFactory(name="Gottsunda")
    officer = UserFactory()
    MembershipFactory(user=officer, role=Role.DIALOGUE_OFFICER, organisation=None)
    client.force_login(officer)
    page = client.get("/personal/dialog/ny/").content.decode()
    assert re.search(r'<div class="checkbox"><input type="checkbox" name="districts"', page)
