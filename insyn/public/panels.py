"""Panels that other apps add to the public goal, assignment and organisation pages.

The public site does not import the feature apps directly. Each app may provide, in its
`selectors.py`, functions named `goal_panel(goal)`, `assignment_panel(assignment)` and
`organisation_panel(organisation)` that return a Panel (a template and its context) or None.
They must cost a bounded number of queries. The page renders the panels in the order below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import import_string

PROVIDER_MODULES = [
    "insyn.indicators.selectors",
    "insyn.dialogue.selectors",
    "insyn.feedback.selectors",
]


@dataclass
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    title: str = ""


def _panels(function_name: str, obj: Any) -> list[Panel]:
    panels = []
    for module in PROVIDER_MODULES:
        try:
            provider = import_string(f"{module}.{function_name}")
        except ImportError:
            continue
        panel = provider(obj)
        if panel is not None:
            panels.append(panel)
    return panels


def goal_panels(goal: Any) -> list[Panel]:
    return _panels("goal_panel", goal)


def assignment_panels(assignment: Any) -> list[Panel]:
    return _panels("assignment_panel", assignment)


def organisation_panels(organisation: Any) -> list[Panel]:
    return _panels("organisation_panel", organisation)
