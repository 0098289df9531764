"""insyn.core.registry: the apps register their panels, search documents and demo loaders."""

from __future__ import annotations

import pytest

from insyn.core import registry


def test_the_feature_apps_register_their_panels_in_app_order():
    # "public" is the "Ni sa — vi gjorde" panel, gathered from the apps' loop items.
    assert list(registry._panels["goal"]) == ["indicators", "dialogue", "feedback", "public"]
    assert list(registry._panels["organisation"]) == ["indicators", "dialogue"]


def test_the_loop_and_the_signals_come_from_the_apps_that_own_them():
    assert list(registry._loop["goal"]) == ["goals", "dialogue", "feedback"]
    assert list(registry._loop["assignment"]) == ["goals", "dialogue", "feedback"]
    assert {s.key: s.app for s in registry.signals()} == {
        "DIALOG-DELTAGANDE": "dialogue",
        "FELANMALAN-PER-1000": "feedback",
        "ATGARDSTID-MEDIAN": "feedback",
        "ATGARDAT-INOM-MALTID": "feedback",
        "ATEROPPNADE": "feedback",
    }


def test_a_signal_key_belongs_to_one_app():
    signal = registry.signals()[0]
    with pytest.raises(ValueError, match="already"):
        registry.register_signal(
            registry.Signal(signal.key, "other", "t", "m", "", "none", lambda year: [])
        )


def test_every_app_with_search_documents_takes_part_in_a_rebuild():
    assert set(registry.search_contributors()) == {"goals", "dialogue"}


def test_demo_loaders_run_in_dependency_order():
    names = [loader.name for loader in registry.demo_loaders()]
    assert names == [
        "organisations",
        "importers",
        "accounts",
        "goals",
        "dialogue",
        "feedback",
        "indicators",  # its resident signals are computed from the demo's cases and dialogues
    ]


def test_a_wrong_contribution_is_an_error_not_silence(monkeypatch):
    monkeypatch.setattr(registry, "_panels", {kind: {} for kind in registry.PANEL_KINDS})
    with pytest.raises(ValueError, match="unknown panel kind"):
        registry.register_panels("x", meeting=lambda obj: None)
    with pytest.raises(TypeError):
        registry.register_panels("x", goal="insyn.x.selectors.goal_panel")
    with pytest.raises(TypeError):
        registry.register_search_contributor("x", None)  # type: ignore[arg-type]


def test_a_panel_provider_that_breaks_breaks_the_page(monkeypatch):
    def broken(obj):
        raise RuntimeError("trasig")

    monkeypatch.setattr(registry, "_panels", {kind: {} for kind in registry.PANEL_KINDS})
    registry.register_panels("x", goal=broken, assignment=lambda obj: None)
    with pytest.raises(RuntimeError):
        registry.panels("goal", object())
    assert registry.panels("assignment", object()) == []


def test_each_app_loads_its_own_demo_data_from_its_demo_module():
    """Demo data lives beside what it shows: every app with a demo.py registers it, and each
    loader is its own app's (no app loads another's)."""
    import pathlib

    apps_root = pathlib.Path(registry.__file__).resolve().parents[1]
    with_demo = {p.parent.name for p in apps_root.glob("*/demo.py")}
    loaders = registry.demo_loaders()
    assert {loader.name for loader in loaders} == with_demo
    for loader in loaders:
        assert loader.load.__module__ == f"insyn.{loader.name}.demo"


def test_every_app_has_a_test_folder_with_tests():
    import pathlib

    root = pathlib.Path(registry.__file__).resolve().parents[2]
    apps = {p.parent.name for p in (root / "insyn").glob("*/apps.py")}
    missing = {app for app in apps if not list((root / "tests" / app).glob("test_*.py"))}
    assert not missing
