"""Demo dialogues from the seed documents (idempotent; `insyn load-demo` calls `load_demo`).

- a medborgarbudget in the rural programme (landsbygdsprogrammet), voting open;
- the follow-up medborgardialog at the travel centre (resecentrum) with the police, autumn 2023
  (seed 002, Uppdrag 20) — closed, with published feedback;
- the safety walks (trygghetsvandringar) in Årsta and Stenhagen (seed 002) with an open survey;
- a planned dialogue that cannot be published yet (shows the guideline's checklist).
Linked to Fokusmål 4 and Uppdrag 20 of plan 2023 where those are loaded.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.utils import timezone

from insyn.dialogue import services
from insyn.dialogue.models import (
    AgeBand,
    BudgetPhase,
    CountingRule,
    Dialogue,
    District,
    IdentityLevel,
    Initiator,
    LadderStep,
    MeetingKind,
    MethodKind,
    Participant,
    QuestionKind,
    Source,
    VotingRule,
)
from insyn.dialogue.population import decode, parse_population
from insyn.goals.models import Assignment, Goal
from insyn.organisations.models import Organisation, OrganisationKind

POPULATION_FILE = Path(__file__).resolve().parent / "data" / "uppsala_population.csv"
RURAL = ["Björklinge", "Vattholma", "Almunge", "Järlåsa", "Rasbo", "Vänge", "Bälinge", "Skyttorp"]


def _org(name: str) -> Organisation:
    org = Organisation.objects.filter(name=name).first()
    if org is None:
        org = Organisation.objects.filter(name="Kommunstyrelsen").first()
    if org is None:
        org, _created = Organisation.objects.get_or_create(
            name="Kommunstyrelsen",
            defaults={"slug": "kommunstyrelsen", "kind": OrganisationKind.EXECUTIVE_BOARD},
        )
    return org


def _districts(names: list[str]) -> list[District]:
    return list(District.objects.filter(name__in=names))


def _links() -> tuple[list[Goal], list[Assignment]]:
    goals = list(Goal.objects.filter(plan__year=2023, number="4"))
    assignments = list(
        Assignment.objects.filter(goal__plan__year=2023, goal__number="4", number="20")
    )
    return goals, assignments


def _create(
    key: str,
    *,
    fields: dict[str, Any],
    relations: dict[str, Any],
    anchoring: tuple[str, str, dt.date] | None,
) -> Dialogue | None:
    if Dialogue.objects.filter(demo_key=key).exists():
        return None
    dialogue = services.dialogue_save(dialogue=None, fields=fields, relations=relations, by=None)
    dialogue.demo_key = key
    Dialogue.objects.filter(pk=dialogue.pk).update(demo_key=key)
    if anchoring:
        who, body, when = anchoring
        services.dialogue_record_anchoring(
            dialogue=dialogue, anchored_with=who, anchored_body=body, anchored_on=when, by=None
        )
    return dialogue


def _participant(n: int, district: District | None, age: str) -> Participant:
    participant, _created = Participant.objects.get_or_create(
        email=f"demo-deltagare-{n}@example.org",
        defaults={"email_verified_at": timezone.now(), "district": district, "age_band": age},
    )
    return participant


def load_population() -> None:
    table = parse_population(decode(POPULATION_FILE.read_bytes()))
    services.population_import(table=table)


def load_demo() -> None:
    load_population()
    goals, assignments = _links()
    today = timezone.localdate()
    _rural_budget(goals, assignments, today)
    _resecentrum(goals, assignments)
    _safety_walks(goals, assignments, today)
    _planned(goals, today)


def _rural_budget(goals: list[Goal], assignments: list[Assignment], today: dt.date) -> None:
    dialogue = _create(
        "landsbygd-medborgarbudget",
        fields={
            "title": "Medborgarbudget för landsbygden",
            "question": "Hur vill du att en miljon kronor ska användas för att göra livet på "
            "landsbygden bättre?",
            "initiator": Initiator.ELECTED,
            "responsible_board": _org("Kommunstyrelsen"),
            "politically_decided": True,
            "purpose": "Landsbygdsprogrammet ska genomföras tillsammans med de som bor och verkar "
            "på landsbygden. Invånarna föreslår och väljer själva vad pengarna används "
            "till.",
            "ladder_steps": [LadderStep.CONSULTATION, LadderStep.CODETERMINATION],
            "result_use": "De förslag som får flest röster och ryms i budgeten genomförs under "
            "nästa år och följs upp som uppdrag i kommunens uppföljning.",
            "decision_maker": "Invånarnas röster avgör; kommunstyrelsen fattar beslut om "
            "genomförandet.",
            "target_groups": "Invånare, föreningar och företagare på landsbygden och i de mindre "
            "orterna.",
            "methods": [MethodKind.BUDGET, MethodKind.MEETING],
            "starts_on": today - dt.timedelta(days=60),
            "ends_on": today + dt.timedelta(days=21),
            "feedback_on": today + dt.timedelta(days=60),
            "earlier_dialogues_note": "Landsbygdsprogrammets dialoger med byalag och "
            "föreningar har använts för att avgränsa budgeten.",
            "identity_level": IdentityLevel.EMAIL,
        },
        relations={
            "districts": _districts(RURAL),
            "goals": goals,
            "affected_organisations": [_org("Kulturnämnden"), _org("Idrotts- och fritidsnämnden")],
        },
        anchoring=(
            "Kommunstyrelsens arbetsutskott",
            "Kommunstyrelsen",
            today - dt.timedelta(days=90),
        ),
    )
    if dialogue is None:
        return
    services.dialogue_publish(dialogue=dialogue, by=None)
    budget = services.budget_create(
        dialogue=dialogue,
        title="Landsbygdens medborgarbudget",
        amount=1_000_000,
        rule=VotingRule.WITHIN_BUDGET,
        counting=CountingRule.MES,
        intro="Välj de förslag du vill ska genomföras. De får tillsammans kosta högst en "
        "miljon kronor. Rösterna räknas med lika andelar, så att byarna som är överens om "
        "något får igenom det även om de är färre än de som röstar i tätorterna.",
    )
    rural = _districts(RURAL)
    ideas = [
        (
            "Belysning längs skolvägen i Björklinge",
            "Gatubelysning på gång- och cykelvägen mellan skolan och busshållplatsen.",
            350_000,
            True,
        ),
        ("Utegym vid bygdegården i Almunge", "Ett enkelt utegym för alla åldrar.", 250_000, True),
        (
            "Wifi och laddplatser i Vattholma bibliotek",
            "Bättre uppkoppling för den som arbetar eller pluggar.",
            120_000,
            True,
        ),
        ("Badbrygga i Järlåsa", "En tillgänglig badbrygga med ramp.", 300_000, True),
        ("Mötesplats för unga i Storvreta", "Kvällsöppen lokal med fritidsledare.", 400_000, True),
        ("Ny motorväg till Rasbo", "En snabbare väg in till staden.", None, False),
    ]
    proposals = []
    for i, (title, text, cost, feasible) in enumerate(ideas):
        proposal = services.proposal_submit(
            budget=budget,
            title=title,
            description=text,
            district=rural[i % len(rural)] if rural else None,
            age_band=AgeBand.A45_64,
        )
        services.proposal_assess(
            proposal=proposal,
            feasible=feasible,
            cost=cost,
            by=None,
            answer=(
                "Förslaget går att genomföra inom ett år; kostnaden är beräknad av förvaltningen."
                if feasible
                else "Statliga vägar är Trafikverkets ansvar och ryms inte i medborgarbudgeten. "
                "Vi har skickat förslaget vidare till Trafikverket."
            ),
        )
        proposals.append(proposal)
    services.budget_set_phase(
        budget=budget,
        phase=BudgetPhase.VOTING,
        by=None,
        voting_closes_at=timezone.now() + dt.timedelta(days=21),
    )
    bands = [AgeBand.A18_29, AgeBand.A30_44, AgeBand.A45_64, AgeBand.A65_79]
    for n in range(1, 13):
        district = rural[n % len(rural)] if rural else None
        participant = _participant(n, district, bands[n % len(bands)])
        picks = [proposals[n % 3].pk, proposals[3 + n % 2].pk]
        services.cast_ballot(budget=budget, participant=participant, proposal_ids=picks)
    services.meeting_create(
        dialogue=dialogue,
        title="Öppet hus om medborgarbudgeten i Björklinge",
        kind=MeetingKind.MEETING,
        place="Björklinge bygdegård",
        starts_at=timezone.now() + dt.timedelta(days=7),
        capacity=40,
        accessibility="Entré utan trappsteg, hörslinga och tillgänglig toalett. Kaffe finns.",
    )
    services.index_dialogue(dialogue)


def _resecentrum(goals: list[Goal], assignments: list[Assignment]) -> None:
    dialogue = _create(
        "resecentrum-medborgardialog",
        fields={
            "title": "Uppföljande medborgardialog vid resecentrum",
            "question": "Hur upplever du tryggheten vid resecentrum, och vad behöver kommunen och "
            "polisen göra mer av?",
            "initiator": Initiator.STAFF,
            "responsible_board": _org("Kommunstyrelsen"),
            "politically_decided": True,
            "purpose": "Följa upp medborgarlöftet för resecentrum som kommunen och polisen har gett "
            "tillsammans, och ta reda på om åtgärderna har gjort platsen tryggare.",
            "ladder_steps": [LadderStep.INFORMATION, LadderStep.CONSULTATION],
            "result_use": "Svaren används när kommunen och polisen tar fram nästa medborgarlöfte "
            "och i samverkansarbetet Effektiv samordning för trygghet (EST).",
            "decision_maker": "Kommunstyrelsen och lokalpolisområde Uppsala",
            "target_groups": "Resenärer, näringsidkare och de som bor och verkar runt resecentrum.",
            "methods": [MethodKind.SURVEY, MethodKind.MEETING],
            "starts_on": dt.date(2023, 9, 15),
            "ends_on": dt.date(2023, 10, 31),
            "feedback_on": dt.date(2024, 1, 31),
            "earlier_dialogues_note": "Medborgardialogen inför medborgarlöftet för resecentrum och "
            "EST:s kartläggning av otrygghetsskapande händelser.",
        },
        relations={
            "districts": _districts(["Centrum"]),
            "goals": goals,
            "assignments": assignments,
            "affected_organisations": [
                _org("Gatu- och samhällsmiljönämnden"),
                _org("Socialnämnden"),
            ],
        },
        anchoring=("Kommunstyrelsens ordförande", "Kommunstyrelsen", dt.date(2023, 8, 30)),
    )
    if dialogue is None:
        return
    services.dialogue_publish(dialogue=dialogue, by=None)
    survey = services.survey_create(dialogue=dialogue, title="Trygghet vid resecentrum")
    q1 = services.question_add(
        survey=survey,
        kind=QuestionKind.SCALE,
        text="Hur trygg känner du dig vid resecentrum på kvällen?",
        scale_min=1,
        scale_max=5,
        scale_min_label="Inte alls trygg",
        scale_max_label="Mycket trygg",
        required=True,
    )
    q2 = services.question_add(
        survey=survey,
        kind=QuestionKind.MULTIPLE,
        text="Vad skulle göra platsen tryggare?",
        options=[
            "Mer belysning",
            "Fler vakter och poliser",
            "Renare miljö",
            "Fler öppna verksamheter på kvällen",
        ],
    )
    options = list(q2.options.all())
    districts = list(District.objects.all()[:10])
    for n in range(24):
        services.survey_submit(
            survey=survey,
            answers={q1.pk: 1 + n % 5, q2.pk: [options[n % 4].pk]},
            district=districts[n % len(districts)] if districts and n % 3 else None,
            age_band=[AgeBand.A18_29, AgeBand.A30_44, AgeBand.A45_64][n % 3],
        )
    meeting = services.meeting_create(
        dialogue=dialogue,
        title="Dialog på plats vid resecentrum med polisen",
        kind=MeetingKind.MEETING,
        place="Resecentrum, vid stora entrén",
        starts_at=dt.datetime(2023, 10, 12, 14, 0, tzinfo=dt.UTC),
        accessibility="Utomhus på plan mark vid entrén; personal från kommunen och polisen "
        "finns på plats.",
    )
    services.meeting_save_notes(
        meeting=meeting,
        publish=True,
        by=None,
        notes="Ett åttiotal personer stannade och pratade med kommunen och polisen. Många tog "
        "upp belysningen i cykelgaraget och att platsen upplevs tommare efter klockan "
        "21.",
    )
    services.offline_input_add(
        dialogue=dialogue,
        meeting=meeting,
        by=None,
        source=Source.WORKSHOP,
        people=12,
        body="Samlade synpunkter från samtalen vid entrén: belysning, "
        "städning och fler kvällsöppna verksamheter.",
    )
    services.survey_close(survey=survey, by=None)
    services.survey_publish_summary(
        survey=survey,
        by=None,
        summary="De flesta känner sig ganska trygga på dagen men mindre trygga på kvällen. "
        "Mer belysning och fler öppna verksamheter på kvällen var de vanligaste "
        "önskemålen.",
    )
    services.feedback_save(
        dialogue=dialogue,
        by=None,
        summary="24 personer svarade på enkäten och ett åttiotal deltog i samtalen på plats. "
        "Otryggheten är störst på kvällen, särskilt kring cykelgaraget.",
        usage="Belysningen i och kring cykelgaraget har förstärkts och väktarnärvaron på "
        "kvällstid har utökats. Synpunkterna ingår i EST:s lägesbild.",
        decision="Det förnyade medborgarlöftet för resecentrum 2024, beslutat av "
        "kommunstyrelsen och lokalpolisområde Uppsala.",
    )
    services.feedback_publish(dialogue=dialogue, by=None)
    services.dialogue_close(dialogue=dialogue, by=None)


def _safety_walks(goals: list[Goal], assignments: list[Assignment], today: dt.date) -> None:
    dialogue = _create(
        "trygghetsvandringar-arsta-stenhagen",
        fields={
            "title": "Trygghetsvandringar i Årsta och Stenhagen",
            "question": "Var känner du dig otrygg i ditt område, och vad skulle göra det tryggare?",
            "initiator": Initiator.STAFF,
            "responsible_board": _org("Kommunstyrelsen"),
            "politically_decided": False,
            "purpose": "Skapa trygghet genom ökad närvaro och hitta brister i närmiljön, som "
            "belysning, buskage och nedskräpning, tillsammans med de som bor där.",
            "ladder_steps": [LadderStep.CONSULTATION, LadderStep.DIALOGUE],
            "result_use": "Bristerna som kommer fram åtgärdas av kommunen och fastighetsägarna; "
            "större frågor tas upp i arbetet med Uppdrag 20.",
            "decision_maker": "Gatu- och samhällsmiljönämnden och berörda fastighetsägare",
            "target_groups": "Boende i Årsta och Stenhagen, särskilt unga och äldre.",
            "methods": [MethodKind.WALK, MethodKind.SURVEY],
            "starts_on": today - dt.timedelta(days=30),
            "ends_on": today + dt.timedelta(days=45),
            "feedback_on": today + dt.timedelta(days=90),
            "earlier_dialogues_note": "Tidigare trygghetsvandringar och Uppsalahems "
            "hyresgästdialoger i områdena.",
        },
        relations={
            "districts": _districts(["Årsta", "Stenhagen"]),
            "goals": goals,
            "assignments": assignments,
            "affected_organisations": [
                _org("Gatu- och samhällsmiljönämnden"),
                _org("Uppsalahem AB"),
            ],
        },
        anchoring=("Presidiet", "Gatu- och samhällsmiljönämnden", today - dt.timedelta(days=40)),
    )
    if dialogue is None:
        return
    earlier = Dialogue.objects.filter(demo_key="resecentrum-medborgardialog").first()
    if earlier:
        dialogue.earlier_dialogues.add(earlier)
    services.dialogue_publish(dialogue=dialogue, by=None)
    walk = services.meeting_create(
        dialogue=dialogue,
        title="Trygghetsvandring i Årsta",
        kind=MeetingKind.WALK,
        place="Samling vid Årsta centrum, vid biblioteket",
        starts_at=timezone.now() - dt.timedelta(days=14),
        accessibility="Promenaden är cirka 2 km på asfalt; det går att följa med rullstol.",
    )
    services.meeting_save_notes(
        meeting=walk,
        publish=True,
        by=None,
        notes="Deltagarna pekade ut tre mörka passager och ett igenvuxet buskage vid "
        "gångtunneln. Felanmälan är gjord.",
    )
    services.meeting_create(
        dialogue=dialogue,
        title="Trygghetsvandring i Stenhagen",
        kind=MeetingKind.WALK,
        place="Samling vid Stenhagens centrum, vid kulturhuset",
        starts_at=timezone.now() + dt.timedelta(days=10),
        capacity=30,
        accessibility="Promenaden är cirka 2 km; tolk till arabiska och somaliska finns på plats.",
    )
    survey = services.survey_create(
        dialogue=dialogue,
        title="Hur trygg känner du dig där du bor?",
        intro="Tar cirka tre minuter.",
    )
    services.question_add(
        survey=survey,
        kind=QuestionKind.SINGLE,
        required=True,
        text="Hur trygg känner du dig utomhus i ditt område på kvällen?",
        options=["Mycket trygg", "Ganska trygg", "Ganska otrygg", "Mycket otrygg"],
    )
    services.question_add(
        survey=survey,
        kind=QuestionKind.RANKING,
        text="Vad är viktigast att åtgärda? Rangordna.",
        options=["Belysning", "Buskage och sikt", "Nedskräpning", "Fler vuxna ute"],
    )
    services.question_add(
        survey=survey, kind=QuestionKind.TEXT, text="Finns det en plats du undviker? Beskriv var."
    )
    q = survey.questions.first()
    options = list(q.options.all())
    local = _districts(["Årsta", "Stenhagen"])
    for n in range(18):
        services.survey_submit(
            survey=survey,
            answers={q.pk: options[n % 4].pk},
            district=local[n % len(local)] if local and n % 4 else None,
            age_band=[AgeBand.A30_44, AgeBand.A45_64, AgeBand.A65_79][n % 3],
        )
    services.index_dialogue(dialogue)


def _planned(goals: list[Goal], today: dt.date) -> None:
    _create(
        "lekplats-gottsunda",
        fields={
            "title": "Ny lekplats i Gottsunda",
            "question": "Hur vill barn och unga i Gottsunda att den nya lekplatsen ska se ut?",
            "initiator": Initiator.RESIDENTS,
            "responsible_board": _org("Gatu- och samhällsmiljönämnden"),
            "purpose": "Barnen ska få vara med och utforma lekplatsen.",
            "ladder_steps": [LadderStep.INFLUENCE],
            "methods": [MethodKind.MEETING],
            "starts_on": today + dt.timedelta(days=30),
            "ends_on": today + dt.timedelta(days=120),
        },
        relations={"districts": _districts(["Gottsunda"]), "goals": goals},
        anchoring=None,
    )
