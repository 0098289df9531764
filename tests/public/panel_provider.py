"""A stand-in feature app for the panel tests: one bounded query per panel."""

from __future__ import annotations

from insyn.core.registry import Panel
from insyn.goals.models import Report


def goal_panel(goal):
    n = Report.objects.filter(assignment__goal=goal).count()
    return Panel("test_panel.html", {"what": f"mål {goal.number}", "n": n}, "Testpanel")


def assignment_panel(assignment):
    return Panel("test_panel.html", {"what": f"uppdrag {assignment.pk}", "n": 0}, "Testpanel")


def organisation_panel(organisation):
    return Panel("test_panel.html", {"what": organisation.name, "n": 0}, "Testpanel")
