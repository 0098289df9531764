"""Where apps contribute to the shared pages and commands without being imported by them.

A layer may not import a layer above it (docs/architecture.md). So the public site, search and
`insyn load-demo` do not list the feature apps: each app registers what it contributes in its
`AppConfig.ready()`, importing its own modules directly — a missing or broken contributor fails
at start-up instead of silently vanishing:

    class DialogueConfig(AppConfig):
        def ready(self) -> None:
            from insyn.core import registry
            from insyn.dialogue import demo, indexing, selectors

            registry.register_panels(
                "dialogue",
                goal=selectors.goal_panel,
                assignment=selectors.assignment_panel,
                organisation=selectors.organisation_panel,
            )
            registry.register_search_contributor("dialogue", indexing.reindex_search)
            registry.register_demo_loader("dialogue", demo.load_demo, order=60)

Panels are shown in the order the apps are installed (settings.INSTALLED_APPS); demo loaders
run by `order` (organisations 10, follow-up pages 20, accounts 30, goals 40, indicators 50,
dialogue 60, feedback 70).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "PANEL_KINDS",
    "Panel",
    "demo_loaders",
    "panels",
    "register_demo_loader",
    "register_panels",
    "register_search_contributor",
    "search_contributors",
]

PANEL_KINDS = ("goal", "assignment", "organisation")


@dataclass
class Panel:
    """A box an app adds to a public goal, assignment or organisation page: a template and its
    context. A panel provider returns a Panel or None and costs a bounded number of queries."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    title: str = ""


PanelProvider = Callable[[Any], Panel | None]


@dataclass(frozen=True)
class DemoLoader:
    name: str
    load: Callable[[], Any]
    order: int


_panels: dict[str, dict[str, PanelProvider]] = {kind: {} for kind in PANEL_KINDS}
_search: dict[str, Callable[[], int]] = {}
_demo: dict[str, DemoLoader] = {}


def _check_callable(what: str, name: str, value: object) -> None:
    if not callable(value):
        raise TypeError(f"{name}: {what} must be callable, got {value!r}")


def register_panels(app: str, **providers: PanelProvider) -> None:
    """Register an app's panel providers by page kind: goal=, assignment=, organisation=."""
    for kind, provider in providers.items():
        if kind not in PANEL_KINDS:
            raise ValueError(f"{app}: unknown panel kind {kind!r} (known: {PANEL_KINDS})")
        _check_callable(f"the {kind} panel", app, provider)
        _panels[kind][app] = provider


def panels(kind: str, obj: Any) -> list[Panel]:
    """Every registered app's panel for this object, in app order, leaving out the Nones."""
    if kind not in PANEL_KINDS:
        raise ValueError(f"unknown panel kind {kind!r}")
    result = []
    for provider in _panels[kind].values():
        panel = provider(obj)
        if panel is not None:
            result.append(panel)
    return result


def register_search_contributor(app: str, reindex: Callable[[], int]) -> None:
    """`reindex()` replaces the app's share of the search index and returns how many documents
    it wrote; `insyn rebuild-search-index` calls every contributor."""
    _check_callable("the search contributor", app, reindex)
    _search[app] = reindex


def search_contributors() -> dict[str, Callable[[], int]]:
    return dict(_search)


def register_demo_loader(app: str, load: Callable[[], Any], *, order: int) -> None:
    """`load()` adds the app's demo data (idempotently); `insyn load-demo` runs them by order,
    each in its own transaction."""
    _check_callable("the demo loader", app, load)
    _demo[app] = DemoLoader(app, load, order)


def demo_loaders() -> list[DemoLoader]:
    return sorted(_demo.values(), key=lambda loader: (loader.order, loader.name))
