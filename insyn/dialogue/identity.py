"""Resident sign-in, kept apart from staff authentication.

A signed-in resident is a `Participant` whose id sits under its own session key; Django's
`request.user` (staff) is never touched, so a resident cannot become staff and a staff member
voting does so as a participant like everyone else.
"""

from __future__ import annotations

from django.http import HttpRequest

from insyn.dialogue.models import Participant

SESSION_KEY = "insyn_dialogue_participant"


def current_participant(request: HttpRequest) -> Participant | None:
    if not hasattr(request, "_dialogue_participant"):
        pk = request.session.get(SESSION_KEY)
        participant = None
        if pk is not None:
            participant = Participant.objects.select_related("district").filter(pk=pk).first()
            if participant is None:
                request.session.pop(SESSION_KEY, None)
        request._dialogue_participant = participant
    return request._dialogue_participant


def participant_id(request: HttpRequest) -> int | None:
    """The signed-in participant's id as the session holds it, without reading the person: for
    a service that reads them itself (a ballot reads the person with the budget, in one
    statement) and for rate-limit keys. The person may since have been removed; whoever needs
    them reads them (current_participant)."""
    if hasattr(request, "_dialogue_participant"):
        loaded: Participant | None = request._dialogue_participant
        return loaded.pk if loaded is not None else None
    pk = request.session.get(SESSION_KEY)
    return pk if isinstance(pk, int) else None


def sign_in(request: HttpRequest, participant: Participant) -> None:
    request.session.cycle_key()  # no session fixation
    request.session[SESSION_KEY] = participant.pk
    request._dialogue_participant = participant


def sign_out(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()
    request._dialogue_participant = None
