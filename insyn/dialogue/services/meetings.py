"""Meetings and focus groups (registration within capacity, notes) and offline input."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from insyn.core.errors import ServiceError
from insyn.core.mail import queue_email
from insyn.dialogue.indexing import index_dialogue
from insyn.dialogue.models import (
    AgeBand,
    Dialogue,
    District,
    Meeting,
    OfflineInput,
    Participant,
    Registration,
    Source,
)
from insyn.dialogue.services.common import _absolute, _as_history_user


class MeetingFull(ServiceError):
    pass


def meeting_create(
    *,
    dialogue: Dialogue,
    title: str,
    starts_at: dt.datetime,
    place: str,
    kind: str = "meeting",
    ends_at: dt.datetime | None = None,
    accessibility: str = "",
    capacity: int | None = None,
    by: Any = None,
) -> Meeting:
    if ends_at and ends_at <= starts_at:
        raise ServiceError(_("Mötet måste sluta efter att det börjar."))
    meeting = Meeting(
        dialogue=dialogue,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        kind=kind,
        accessibility=accessibility,
        capacity=capacity,
    )
    _as_history_user(meeting, by).save()
    return meeting


@transaction.atomic
def meeting_register(
    *,
    meeting: Meeting,
    name: str,
    email: str,
    needs: str = "",
    participant: Participant | None = None,
    district: District | None = None,
    age_band: str = "",
) -> Registration:
    """Register for a meeting. The meeting row is locked (SELECT … FOR UPDATE; SQLite's
    IMMEDIATE transactions serialise writers) while places are counted, so the capacity holds
    under concurrent registrations."""
    meeting = Meeting.objects.select_for_update().select_related("dialogue").get(pk=meeting.pk)
    if not (
        meeting.registration_open
        and meeting.dialogue.is_open
        and meeting.starts_at > timezone.now()
    ):
        raise ServiceError(_("Anmälan till mötet är stängd."))
    if not name.strip() or not email.strip():
        raise ServiceError(_("Ange namn och e-post."))
    if age_band and age_band not in AgeBand.values:
        raise ServiceError(_("Okänd åldersgrupp."))
    if Registration.objects.filter(meeting=meeting, email__iexact=email.strip()).exists():
        raise ServiceError(_("Den e-postadressen är redan anmäld."))
    if meeting.capacity is not None and meeting.registrations.count() >= meeting.capacity:
        raise MeetingFull(_("Mötet är fullt."))
    registration = Registration.objects.create(
        meeting=meeting,
        name=name.strip()[:120],
        email=email.strip(),
        needs=needs.strip(),
        participant=participant,
        district=district,
        age_band=age_band,
    )
    queue_email(
        registration.email,
        _("Anmälan: %(title)s") % {"title": meeting.title},
        _(
            "Du är anmäld till %(title)s, %(when)s, %(place)s.\n\n%(access)s\n\n"
            "Mer information: %(url)s\n"
        )
        % {
            "title": meeting.title,
            "when": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M"),
            "place": meeting.place,
            "access": meeting.accessibility,
            "url": _absolute(reverse("dialogue:meeting", args=[meeting.dialogue_id, meeting.pk])),
        },
        dedupe_key=f"dialogue:meeting:{meeting.pk}:registered",
    )
    return registration


@transaction.atomic
def meeting_save_notes(*, meeting: Meeting, notes: str, publish: bool, by: Any) -> Meeting:
    meeting.notes = notes.strip()
    meeting.notes_published = publish and bool(meeting.notes)
    _as_history_user(meeting, by).save()
    if meeting.dialogue.is_public:
        index_dialogue(meeting.dialogue)
    return meeting


def offline_input_add(
    *,
    dialogue: Dialogue,
    body: str,
    by: Any,
    meeting: Meeting | None = None,
    district: District | None = None,
    age_band: str = "",
    source: str = Source.PAPER,
    people: int = 1,
) -> OfflineInput:
    if not body.strip():
        raise ServiceError(_("Skriv in synpunkten eller anteckningen."))
    if source == Source.ONLINE:
        raise ServiceError(_("Välj hur synpunkten kom in."))
    if meeting is not None and meeting.dialogue_id != dialogue.pk:
        raise ServiceError(_("Mötet hör inte till dialogen."))
    return OfflineInput.objects.create(
        dialogue=dialogue,
        body=body.strip(),
        meeting=meeting,
        district=district,
        age_band=age_band,
        source=source,
        people=max(1, people),
        entered_by=by,
    )
