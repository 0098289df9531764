"""Who may see and change which fault case (contact-centre pages under /personal/arenden/).

The contact centre (and administrators) see every case; a case handler sees, answers and changes
the status of the cases routed to their own organisations. Which *actions* a role may take
(routing, triage, merging, publishing stay with the contact centre) is decided by
`role_required` on the view. One behaviour (insyn.core.access): 404 for a case a person may not
see — another organisation's case is as if it did not exist — 403 for what they may see but not
change.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from insyn.accounts.models import Role
from insyn.accounts.permissions import has_role, organisation_ids
from insyn.core.access import fetch, grant
from insyn.feedback import selectors
from insyn.feedback.models import Case, CasePhoto, Open311ApiKey


def handled_organisations(user: Any) -> set[int] | None:
    """None: every case (contact centre, administrators); else the case handler's organisations."""
    if has_role(user, Role.CONTACT_CENTRE):
        return None
    return organisation_ids(user, Role.CASE_HANDLER)


def can_see_case(user: Any, case: Case) -> bool:
    allowed = handled_organisations(user)
    return allowed is None or case.organisation_id in allowed


def access_case(user: Any, number: str, *, write: bool = False) -> Case:
    """A case by its public number, with what its staff page shows."""
    case = selectors.case_for_staff(number)
    if case is None:
        raise Http404
    # A case handler changes the cases they see (the view's role decides which changes).
    return grant(case, see=lambda: can_see_case(user, case), write=write)


def access_photo(user: Any, uuid: Any, *, write: bool = False) -> CasePhoto:
    """A case photo, as its case."""
    photo = fetch(CasePhoto.objects.select_related("case"), uuid=uuid)
    return grant(photo, see=lambda: can_see_case(user, photo.case), write=write)


def access_api_key(user: Any, pk: Any, *, write: bool = False) -> Open311ApiKey:
    """An Open311 API key (administrators only, by the view's role)."""
    return grant(fetch(Open311ApiKey.objects.all(), pk=pk))
