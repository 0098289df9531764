"""The staff home and the moderation page are gathered through insyn.core.registry: accounts
imports none of the apps whose work it lists (the import contract), every app contributes by
registering, and a contribution nobody can place is an error, not silence."""

from __future__ import annotations

import pytest
from django.urls import reverse

from insyn.core import registry


def test_every_section_of_the_home_and_every_app_part_of_moderation_is_registered():
    assert [entry.name for entry in registry._by_order(registry._staff_sections)] == [
        "reporter",
        "compiler",
        "dialogue",
        "contact_centre",
        "case_handler",
        "moderator",
        "reader",
        "system",
    ]
    assert set(registry._staff_items) == {"moderator", "system"}
    assert set(registry._staff_items["moderator"]) == {"dialogue", "feedback"}
    assert [e.name for e in registry._by_order(registry._staff_items["system"])] == [
        "goals",
        "indicators",
    ]
    assert [e.name for e in registry._by_order(registry._moderation)] == ["dialogue", "feedback"]
    # The apps' moderation actions keep their addresses in the "staff" namespace.
    assert reverse("staff:moderate_post", args=[1, "dolj"]) == "/personal/moderering/inlagg/1/dolj/"
    assert reverse("staff:moderate_case", args=["F-1"]) == "/personal/moderering/arende/F-1/"


def test_items_for_a_section_nobody_draws_are_an_error(monkeypatch):
    monkeypatch.setattr(registry, "_staff_items", {"nowhere": {}})
    with pytest.raises(LookupError, match="nowhere"):
        registry.staff_sections(object())


def test_a_contributor_must_be_callable():
    with pytest.raises(TypeError):
        registry.register_staff_section("broken", None, order=1)
    with pytest.raises(TypeError):
        registry.register_staff_items("system", "broken", "not callable", order=1)
    assert "broken" not in registry._staff_sections


def test_sections_come_in_order_with_the_items_of_other_apps_appended(monkeypatch):
    monkeypatch.setattr(registry, "_staff_sections", {})
    monkeypatch.setattr(registry, "_staff_items", {})
    registry.register_staff_section(
        "second", lambda user, since: registry.StaffSection("second", "B"), order=2
    )
    registry.register_staff_section(
        "first", lambda user, since: registry.StaffSection("first", "A"), order=1
    )
    registry.register_staff_section("not_mine", lambda user, since: None, order=3)
    registry.register_staff_items(
        "first", "late", lambda user: [registry.StaffItem("late")], order=2
    )
    registry.register_staff_items(
        "first", "early", lambda user: [registry.StaffItem("early")], order=1
    )
    registry.register_staff_items("not_mine", "x", lambda user: [registry.StaffItem("x")], order=1)
    sections = registry.staff_sections(object())
    assert [s.key for s in sections] == ["first", "second"]
    assert [i.label for i in sections[0].items] == ["early", "late"]
