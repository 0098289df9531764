"""Reads for the dialogue pages, panels, results and exports — each with a bounded number of
queries. Public reads only ever return published dialogues and never personal data.

By topic: `register` (public and staff lists and details, history, suggestions, the guideline
overview), `panels` (what goals, assignments and organisations show), `surveys` (results,
export), `discussions` (visible posts, moderation queue), `budgets` (proposals, ballots,
results), `participants` (representativeness, a participant's own data).

Callers outside this package import the package (`from insyn.dialogue import selectors`): every
public name is re-exported here.
"""

from insyn.dialogue.selectors.budgets import (
    BudgetResults,
    ResultRow,
    ballot_of,
    ballot_sheet,
    ballot_values,
    budget_results,
    feasible_proposals,
    keeps_informed,
    public_delivery_photo,
    public_proposal_with_delivery,
    public_proposals,
)
from insyn.dialogue.selectors.discussions import (
    moderation_queue,
    visible_posts,
)
from insyn.dialogue.selectors.panels import (
    PANEL_LIMIT,
    assignment_loop,
    assignment_panel,
    goal_loop,
    goal_panel,
    organisation_panel,
)
from insyn.dialogue.selectors.participants import (
    Representativeness,
    dialogue_representativeness,
    participant_export,
    participation_units,
)
from insyn.dialogue.selectors.register import (
    PAGE_SIZE,
    DialogueFilters,
    GuidelineRow,
    Suggestion,
    dialogue_history,
    dialogue_list,
    filter_choices,
    guideline_checks,
    guideline_overview,
    overdue_feedback,
    plan_goals,
    public_dialogue,
    public_dialogues,
    staff_dialogue,
    staff_dialogues,
    suggest_earlier_dialogues,
)
from insyn.dialogue.selectors.surveys import (
    OptionResult,
    QuestionResult,
    survey_export_rows,
    survey_results,
)

__all__ = [
    "PAGE_SIZE",
    "PANEL_LIMIT",
    "BudgetResults",
    "DialogueFilters",
    "GuidelineRow",
    "OptionResult",
    "QuestionResult",
    "Representativeness",
    "ResultRow",
    "Suggestion",
    "assignment_loop",
    "assignment_panel",
    "ballot_of",
    "ballot_sheet",
    "ballot_values",
    "budget_results",
    "dialogue_history",
    "dialogue_list",
    "dialogue_representativeness",
    "feasible_proposals",
    "filter_choices",
    "goal_loop",
    "goal_panel",
    "guideline_checks",
    "guideline_overview",
    "keeps_informed",
    "moderation_queue",
    "organisation_panel",
    "overdue_feedback",
    "participant_export",
    "participation_units",
    "plan_goals",
    "public_delivery_photo",
    "public_dialogue",
    "public_dialogues",
    "public_proposal_with_delivery",
    "public_proposals",
    "staff_dialogue",
    "staff_dialogues",
    "suggest_earlier_dialogues",
    "survey_export_rows",
    "survey_results",
    "visible_posts",
]
