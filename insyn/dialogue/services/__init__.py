"""Every state change of a resident dialogue, one typed function per verb, by topic:

- `register`: the register entry, publication requirements, anchoring, publishing, closing,
  coordination and outreach;
- `feedback`: the feedback duty (publish the result and notify who took part);
- `subscriptions`: following a dialogue's feedback by e-mail (double opt-in);
- `participants`: the one-time sign-in link, e-ID, profile, deletion;
- `population`: population figures for representativeness;
- `surveys`, `discussions` (posts, moderation), `meetings` (and offline input);
- `budgets`: participatory budgets, ballots, counting, results, delivery; `pabulib_exchange`:
  a budget as a Pabulib file and back;
- `common`: the text limit and the history helpers the modules share.

Callers outside this package import the package (`from insyn.dialogue import services`, then
`services.dialogue_publish(...)`): every public name is re-exported here. Inside the package the
modules import each other directly. Search documents are written by
`insyn.dialogue.indexing.index_dialogue` (re-exported here).

The guideline's promises are enforced here, not in views:
- `dialogue_publish` refuses until the required register fields are filled and the anchoring
  with elected officials is recorded (`publication_blockers` lists what is missing, in Swedish);
- `dialogue_close` refuses until the feedback (result, how it was used, which decision) is
  published; `feedback_publish` notifies confirmed subscribers and signed-in participants;
- a ballot is one row per participant and budget (a database UniqueConstraint), replaced inside
  one transaction with its row locked, so concurrent casts never make two and never mix choices.

Adding a dialogue method (checklist):
1. a model in models.py with a FK to Dialogue, and contributions subclassing `Contribution`
   (district, age band, source) so representativeness counts them;
2. a `MethodKind` value, a services module here (re-exported below), selectors (public reads
   never expose personal data);
3. public and staff views/templates, and a line in `selectors.participant_export` and
   `participants.participant_delete`;
4. its contributions in `selectors.participation_units`, its public results in
   `indexing._search_body`;
5. tests in tests/dialogue, including a bounded-query test and an axe check of its page.
"""

from insyn.dialogue.indexing import (
    index_dialogue,
)
from insyn.dialogue.services.budgets import (
    BALLOT_KINDS,
    RULES_NEEDING_N,
    BallotRefused,
    ProposalAssessedMeanwhile,
    budget_close_voting,
    budget_create,
    budget_publish_results,
    budget_set_phase,
    budget_set_rules,
    cast_ballot,
    check_ballot,
    count_budget,
    proposal_approve,
    proposal_assess,
    proposal_create_assignment,
    proposal_hide,
    proposal_link_assignment,
    proposal_record_delivery,
    proposal_report,
    proposal_submit,
)
from insyn.dialogue.services.common import (
    MAX_TEXT,
)
from insyn.dialogue.services.discussions import (
    discussion_create,
    post_approve,
    post_hide,
    post_report,
    post_submit,
)
from insyn.dialogue.services.feedback import (
    feedback_blockers,
    feedback_publish,
    feedback_save,
    participant_emails,
)
from insyn.dialogue.services.meetings import (
    MeetingFull,
    meeting_create,
    meeting_register,
    meeting_save_notes,
    offline_input_add,
)
from insyn.dialogue.services.pabulib_exchange import (
    PABULIB_VOTE_TYPES,
    VOTING_RULES_BY_PABULIB,
    budget_as_pabulib,
    budget_import_pabulib,
)
from insyn.dialogue.services.participants import (
    LOGIN_MAIL_WINDOW,
    LOGIN_MAILS_PER_RECIPIENT,
    LOGIN_TOKEN_TTL,
    eid_identity,
    login_token_valid,
    normalise_personal_number,
    participant_consume_login,
    participant_delete,
    participant_from_eid,
    participant_request_login,
    participant_update_profile,
    recipient_key,
)
from insyn.dialogue.services.population import (
    population_import,
)
from insyn.dialogue.services.register import (
    REGISTER_FIELDS,
    REGISTER_RELATIONS,
    CloseRefused,
    DialogueChanged,
    PublishRefused,
    coordination_comment_add,
    dialogue_close,
    dialogue_publish,
    dialogue_record_anchoring,
    dialogue_save,
    notify_affected,
    outreach_record,
    publication_blockers,
)
from insyn.dialogue.services.subscriptions import (
    CONFIRM_MAX_AGE,
    SUBSCRIBE_SALT,
    UNSUBSCRIBE_SALT,
    subscribe,
    subscription_cancel,
    subscription_confirm,
    subscription_from_token,
    unsubscribe_link,
)
from insyn.dialogue.services.surveys import (
    SurveyInvalid,
    question_add,
    survey_close,
    survey_create,
    survey_publish_summary,
    survey_submit,
)

__all__ = [
    "BALLOT_KINDS",
    "CONFIRM_MAX_AGE",
    "LOGIN_MAILS_PER_RECIPIENT",
    "LOGIN_MAIL_WINDOW",
    "LOGIN_TOKEN_TTL",
    "MAX_TEXT",
    "PABULIB_VOTE_TYPES",
    "REGISTER_FIELDS",
    "REGISTER_RELATIONS",
    "RULES_NEEDING_N",
    "SUBSCRIBE_SALT",
    "UNSUBSCRIBE_SALT",
    "VOTING_RULES_BY_PABULIB",
    "BallotRefused",
    "CloseRefused",
    "DialogueChanged",
    "MeetingFull",
    "ProposalAssessedMeanwhile",
    "PublishRefused",
    "SurveyInvalid",
    "budget_as_pabulib",
    "budget_close_voting",
    "budget_create",
    "budget_import_pabulib",
    "budget_publish_results",
    "budget_set_phase",
    "budget_set_rules",
    "cast_ballot",
    "check_ballot",
    "coordination_comment_add",
    "count_budget",
    "dialogue_close",
    "dialogue_publish",
    "dialogue_record_anchoring",
    "dialogue_save",
    "discussion_create",
    "eid_identity",
    "feedback_blockers",
    "feedback_publish",
    "feedback_save",
    "index_dialogue",
    "login_token_valid",
    "meeting_create",
    "meeting_register",
    "meeting_save_notes",
    "normalise_personal_number",
    "notify_affected",
    "offline_input_add",
    "outreach_record",
    "participant_consume_login",
    "participant_delete",
    "participant_emails",
    "participant_from_eid",
    "participant_request_login",
    "participant_update_profile",
    "population_import",
    "post_approve",
    "post_hide",
    "post_report",
    "post_submit",
    "proposal_approve",
    "proposal_assess",
    "proposal_create_assignment",
    "proposal_hide",
    "proposal_link_assignment",
    "proposal_record_delivery",
    "proposal_report",
    "proposal_submit",
    "publication_blockers",
    "question_add",
    "recipient_key",
    "subscribe",
    "subscription_cancel",
    "subscription_confirm",
    "subscription_from_token",
    "survey_close",
    "survey_create",
    "survey_publish_summary",
    "survey_submit",
    "unsubscribe_link",
]
