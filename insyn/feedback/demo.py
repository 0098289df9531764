"""Demo data for Uppsala: categories, extra questions, districts, routing (state roads →
Trafikverket, housing yards → Uppsalahem AB), answer templates, a theme linked to the goals, a
dozen cases in different states, and an Open311 API key with a known value (demo only).

Idempotent: reference data is updated in place; cases are only created when there are none.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from insyn.feedback import services
from insyn.feedback.models import (
    AnswerTemplate,
    Case,
    CaseStatus,
    Category,
    CategoryQuestion,
    Datatype,
    Kind,
    Open311ApiKey,
    PublicState,
    RoutingRule,
    Source,
    Theme,
)
from insyn.goals.models import Assignment, Goal
from insyn.organisations.models import District, Organisation, OrganisationKind
from insyn.organisations.services import load_demo_districts

DEMO_API_KEY = "insyn-demo-open311-0380"  # public demo value; never use in production

STREETS = "Gatu- och samhällsmiljönämnden"

YES_NO = [{"key": "ja", "name": "Ja"}, {"key": "nej", "name": "Nej"}]

FAULT_CATEGORIES = [
    # code, name, group, keywords, target days, notice, questions
    (
        "gatubelysning",
        "Gatubelysning",
        "Gator och vägar",
        "lampa, belysning, mörkt, gatlykta",
        7,
        "Vi lagar normalt trasig gatubelysning inom en vecka.",
        [
            (
                "stolpnummer",
                "Vilket nummer står på stolpen?",
                Datatype.STRING,
                False,
                "Numret sitter på en skylt på stolpen, om det finns.",
                [],
            ),
            (
                "antal",
                "Hur många lampor är släckta?",
                Datatype.SINGLE,
                True,
                "",
                [
                    {"key": "1", "name": "En"},
                    {"key": "2-5", "name": "Två till fem"},
                    {"key": "fler", "name": "Fler än fem"},
                ],
            ),
        ],
    ),
    (
        "potthal",
        "Hål i vägen",
        "Gator och vägar",
        "potthål, grop, asfalt, gatsten",
        14,
        "Farliga hål lagas inom ett dygn, övriga inom två veckor.",
        [
            (
                "var",
                "Var på vägen är hålet?",
                Datatype.SINGLE,
                True,
                "",
                [
                    {"key": "korbana", "name": "Körbana"},
                    {"key": "cykelbana", "name": "Cykelbana"},
                    {"key": "gangbana", "name": "Gångbana"},
                ],
            ),
            ("farligt", "Är det farligt för trafiken?", Datatype.SINGLE, False, "", YES_NO),
        ],
    ),
    (
        "klotter",
        "Klotter",
        "Städning",
        "graffiti, tags, skadegörelse",
        3,
        "Stötande klotter tas bort inom ett dygn, annat inom tre dagar.",
        [("stotande", "Är klottret stötande eller kränkande?", Datatype.SINGLE, False, "", YES_NO)],
    ),
    (
        "snorojning",
        "Snöröjning och halka",
        "Gator och vägar",
        "snö, is, halka, sandning",
        2,
        "Vi prioriterar huvudgator, gång- och cykelvägar och busshållplatser.",
        [],
    ),
    ("park", "Park och grönområde", "Parker", "park, träd, gräs, bänk", 14, "", []),
    ("nedskrapning", "Nedskräpning", "Städning", "skräp, sopor, papperskorg", 5, "", []),
    (
        "lekplats",
        "Lekplats",
        "Parker",
        "gunga, rutschkana, sandlåda",
        10,
        "Trasig lekutrustning som kan skada barn spärras av samma dag.",
        [],
    ),
    (
        "statlig-vag",
        "Statlig väg (E4, riksvägar)",
        "Gator och vägar",
        "E4, riksväg, länsväg, Trafikverket",
        14,
        "",
        [],
    ),
    (
        "bostadsgard",
        "Bostadsgård eller trapphus hos Uppsalahem",
        "Bostäder",
        "Uppsalahem, gård, trapphus, hyresvärd",
        14,
        "",
        [],
    ),
]

FEEDBACK_CATEGORIES = [
    ("trafik-och-gator", "Trafik, gator och parker", STREETS),
    ("skola", "Förskola och skola", "Utbildningsnämnden"),
    ("omsorg", "Omsorg och stöd", "Socialnämnden"),
    ("kultur-fritid", "Kultur, idrott och fritid", "Kulturnämnden"),
    ("service", "Kommunens service och bemötande", "Kommunstyrelsen"),
    ("ovrigt", "Övrigt", "Kommunstyrelsen"),
]

TEMPLATES = [
    (
        "Tack – vi åtgärdar",
        "Tack för din anmälan {nummer}. Vi har tagit emot den och planerar åtgärd.",
        CaseStatus.IN_PROGRESS,
    ),
    ("Åtgärdat", "Nu är felet åtgärdat. Tack för att du hörde av dig!", CaseStatus.RESOLVED),
    (
        "Inte kommunens ansvar",
        "Det här ansvarar inte kommunen för. Vi har skickat vidare "
        "ditt ärende till den som ansvarar.",
        CaseStatus.FORWARDED,
    ),
    (
        "Ingen åtgärd",
        "Vi har tittat på platsen och bedömer att ingen åtgärd behövs just nu.",
        CaseStatus.CLOSED,
    ),
]


def _organisation(name: str, kind: str, website: str = "") -> Organisation:
    org = Organisation.objects.filter(name=name).first()
    if org is None:
        org = Organisation.objects.create(
            name=name, slug=slugify(name)[:200], kind=kind, website=website
        )
    return org


@transaction.atomic
def load_demo() -> None:
    streets = _organisation(STREETS, OrganisationKind.BOARD)
    trafikverket = _organisation(
        "Trafikverket", OrganisationKind.EXTERNAL, "https://www.trafikverket.se"
    )
    uppsalahem = _organisation(
        "Uppsalahem AB", OrganisationKind.COMPANY, "https://www.uppsalahem.se"
    )

    if not District.objects.filter(name="Gottsunda").exists():
        load_demo_districts()
    areas = {d.name: d for d in District.objects.all()}

    categories = {}
    for order, (code, name, group, keywords, days, notice, questions) in enumerate(
        FAULT_CATEGORIES
    ):
        category, _ = Category.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "group": group,
                "keywords": keywords,
                "target_days": days,
                "service_notice": notice,
                "fault_reports": True,
                "feedback": False,
                "active": True,
                "order": order,
                "description": f"Felanmälan: {name.lower()}.",
            },
        )
        categories[code] = category
        for q_order, (q_code, text, datatype, required, help_text, values) in enumerate(
            questions, start=1
        ):
            CategoryQuestion.objects.update_or_create(
                category=category,
                code=q_code,
                defaults={
                    "description": text,
                    "datatype": datatype,
                    "required": required,
                    "datatype_description": help_text,
                    "values": values,
                    "order": q_order,
                },
            )
        forward_to = {"statlig-vag": trafikverket, "bostadsgard": uppsalahem}.get(code)
        notices = {
            "statlig-vag": "E4, riksvägar och många länsvägar sköts av Trafikverket, inte av "
            "kommunen. Vi har skickat ditt ärende till Trafikverket. Du kan "
            "också ringa Trafikverket på 0771-921 921.",
            "bostadsgard": "Gårdar och trapphus sköts av Uppsalahem AB. Vi har skickat ditt "
            "ärende till Uppsalahem.",
        }
        RoutingRule.objects.update_or_create(
            category=category,
            area=None,
            defaults={
                "organisation": forward_to or streets,
                "forward": bool(forward_to),
                "notice": notices.get(code, ""),
            },
        )
    # An area-specific rule: the playgrounds in Gottsunda are on Uppsalahem's yards.
    RoutingRule.objects.update_or_create(
        category=categories["lekplats"],
        area=areas["Gottsunda"],
        defaults={
            "organisation": uppsalahem,
            "forward": True,
            "notice": "Lekplatserna i Gottsunda centrum ligger på Uppsalahems gårdar. "
            "Vi har skickat ditt ärende till Uppsalahem.",
        },
    )

    for order, (code, name, org_name) in enumerate(FEEDBACK_CATEGORIES, start=20):
        category, _ = Category.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "fault_reports": False,
                "feedback": True,
                "active": True,
                "order": order,
                "target_days": 14,
                "service_notice": "Vi svarar normalt inom två veckor.",
            },
        )
        categories[code] = category
        org = Organisation.objects.filter(name=org_name).first() or streets
        RoutingRule.objects.update_or_create(
            category=category, area=None, defaults={"organisation": org, "forward": False}
        )

    for title, body, status in TEMPLATES:
        AnswerTemplate.objects.update_or_create(
            title=title, defaults={"body": body, "status": status}
        )

    goal1 = Goal.objects.filter(plan__year=2023, number="1").first()
    goal4 = Goal.objects.filter(plan__year=2023, number="4").first()
    assignment = None
    if goal4 is not None:
        assignment = (
            Assignment.objects.filter(goal=goal4, number="20").first()
            or Assignment.objects.filter(goal=goal4).order_by("order", "pk").first()
        )
    theme, _ = Theme.objects.update_or_create(
        title="Trygg belysning på gång- och cykelvägar",
        defaults={
            "description": "Många anmälningar om släckta lampor på gång- och cykelvägar "
            "kvällstid, särskilt i Gottsunda och Stenhagen.",
            "goal": goal4 or goal1,
            "assignment": assignment,
        },
    )

    key_hash = services.hash_token(DEMO_API_KEY)
    if not Open311ApiKey.objects.filter(key_hash=key_hash).exists():
        services.issue_api_key(
            name="Demo: Open311-klient", raw_key=DEMO_API_KEY, rate_per_minute=600
        )

    if not Case.objects.exists():
        _demo_cases(categories, areas, theme, goal1, assignment)


def _demo_cases(
    categories: dict, areas: dict, theme: Theme, goal1: Goal | None, assignment: Assignment | None
) -> None:
    now = timezone.now()
    day = dt.timedelta(days=1)
    cases = [
        # category, lat, long, address, description, days ago, outcome
        (
            "gatubelysning",
            59.8066,
            17.6151,
            "Gång- och cykelvägen vid Gottsunda centrum",
            "Tre lampor i rad är släckta längs gång- och cykelvägen. Det är väldigt mörkt på "
            "kvällen.",
            3,
            "published",
        ),
        (
            "gatubelysning",
            59.8470,
            17.5790,
            "Stenhagsvägen vid busshållplatsen",
            "Lampan vid busshållplatsen blinkar och slocknar.",
            12,
            "resolved",
        ),
        (
            "potthal",
            59.8590,
            17.6380,
            "Kungsgatan 40",
            "Stort hål i cykelbanan, man ser det inte i mörkret. Ring mig på 070-123 45 67.",
            6,
            "in_progress",
        ),
        (
            "klotter",
            59.8620,
            17.6450,
            "Gångtunneln under Kungsgatan",
            "Mycket klotter på väggarna i tunneln.",
            2,
            "published",
        ),
        (
            "snorojning",
            59.8760,
            17.6700,
            "Gränbyvägen",
            "Gång- och cykelvägen är inte plogad sedan i går.",
            40,
            "overdue",
        ),
        (
            "nedskrapning",
            59.8200,
            17.7150,
            "Sävja, vid återvinningsstationen",
            "Fulla sopsäckar har ställts utanför containrarna.",
            1,
            "new",
        ),
        (
            "park",
            59.8580,
            17.6300,
            "Stadsträdgården",
            "En parkbänk är trasig och har vassa kanter.",
            20,
            "resolved",
        ),
        (
            "statlig-vag",
            59.9000,
            17.6500,
            "E4 norrgående, avfarten mot Bärby",
            "Viltstängslet är nedrivet längs E4.",
            5,
            "forwarded",
        ),
        (
            "lekplats",
            59.8060,
            17.6180,
            "Lekplatsen på gården vid Valthornsvägen",
            "Gungan har en trasig kedja.",
            4,
            "forwarded",
        ),
    ]
    created = []
    for code, lat, long, address, text, ago, outcome in cases:
        category = categories[code]
        q = {"antal": "2-5"} if code == "gatubelysning" else {}
        if code == "potthal":
            q = {"var": "cykelbana"}
        receipt = services.create_case(
            kind=Kind.FAULT,
            category=category,
            description=text,
            lat=lat,
            long=long,
            address_text=address,
            attributes=q,
            now=now - ago * day,
        )
        case = receipt.case
        created.append(case)
        if outcome in ("published", "resolved", "in_progress", "forwarded", "overdue"):
            services.moderate(
                case=case,
                public_description=case.public_description,
                public_address=address,
                state=PublicState.PUBLISHED,
                by=None,
                now=now - ago * day + dt.timedelta(hours=2),
            )
        if outcome in ("in_progress", "resolved"):
            template = AnswerTemplate.objects.get(title="Tack – vi åtgärdar")
            services.answer(
                case=case,
                body="",
                template=template,
                by=None,
                now=now - ago * day + dt.timedelta(hours=20),
            )
        if outcome == "resolved":
            template = AnswerTemplate.objects.get(title="Åtgärdat")
            services.answer(
                case=case, body="", template=template, by=None, now=now - (ago - 3) * day
            )
    # A duplicate of the first street-light report, merged into it.
    dup = services.create_case(
        kind=Kind.FAULT,
        category=categories["gatubelysning"],
        lat=59.8068,
        long=17.6155,
        description="Mörkt på cykelvägen vid centrum, flera lampor trasiga.",
        contact_email="invanare@example.org",
        now=now - 2 * day,
    ).case
    services.merge(duplicate=dup, into=created[0], by=None, now=now - day)
    for case in (created[0], created[1]):
        services.link_governance(case=case, theme=theme, by=None, now=now)

    feedback = [
        (
            Kind.IDEA,
            "trafik-och-gator",
            "Fler cykelställ vid Centralstationen, de är alltid fulla.",
            Source.WEB,
        ),
        (
            Kind.PRAISE,
            "service",
            "Tack för snabbt och trevligt bemötande i kontaktcenter!",
            Source.PHONE,
        ),
        (Kind.COMPLAINT, "skola", "Skolskjutsen kom inte i tid tre dagar i rad.", Source.WEB),
        (
            Kind.FEEDBACK,
            "kultur-fritid",
            "Önskar längre öppettider på biblioteket i Sävja.",
            Source.DESK,
        ),
    ]
    for kind, code, text, source in feedback:
        case = services.create_case(
            kind=kind, category=categories[code], description=text, source=source, now=now - 8 * day
        ).case
        if code == "trafik-och-gator" and goal1 is not None:
            services.link_governance(case=case, goal=goal1, by=None, now=now)
        if code == "kultur-fritid" and assignment is not None:
            services.link_governance(case=case, assignment=assignment, by=None, now=now)
