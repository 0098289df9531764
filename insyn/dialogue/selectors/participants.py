"""Who took part: participation units and representativeness against the population, and a
participant's own data (the export they can download)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from insyn.dialogue import representativeness
from insyn.dialogue.models import (
    AgeBand,
    Ballot,
    Dialogue,
    District,
    OfflineInput,
    Participant,
    PopulationFigure,
    Post,
    Proposal,
    Registration,
    Subscription,
    SurveyResponse,
)
from insyn.goals import following


@dataclass
class Representativeness:
    districts: representativeness.Comparison
    ages: representativeness.Comparison
    total: int
    population_year: int | None
    scope: str


def participation_units(dialogue: Dialogue) -> list[tuple[int | None, int | None, str, int]]:
    """(participant id or None, district id, age band, weight) per contribution; signed-in
    participants count once (their latest stated metadata), anonymous contributions each."""
    units: list[tuple[int | None, int | None, str, int]] = []
    querysets = [
        SurveyResponse.objects.filter(survey__dialogue=dialogue),
        Post.objects.filter(discussion__dialogue=dialogue),
        Proposal.objects.filter(budget__dialogue=dialogue),
        Registration.objects.filter(meeting__dialogue=dialogue),
    ]
    for qs in querysets:
        units += [
            (p, d, a, 1) for p, d, a in qs.values_list("participant_id", "district_id", "age_band")
        ]
    units += [
        (p, d, a, 1)
        for p, d, a in Ballot.objects.filter(budget__dialogue=dialogue).values_list(
            "participant_id", "district_id", "age_band"
        )
    ]
    units += [
        (None, d, a, n)
        for d, a, n in OfflineInput.objects.filter(dialogue=dialogue).values_list(
            "district_id", "age_band", "people"
        )
    ]
    people: dict[int, tuple[int | None, int | None, str, int]] = {}
    anonymous = []
    for unit in units:
        pid, district, age, _weight = unit
        if pid is None:
            anonymous.append(unit)
            continue
        old = people.get(pid)
        people[pid] = (
            pid,
            district or (old[1] if old else None),
            age or (old[2] if old else ""),
            1,
        )
    return list(people.values()) + anonymous


def dialogue_representativeness(dialogue: Dialogue) -> Representativeness:
    units = participation_units(dialogue)
    districts = list(District.objects.all())
    scope_ids = [d.pk for d in dialogue.districts.all()]
    in_scope = [
        d for d in districts if not scope_ids or dialogue.whole_municipality or d.pk in scope_ids
    ]
    year = PopulationFigure.objects.order_by("-year").values_list("year", flat=True).first()
    pop_district: Counter[str] = Counter()
    pop_age: Counter[str] = Counter()
    scope_keys = {d.pk for d in in_scope}
    if year:
        for district_id, band, count in PopulationFigure.objects.filter(year=year).values_list(
            "district_id", "age_band", "count"
        ):
            pop_district[str(district_id)] += count
            if district_id in scope_keys:
                pop_age[band] += count
    part_district: Counter[str] = Counter()
    part_age: Counter[str] = Counter()
    district_unknown = age_unknown = 0
    for _pid, unit_district, band, weight in units:
        if unit_district:
            part_district[str(unit_district)] += weight
        else:
            district_unknown += weight
        if band:
            part_age[band] += weight
        else:
            age_unknown += weight
    outside = sum(n for key, n in part_district.items() if int(key) not in scope_keys)
    by_district = representativeness.compare(
        [(str(d.pk), d.name) for d in in_scope],
        part_district,
        pop_district,
        not_stated=district_unknown + outside,
    )
    by_age = representativeness.compare(
        [(value, str(label)) for value, label in AgeBand.choices],
        part_age,
        pop_age,
        not_stated=age_unknown,
    )
    scope = (
        _("hela kommunen")
        if dialogue.whole_municipality or not scope_ids
        else ", ".join(d.name for d in in_scope)
    )
    return Representativeness(
        districts=by_district,
        ages=by_age,
        total=sum(u[3] for u in units),
        population_year=year,
        scope=scope,
    )


def participant_export(participant: Participant) -> dict[str, Any]:
    """Everything Insyn holds about the participant, as JSON-ready data."""

    def when(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value else None

    emails = [participant.email] if participant.email else []
    data: dict[str, Any] = {
        "deltagare": {
            "e-post": participant.email,
            "e-post_verifierad": when(participant.email_verified_at),
            "e-legitimation_verifierad": when(participant.eid_verified_at),
            "område": participant.district.name if participant.district else None,
            "åldersgrupp": participant.age_band or None,
            "skapad": when(participant.created_at),
        },
        "enkätsvar": [],
        "inlägg": [],
        "förslag": [],
        "röster": [],
        "anmälningar": [],
        "prenumerationer": [],
        "följda_mål": [],
    }
    for response in (
        SurveyResponse.objects.filter(participant=participant)
        .select_related("survey__dialogue")
        .prefetch_related("answers__question", "answers__option")
    ):
        data["enkätsvar"].append(
            {
                "dialog": response.survey.dialogue.title,
                "enkät": response.survey.title,
                "datum": when(response.created_at),
                "svar": [
                    {
                        "fråga": a.question.text,
                        "svar": a.option.text if a.option else (a.text or a.value),
                    }
                    for a in response.answers.all()
                ],
            }
        )
    for post in Post.objects.filter(participant=participant).select_related("discussion__dialogue"):
        data["inlägg"].append(
            {
                "dialog": post.discussion.dialogue.title,
                "diskussion": post.discussion.title,
                "text": post.body,
                "namn": post.author_name,
                "datum": when(post.created_at),
            }
        )
    for proposal in Proposal.objects.filter(participant=participant).select_related("budget"):
        data["förslag"].append(
            {
                "budget": proposal.budget.title,
                "rubrik": proposal.title,
                "beskrivning": proposal.description,
                "datum": when(proposal.created_at),
            }
        )
    for ballot in (
        Ballot.objects.filter(participant=participant)
        .select_related("budget")
        .prefetch_related("choices__proposal")
    ):
        data["röster"].append(
            {
                "budget": ballot.budget.title,
                "val": [c.proposal.title for c in ballot.choices.all()],
                "senast_ändrad": when(ballot.updated_at),
            }
        )
    registrations = Registration.objects.filter(
        Q(participant=participant) | Q(email__in=emails)
    ).select_related("meeting")
    for registration in registrations:
        data["anmälningar"].append(
            {
                "möte": registration.meeting.title,
                "namn": registration.name,
                "e-post": registration.email,
                "behov": registration.needs,
            }
        )
    for sub in Subscription.objects.filter(email__in=emails).select_related("dialogue"):
        data["prenumerationer"].append(
            {"dialog": sub.dialogue.title, "bekräftad": when(sub.confirmed_at)}
        )
    for follower in following.followed_by(emails):
        data["följda_mål"].append(
            {"mål": str(follower.goal), "bekräftad": when(follower.confirmed_at)}
        )
    return data
