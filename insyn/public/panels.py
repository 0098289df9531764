"""Panels that other apps add to the public goal, assignment and organisation pages.

The public site does not import the feature apps: each app registers its panel providers in its
`AppConfig.ready()` with `insyn.core.registry.register_panels(app, goal=…, assignment=…,
organisation=…)`. A provider returns a `Panel` (a template and its context) or None and must cost
a bounded number of queries. The page renders the panels in app order.
"""

from __future__ import annotations

from typing import Any

from insyn.core.registry import Panel, panels

__all__ = ["Panel", "assignment_panels", "goal_panels", "organisation_panels"]


def goal_panels(goal: Any) -> list[Panel]:
    return panels("goal", goal)


def assignment_panels(assignment: Any) -> list[Panel]:
    return panels("assignment", assignment)


def organisation_panels(organisation: Any) -> list[Panel]:
    return panels("organisation", organisation)
