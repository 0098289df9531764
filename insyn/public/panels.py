"""Panels that other apps add to the public goal, assignment and organisation pages.

The public site does not import the feature apps: each app registers its panel providers in its
`AppConfig.ready()` with `insyn.core.registry.register_panels(app, goal=…, assignment=…,
organisation=…)`. A provider returns a `Panel` (a template and its context) or None and must cost
a bounded number of queries. The page renders the panels in app order.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from insyn.core.registry import LOOP_STAGES, LoopItem, Panel, loop_items, panels

__all__ = [
    "Panel",
    "assignment_loop_panel",
    "assignment_panels",
    "draw_panel",
    "goal_loop_panel",
    "goal_panels",
    "organisation_panels",
]


def goal_panels(goal: Any, *, follow_up_only: bool = False) -> list[Panel]:
    return panels("goal", goal, follow_up_only=follow_up_only)


def draw_panel(panel: Panel | None, request: HttpRequest | None = None) -> str:
    """One panel as the page shows it (nothing for None); without a request for a stored
    rendering, which must be the same for every visitor."""
    if panel is None:
        return ""
    html = render_to_string("public/includes/panels.html", {"panels": [panel]}, request=request)
    return html.removesuffix("\n")  # the include's own line end, once after all panels


def assignment_panels(assignment: Any) -> list[Panel]:
    return panels("assignment", assignment)


def organisation_panels(organisation: Any) -> list[Panel]:
    return panels("organisation", organisation)


def _loop_panel(items: list[LoopItem]) -> Panel | None:
    """ "Ni sa — vi gjorde": what residents said, what the municipality decided, what the
    follow-up reports now — in that order, each stage saying so when it has nothing yet."""
    if not any(item.stage in ("said", "decided") for item in items):
        return None  # the follow-up alone is already on the page
    headings = {
        "said": (_("Ni sa"), _("Inga synpunkter eller dialoger är kopplade hit ännu.")),
        "decided": (_("Kommunen bestämde"), _("Ingen återkoppling eller inget beslut ännu.")),
        "reports": (_("Uppföljningen visar nu"), _("Ingen publicerad uppföljning ännu.")),
    }
    stages = [
        {
            "key": stage,
            "heading": headings[stage][0],
            "empty": headings[stage][1],
            "items": [item for item in items if item.stage == stage],
        }
        for stage in LOOP_STAGES
    ]
    return Panel(
        template="public/panels/loop.html",
        context={"loop_stages": stages},
        title=_("Ni sa — vi gjorde"),
    )


def goal_loop_panel(goal: Any) -> Panel | None:
    return _loop_panel(loop_items("goal", goal))


def assignment_loop_panel(assignment: Any) -> Panel | None:
    return _loop_panel(loop_items("assignment", assignment))
