"""The follow-up page parser: both Uppsala seed pages, every format variant, and fuzzing.

Pure Python: no database, no Django settings needed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insyn.importers.followup_parser import (
    FollowupParse,
    FollowupParseError,
    parse_followup,
)
from insyn.organisations.registry import Registry

ROOT = Path(__file__).resolve().parents[2]
DEMO_PAGES = ROOT / "insyn" / "importers" / "demo_pages"
PAGE_4 = DEMO_PAGES / "uppsala-2023-08-fokusmal-4.txt"
PAGE_1 = DEMO_PAGES / "uppsala-2023-08-fokusmal-1.txt"
REGISTRY = Registry.from_file(ROOT / "insyn" / "organisations" / "data" / "uppsala.json")

ALLA = ["Alla nämnder och bolag"]
NAMNDER = ["Alla nämnder"]
KS = "Kommunstyrelsen"
AMN = "Arbetsmarknadsnämnden"
GSN = "Gatu- och samhällsmiljönämnden"
IFN = "Idrotts- och fritidsnämnden"
KTN = "Kulturnämnden"
OSN = "Omsorgsnämnden"
PBN = "Plan- och byggnadsnämnden"
SCN = "Socialnämnden"
UBN = "Utbildningsnämnden"
ALN = "Äldrenämnden"
UHEM = "Uppsalahem AB"
SKOL = "Uppsala Kommun Skolfastigheter AB"
UKAF = "Uppsala kommun Arenor och Fastigheter AB"
UBF = "Uppsala bostadsförmedling AB"
USAB = "Uppsala Stadshus AB"
IHUS = "Aktiebolaget Uppsala Kommuns Industrihus"
UKFAB = "Uppsala Kommuns Fastighets AB"


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    """Override the Django cache fixture from tests/conftest.py: these tests are pure Python."""
    yield


def parse(text: str) -> dict[str, Any]:
    return parse_followup(text, REGISTRY, source="test.txt").to_json()


def only_goal(text: str) -> dict[str, Any]:
    data = parse(text)
    assert len(data["goals"]) == 1
    return data["goals"][0]


# -- the contract ---------------------------------------------------------------------------------

GOAL_STATUSES = {"green", "yellow", "red", None}
ASSIGNMENT_STATUSES = {"completed", "on_track", "delayed", "not_done", None}
KINDS = {"council", "remaining", "additional", "board_goal"}


def is_str_or_none(value: object) -> bool:
    return value is None or isinstance(value, str)


def is_int_or_none(value: object) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


def assert_contract(data: dict[str, Any]) -> None:
    """The documented to_json() contract, checked for types and internal consistency."""
    json.loads(json.dumps(data))  # serialisable
    assert isinstance(data["goals"], list)
    assert isinstance(data["warnings"], list)
    assert all(isinstance(w, str) for w in data["warnings"])
    for goal in data["goals"]:
        assert isinstance(goal["number"], str)
        assert isinstance(goal["title"], str)
        assert goal["status"] in GOAL_STATUSES
        period = goal["period"]
        assert is_str_or_none(period["label"])
        assert is_int_or_none(period["year"])
        assert period["month"] is None or period["month"] in range(1, 13)
        summary = goal["summary"]
        keys = ("assignments", "completed", "on_track", "delayed", "not_done", "unknown")
        assert set(summary) == set(keys)
        assert all(isinstance(summary[k], int) and summary[k] >= 0 for k in keys)
        assert summary["assignments"] == sum(summary[k] for k in keys[1:])
        counted = [a for a in goal["assignments"] if a["kind"] != "board_goal"]
        assert summary["assignments"] == len(counted)
        assert is_str_or_none(goal["kind_label"])
        assert is_str_or_none(goal["short_title"])
        assert is_str_or_none(goal["assessment"])
        assert is_str_or_none(goal["published_summary"])
        assert goal["stated_trend"] in {"unchanged", "improved", "worsened", None}
        for section in goal["sections"]:
            assert is_str_or_none(section["heading"])
            assert isinstance(section["body"], str)
        for item in goal["assignments"]:
            assert is_str_or_none(item["number"])
            assert item["kind"] in KINDS
            assert isinstance(item["title"], str)
            assert item["status"] in ASSIGNMENT_STATUSES
            assert all(isinstance(n, str) and n for n in item["responsible"])
            assert all(isinstance(n, str) and n for n in item["affected"])
            assert is_str_or_none(item["assessment"])
            assert is_str_or_none(item["assessment_label"])
            assert is_str_or_none(item["description"])
            assert is_int_or_none(item["origin_year"])
            assert is_str_or_none(item["origin_number"])
            assert is_str_or_none(item["board_goal_code"])
            decision = item["decision"]
            if decision is not None:
                assert set(decision) == {"case_number", "paragraph", "body", "date"}
                assert all(is_str_or_none(v) for v in decision.values())
            for unknown in item["unknown_organisations"]:
                assert isinstance(unknown["name"], str)
                assert unknown["kind"] in {"board", "company"}
                assert unknown in data["unknown_organisations"]
            assert all(isinstance(n, str) for n in item["unrecognised_names"])


# -- seed 002: Fokusmål 4 -------------------------------------------------------------------------

PAGE_4_ITEMS = [
    # number, kind, title start, status, responsible, affected, assessment start
    ("20", "council", "Utveckla kommunens förmåga att förebygga och bekämpa ungdomsbrott",
     "on_track", ALLA, [], "Arbetet med att förebygga brott och för att öka tryggheten"),
    ("21", "council", "Implementera Business Improvement District (BID) och testa nya koncept",
     "on_track", [GSN, KTN, KS, UHEM, AMN, UKAF], [KS, AMN, GSN, KTN, UHEM, UKAF],
     "Business Improvement District (BID) har initierats i Gränby"),
    ("22", "council", "Förebygg och bryt segregationen och skapa förutsättningar", "on_track",
     [ALN, GSN, IFN, KTN, PBN, KS, UHEM, SKOL, UBN, AMN, OSN, SCN, UKAF, UBF],
     [KS, AMN, GSN, IFN, KTN, OSN, PBN, SCN, UBN, ALN, UHEM, SKOL, UKAF, UBF],
     "Mål och åtgärder för allas rätt till en god bostad"),
    ("23", "council", "Påskynda integrationen för en snabbare etablering av nyanlända",
     "on_track", ALLA, [], "Det pågående kommunövergripande samordningsarbetet"),
    ("24", "council", "Stärka arbetet med att främja psykisk hälsa", "on_track", ALLA, [],
     "Kommunen arbetar för att främja psykiskt välbefinnande"),
    ("25", "council", "Utveckla samverkan för att säkerställa rätt insatser till barn",
     "on_track", [UBN, SCN, OSN], [UBN, SCN, OSN],
     "Implementeringen och utvecklingen av samarbetsinsatser"),
    ("26", "council", "Förbättra trafiksäkerheten för barn och unga vid förskolor", "on_track",
     [GSN, IFN, KTN, KS, SKOL, UBN, UKAF, PBN], [GSN, UBN, KS, SKOL, UKAF, KTN, IFN, PBN],
     "Arbetet pågår med att ta fram kommunövergripande riktlinjer"),
    ("27", "council", "Utveckla kommunens krisberedskap och det civila försvaret", "on_track",
     ALLA, [], "Kommunens verksamheter och bolag arbetar aktivt"),
    (None, "remaining", "Verka för att fler barn till utrikes födda föräldrar", "delayed",
     [UBN, AMN, KTN], [UBN, AMN, KTN], "Från den 1 juli 2023 måste alla kommuner"),
    (None, "remaining", "Stärk studiero och elevers upplevelse av trygghet", "delayed",
     [IFN, KTN, UBN, AMN, SCN, SKOL], [UBN, KTN, SCN, IFN, AMN, SKOL],
     "Arbetet med att öka tryggheten i och runt skolorna fortsätter"),
    (None, "additional", "att kommunstyrelsen får i uppdrag att undersöka möjligheten",
     "completed", [KS], [KS], "En etisk standard syftar till att skapa trygghet"),
    (None, "additional", "att uppdra till socialnämnden att ta fram handlingsplaner",
     "on_track", [SCN], [SCN], "Arbete med revidering av handlingsplan pågår."),
]  # fmt: skip


@pytest.fixture(scope="module")
def page_4() -> dict[str, Any]:
    return parse_followup(
        PAGE_4.read_text(encoding="utf-8"), REGISTRY, source=PAGE_4.name
    ).to_json()


def test_page_4_goal(page_4: dict[str, Any]) -> None:
    assert_contract(page_4)
    assert page_4["warnings"] == []
    [goal] = page_4["goals"]
    assert goal["number"] == "4"
    assert goal["kind_label"] == "Fokusmål"
    assert goal["title"] == "Uppsala ska bli tryggare med jämlika livsvillkor"
    assert goal["short_title"] == "Tryggheten och jämlikheten"
    assert goal["status"] == "yellow"
    assert goal["stated_trend"] == "unchanged"
    assert goal["period"] == {"label": "Delårsuppföljning per augusti", "year": 2023, "month": 8}
    assert goal["summary"] == {
        "assignments": 12,
        "completed": 1,
        "on_track": 9,
        "delayed": 2,
        "not_done": 0,
        "unknown": 0,
    }
    assert goal["published_summary"] == (
        "Ett av kommunfullmäktiges tolv uppdrag inom fokusmålet är klart. Nio uppdrag pågår "
        "enligt plan och två uppdrag är försenade."
    )
    assert goal["assessment"].startswith(
        "Fokusmålet bedöms bli delvist uppfyllt vid årets slut.\n\nKommunen arbetar brett"
    )
    assert "tolv uppdrag" not in goal["assessment"]
    assert [s["heading"] for s in goal["sections"]] == [
        "Målbeskrivning",
        "Välkomna och inkluderade",
        "Mångfald berikar",
        "Barnens bästa först",
        "Bättre boendevillkor",
        "Krisberedskap",
    ]
    barnens = goal["sections"][3]["body"].split("\n\n")
    assert len(barnens) == 2
    assert barnens[1].startswith("Alla barn ska kunna se sina föräldrar gå till jobbet.")


@pytest.mark.parametrize("index", range(len(PAGE_4_ITEMS)))
def test_page_4_assignments(page_4: dict[str, Any], index: int) -> None:
    number, kind, title, status, responsible, affected, assessment = PAGE_4_ITEMS[index]
    items = page_4["goals"][0]["assignments"]
    assert len(items) == len(PAGE_4_ITEMS)
    item = items[index]
    assert item["number"] == number
    assert item["kind"] == kind
    assert item["title"].startswith(title)
    assert not item["title"].endswith(".")
    assert item["status"] == status
    assert item["responsible"] == responsible
    assert item["affected"] == affected
    assert item["assessment"].startswith(assessment)
    assert item["assessment_label"] == "Rapportering augusti 2023"
    assert item["unknown_organisations"] == []


def test_page_4_details(page_4: dict[str, Any]) -> None:
    items = page_4["goals"][0]["assignments"]
    assert items[0]["title"] == (
        "Utveckla kommunens förmåga att förebygga och bekämpa ungdomsbrottslighet och kriminalitet"
    )
    assert items[0]["description"].startswith("Med gemensamma prioriteringar arbetar kommunen")
    assert items[0]["description"].endswith("utnyttjande av välfärdssystemen.")
    assert items[0]["responsible_source"] == "description"
    assert items[1]["responsible_source"] == "status"
    assert [(i["origin_year"], i["origin_number"]) for i in items[8:10]] == [
        (2022, "19"),
        (2022, "21"),
    ]
    assert items[10]["decision"] == {
        "case_number": "KSN-2019-03835",
        "paragraph": "§379",
        "body": None,
        "date": "2020-09-14",
    }
    assert items[11]["decision"] == {
        "case_number": "KSN-2022-01332",
        "paragraph": "§320",
        "body": None,
        "date": "2022-09-19",
    }
    assert items[10]["status_text"] == "Grön. Uppdraget är slutfört"


# -- seed 003: Fokusmål 1 -------------------------------------------------------------------------

PAGE_1_ITEMS = [
    ("1", "council", "Frigöra tid och resurser till kommunens kärnverksamheter", "on_track",
     ALLA, [], "Kommunens verksamheter arbetar medvetet med effektiviseringar"),
    ("2", "council", "Införa en modell för en utvecklings- och innovationsbudget", "on_track",
     [KS], [KS], "Efter omvärldsbevakning och i samverkan med kommunkoncernen"),
    ("3", "council", "Utveckla digitala välfärdstjänster för ökad samhällsnytta", "on_track",
     ALLA, [], "Utvecklingsarbete pågår utifrån såväl brukar-"),
    ("4", "council", "Stärka kompetensförsörjningen och säkerställa ett hållbart arbetsliv",
     "on_track", ALLA, [], "Samtliga nämnder har kompetensförsörjningsplaner"),
    ("5", "council", "Öka kompetensen hos medarbetare inom LSS", "on_track", [AMN, OSN, UBN],
     [OSN, AMN, UBN], "Behovet av att utveckla yrkeshögskoleutbildning"),
    ("6", "council", "Utveckla systematik genom exempelvis språkundervisning", "on_track",
     [ALN, AMN, OSN, UBN], [OSN, ALN, AMN, UBN], "Arbetet fortsätter med språkutbildning"),
    ("7", "council", "Stärka likvärdigheten och höja kunskapsresultaten", "on_track",
     [UBN, KTN], [UBN, KTN], "Sedan 1 juli 2019 gäller bestämmelser i skollagen"),
    ("8", "council", "Åstadkomma en omställning mot en effektiv och nära vård", "on_track",
     [ALN, IFN, KTN, UBN, AMN, OSN, SCN, PBN], [OSN, ALN, KTN, IFN, SCN, UBN, AMN, PBN],
     "I samarbete med Region Uppsala pågår projektet Arbetslivsintro"),
    ("9", "council", "Säkerställa hög livskvalitet och förutsättningar till att åldras",
     "on_track", [ALN, KTN, OSN, IFN], [ALN, OSN, KTN, IFN],
     "Arbete fortsätter med att öka både brukares"),
    (None, "remaining", "Ta fram en informationshanteringsplan som utifrån", "on_track", ALLA,
     [], "Räddningsnämnden, Destination Uppsala AB, Uppsala kommun skolfastigheter AB"),
    (None, "additional", "att uppdra till Aktiebolaget Uppsala Kommuns Industrihus", "on_track",
     [UKFAB], [IHUS, UKFAB], "Under 2023 kommer arbetet med försäljning"),
    (None, "additional", "att uppdra till Uppsala R2 AB, under namnändring", "on_track",
     [USAB, UKAF], [USAB, UKAF], "Uppsala kommun arenor och fastigheter AB (UKAF) bildades"),
    (None, "additional", "att uppdra till äldrenämnden att revidera program", "on_track", [ALN],
     [], "Revideringens innehåll och processen"),
    (None, "additional", "att uppdra åt kommunstyrelsen och berörda nämnder", "delayed",
     [KS, GSN], [], "Arbetet pågår tillsammans med kommunstyrelsen och Region Uppsala"),
    (None, "additional", "att delegera till kommunstyrelsen att för Uppsala kommuns räkning",
     "delayed", [KS], [], "Arbetet med att ta fram avtalsförslag"),
    (None, "additional", "att uppdra till berörda nämnder att senast i december 2022",
     "completed", NAMNDER, NAMNDER, "Uppdraget är klart."),
    (None, "additional", "att uppdra till kommunstyrelsen i samarbete med arbetsmarknadsnämnden",
     "delayed", [KS], [], "Arbetet är inte påbörjat."),
    (None, "additional", "att uppdra till gatu- och samhällsmiljönämnden att göra en översyn",
     "on_track", [GSN], [], "Fokus under året har legat på genomförandet"),
    (None, "board_goal", "Kommunen ska ha ett hållbart och hälsofrämjande arbetsliv", "on_track",
     ALLA, [], "Systematik och rutiner för arbetsmiljöarbetet"),
    (None, "board_goal", "Kommunen ska ha ett kulturbärande ledar- och medarbetarskap",
     "on_track", NAMNDER, [], "Chefsförsörjning samt utveckling av ledare"),
]  # fmt: skip


@pytest.fixture(scope="module")
def page_1() -> dict[str, Any]:
    return parse_followup(
        PAGE_1.read_text(encoding="utf-8"), REGISTRY, source=PAGE_1.name
    ).to_json()


def test_page_1_goal(page_1: dict[str, Any]) -> None:
    assert_contract(page_1)
    assert page_1["warnings"] == []
    [goal] = page_1["goals"]
    assert goal["number"] == "1"
    assert goal["kind_label"] == "Fokusmål"
    assert goal["title"] == "Uppsala ska säkra en stark ekonomi och värna välfärden"
    assert goal["short_title"] == "Ekonomin och välfärden"
    assert goal["status"] == "green"
    assert goal["stated_trend"] is None
    assert goal["period"] == {"label": "Delårsuppföljning per augusti", "year": 2023, "month": 8}
    assert goal["summary"] == {
        "assignments": 18,
        "completed": 1,
        "on_track": 14,
        "delayed": 3,
        "not_done": 0,
        "unknown": 0,
    }
    assert goal["published_summary"] == (
        "Ett av kommunfullmäktiges 18 uppdrag inom fokusmålet är färdigt. 14 uppdrag pågår "
        "enligt plan. Tre uppdrag är försenade."
    )
    paragraphs = goal["assessment"].split("\n\n")
    assert paragraphs[0] == "Fokusmålet bedöms bli i hög grad uppfyllt vid årets slut."
    assert len(paragraphs) == 3
    assert [s["heading"] for s in goal["sections"]] == [
        "Målbeskrivning",
        "Ekonomisk hållbarhet",
        "Välfärdstjänster",
        "Tillgänglig och effektiv",
        "Attraktiv arbetsgivare",
    ]
    assert len(goal["sections"][2]["body"].split("\n\n")) == 2


@pytest.mark.parametrize("index", range(len(PAGE_1_ITEMS)))
def test_page_1_assignments(page_1: dict[str, Any], index: int) -> None:
    number, kind, title, status, responsible, affected, assessment = PAGE_1_ITEMS[index]
    items = page_1["goals"][0]["assignments"]
    assert len(items) == len(PAGE_1_ITEMS)
    item = items[index]
    assert item["number"] == number
    assert item["kind"] == kind
    assert item["title"].startswith(title)
    assert not item["title"].endswith(".")
    assert item["status"] == status
    assert item["responsible"] == responsible
    assert item["affected"] == affected
    assert item["assessment"].startswith(assessment)
    assert item["assessment_label"] == "Rapportering augusti 2023"
    assert item["unknown_organisations"] == []


def test_page_1_details(page_1: dict[str, Any]) -> None:
    items = page_1["goals"][0]["assignments"]
    # "… inom kommunkoncernen. . Beskrivning av uppdraget:" loses its odd ". .".
    assert items[3]["title"] == (
        "Stärka kompetensförsörjningen och säkerställa ett hållbart arbetsliv och "
        "hälsofrämjande arbetssätt inom kommunkoncernen"
    )
    # "Berörda: KS Beskrivning av uppdraget:" has no full stop between the fields.
    assert items[1]["description"].startswith("Innovationskraft, ständiga förbättringar")
    # The double colon in "Rapportering augusti 2023::".
    assert items[4]["assessment"].startswith("Behovet av att utveckla")
    assert (items[9]["origin_year"], items[9]["origin_number"]) == (2019, None)
    assert items[15]["responsible_source"] == "affected"
    assert [i["board_goal_code"] for i in items[18:]] == ["NB 1.1", "N1.2"]
    decisions = [i["decision"] for i in items[10:18]]
    assert decisions[0] == {
        "case_number": "KSN-2019-0957",
        "paragraph": None,
        "body": "KF",
        "date": "2019-11-04",
    }
    assert decisions[1] == {
        "case_number": "KSN-2019-1841",
        "paragraph": None,
        "body": "KF",
        "date": "2020-11-03",
    }
    assert decisions[2]["case_number"] == "KSN-2021-01800"  # "(KSN-2021-01800.)"
    assert decisions[2]["date"] == "2022-01-31"
    assert decisions[6] == {
        "case_number": "KSN-2022-02882",
        "paragraph": None,
        "body": None,
        "date": "2023-02-27",  # "Översyn av policyer och riktlinjer 27 februari 2023"
    }


def test_board_goals_are_not_counted(page_1: dict[str, Any]) -> None:
    goal = page_1["goals"][0]
    assert len(goal["assignments"]) == 20
    assert goal["summary"]["assignments"] == 18


# -- synthetic pages, one per format variant -----------------------------------------------------

ITEM = """
  1.

    Uppdrag 5. Gör något bra. Berörda: KS. Beskrivning: Text.

    Status för uppdraget är Grön. Enligt plan. Ansvariga: Kommunstyrelsen Bedömning: Rapportering augusti 2023: Det går bra.
"""


def test_cookie_banner_before_the_goal_heading_is_skipped() -> None:
    goal = only_goal(
        "Kakor (cookies)\n\nKakor på uppsala.se\n\nVi använder nödvändiga kakor.\n\n"
        "Fokusmål 2. Uppsala ska växa\n" + ITEM
    )
    assert (goal["number"], goal["title"]) == ("2", "Uppsala ska växa")
    assert goal["sections"] == []
    assert goal["assignments"][0]["title"] == "Gör något bra"


@pytest.mark.parametrize(
    ("heading", "number", "kind_label", "title"),
    [
        ("Fokusmål 1. Uppsala ska säkra en stark ekonomi", "1", "Fokusmål",
         "Uppsala ska säkra en stark ekonomi"),
        ("Inriktningsmål 3. Uppsala ska vara attraktivt", "3", "Inriktningsmål",
         "Uppsala ska vara attraktivt"),
        ("8. Uppsala ska ha goda förutsättningar för ett livslångt lärande", "8", None,
         "Uppsala ska ha goda förutsättningar för ett livslångt lärande"),
    ],
)  # fmt: skip
def test_goal_heading_forms(heading: str, number: str, kind_label: str | None, title: str) -> None:
    goal = only_goal(f"{heading}\n{ITEM}")
    assert goal["number"] == number
    assert goal["kind_label"] == kind_label
    assert goal["title"] == title
    assert len(goal["assignments"]) == 1


@pytest.mark.parametrize(
    ("lines", "status", "trend"),
    [
        ("Status för inriktningsmålet är Gul. Oförändrad", "yellow", "unchanged"),
        ("Status för inriktningsmålet är Grön. Enligt plan", "green", None),
        ("Status för inriktningsmålet är Röd. Försämrad", "red", "worsened"),
        ("Status för fokusmålet är Grön. Förbättrad", "green", "improved"),
        ("Status för målet är Röd.", "red", None),
        ("Delårsuppföljning per augusti\n\nEnligt plan", "green", None),
        ("Delårsuppföljning per augusti", None, None),
    ],
)
def test_goal_status_variants(lines: str, status: str | None, trend: str | None) -> None:
    goal = only_goal(f"Inriktningsmål 3. Titel\n\n{lines}\n{ITEM}")
    assert goal["status"] == status
    assert goal["stated_trend"] == trend


@pytest.mark.parametrize(
    ("line", "month"),
    [
        ("Delårsuppföljning per augusti", 8),
        ("Delårsuppföljning per april", 4),
        ("Årsbokslut", None),  # full year: month None, not 12
        ("Uppföljning helår", None),
    ],
)
def test_period_variants(line: str, month: int | None) -> None:
    goal = only_goal(f"Fokusmål 1. Titel\n\nStatus för inriktningsmålet är Gul.\n\n{line}\n{ITEM}")
    assert goal["period"] == {"label": line, "year": 2023, "month": month}


def test_period_year_from_other_dated_text() -> None:
    goal = only_goal(
        "Fokusmål 1. Titel\n\nÅrsbokslut\n\n1.\n\nGör något. Ansvariga: KS Bedömning (per "
        "december 2021): Klart.\n"
    )
    assert goal["period"] == {"label": "Årsbokslut", "year": 2021, "month": None}
    no_dates = only_goal("Fokusmål 1. Titel\n\nÅrsbokslut\n")
    assert no_dates["period"] == {"label": "Årsbokslut", "year": None, "month": None}


LEGEND = """
  1. Grön slutfört Uppdraget är färdigt
  2. Grön Uppdraget pågår/väntar enligt plan
  3. Gul Uppdraget är försenat/inte påbörjat
  4. Röd Uppdraget genomförs inte
"""


def test_the_legend_is_not_read_as_assignments() -> None:
    goal = only_goal(
        "Fokusmål 1. Titel\n\nStatus för inriktningsmålet är Grön. Enligt plan\n\n"
        "Delårsuppföljning per augusti\n\nMålet bedöms bli uppfyllt.\n" + LEGEND + ITEM
    )
    assert [a["title"] for a in goal["assignments"]] == ["Gör något bra"]
    assert goal["assessment"] == "Målet bedöms bli uppfyllt."


@pytest.mark.parametrize(
    ("status_line", "status"),
    [
        ("Grön. Enligt plan.", "on_track"),
        ("Grön. Uppdraget är slutfört.", "completed"),
        ("Grön. Uppdraget är färdigt.", "completed"),
        ("Gul. Inte helt enligt plan.", "delayed"),
        ("Gul.", "delayed"),
        ("Röd. Inte alls enligt plan.", "not_done"),
        ("Röd.", "not_done"),
        ("", None),  # the status was only an image
    ],
)
def test_assignment_status_variants(status_line: str, status: str | None) -> None:
    goal = only_goal(
        "Fokusmål 1. Titel\n\n  1.\n\n    Uppdrag 1. Titel. Beskrivning: Text.\n\n"
        f"    Status för uppdraget är {status_line} Ansvariga: Kommunstyrelsen Bedömning: "
        "Rapportering augusti 2023: Text.\n"
    )
    [item] = goal["assignments"]
    assert item["status"] == status
    assert item["responsible"] == [KS]
    assert goal["summary"]["unknown"] == (1 if status is None else 0)


def test_item_without_any_status_paragraph_has_null_status() -> None:
    goal = only_goal("Fokusmål 1. Titel\n\n1.\n\nUppdrag 3. Gör något. Ansvariga: KS.\n")
    [item] = goal["assignments"]
    assert item["status"] is None
    assert item["responsible"] == [KS]
    assert goal["summary"]["unknown"] == 1


@pytest.mark.parametrize(
    ("trailing", "group"),
    [
        ("Ansvariga: Alla nämnder och bolag.", "Alla nämnder och bolag"),
        ("Ansvariga: alla nämnder och bolag.", "Alla nämnder och bolag"),
        ("Ansvariga: alla nämnder och alla bolag.", "Alla nämnder och bolag"),
        ("Ansvariga: ALLA NÄMNDER OCH ALLA BOLAG", "Alla nämnder och bolag"),
        ("Ansvariga: Alla nämnder.", "Alla nämnder"),
    ],
)
def test_responsible_group_from_the_description(trailing: str, group: str) -> None:
    goal = only_goal(
        f"Fokusmål 1. Titel\n\n1.\n\nUppdrag 1. Titel. Beskrivning: Text. {trailing}\n\n"
        "Status för uppdraget är Grön. Enligt plan. Ansvariga: Bedömning: Rapportering augusti "
        "2023: Text.\n"
    )
    [item] = goal["assignments"]
    assert item["responsible"] == [group]
    assert item["responsible_source"] == "description"
    assert item["affected"] == []
    assert item["description"] == "Text."


def test_remaining_assignments() -> None:
    goal = only_goal(
        "Fokusmål 1. Titel\n\n1.\n\nKvarvarande från 2022 uppdrag 19: Verka för fler barn. "
        "Berörda: UBN.\n\n2.\n\nKvarvarande uppdrag från 2019 Ta fram en plan. Ansvariga: Alla "
        "nämnder och bolag.\n"
    )
    first, second = goal["assignments"]
    assert (first["kind"], first["number"], first["origin_year"], first["origin_number"]) == (
        "remaining",
        None,
        2022,
        "19",
    )
    assert first["title"] == "Verka för fler barn"
    assert first["affected"] == [UBN]
    assert (second["kind"], second["number"], second["origin_year"], second["origin_number"]) == (
        "remaining",
        None,
        2019,
        None,
    )
    assert second["title"] == "Ta fram en plan"
    assert second["responsible"] == ALLA


def test_additional_assignments_inline_and_in_capitals() -> None:
    goal = only_goal(
        "Fokusmål 1. Titel\n\n1.\n\nTillkommande uppdrag: att uppdra till socialnämnden att "
        "göra X. Berörda: SCN. Beskrivning: Beslut (KSN-2022-01332) §320 2022-09-19.\n\n"
        "2.\n\nTILLKOMMANDE UPPDRAG: att uppdra till kulturnämnden att göra Y.\n\n"
        "Status för uppdraget är Grön. Enligt plan. Ansvariga: Kulturnämnden Bedömning: "
        "Rapportering augusti 2023: Pågår.\n\n"
        "TILLKOMMANDE UPPDRAG\n\n"
        "att uppdra till utbildningsnämnden att göra Z. Beskrivning: (KSN-2019-0957) KF "
        "2019-11-04 och 2019-11-05\n\n"
        "Status för uppdraget är Gul. Ansvariga: Utbildningsnämnden Bedömning: Rapportering "
        "augusti 2023: Försenat.\n\n"
        "att uppdra till äldrenämnden att göra W.\n\n"
        "Status för uppdraget är Röd. Ansvariga: Äldrenämnden Bedömning: Rapportering "
        "augusti 2023: Utgår.\n"
    )
    items = goal["assignments"]
    assert [i["kind"] for i in items] == ["additional"] * 4
    assert [i["number"] for i in items] == [None] * 4
    assert [i["title"] for i in items] == [
        "att uppdra till socialnämnden att göra X",
        "att uppdra till kulturnämnden att göra Y",
        "att uppdra till utbildningsnämnden att göra Z",
        "att uppdra till äldrenämnden att göra W",
    ]
    assert [i["status"] for i in items] == [None, "on_track", "delayed", "not_done"]
    assert items[0]["decision"] == {
        "case_number": "KSN-2022-01332",
        "paragraph": "§320",
        "body": None,
        "date": "2022-09-19",
    }
    assert items[2]["decision"] == {
        "case_number": "KSN-2019-0957",
        "paragraph": None,
        "body": "KF",
        "date": "2019-11-04",
    }
    assert items[3]["decision"] is None


def test_items_numbered_only_by_the_list() -> None:
    goal = only_goal(
        "Inriktningsmål 2. Titel\n\nDelårsuppföljning per april\n\n"
        "1.\n\nMinska klimatpåverkan från transporter.\n\nBeskrivning: Mer text.\n\n"
        "Status för uppdraget är Grön. Enligt plan. Ansvariga: Gatu- och samhällsmiljönämnden "
        "Bedömning: Rapportering april 2020: Pågår.\n\n"
        "2. Öka andelen förnybar energi.\n\n"
        "Status för uppdraget är Gul. Ansvariga: Uppsala Vatten och Avfall AB Bedömning: "
        "Rapportering april 2020: Försenat.\n"
    )
    first, second = goal["assignments"]
    assert (first["number"], first["kind"], first["title"]) == (
        "1",
        "council",
        "Minska klimatpåverkan från transporter",
    )
    assert first["description"] == "Mer text."
    assert first["responsible"] == [GSN]
    assert (second["number"], second["title"], second["status"]) == (
        "2",
        "Öka andelen förnybar energi",
        "delayed",
    )
    assert second["responsible"] == ["Uppsala Vatten och Avfall AB"]
    assert goal["period"] == {"label": "Delårsuppföljning per april", "year": 2020, "month": 4}


def test_affected_as_abbreviations_in_parentheses_after_the_title() -> None:
    goal = only_goal(
        "Fokusmål 1. Titel\n\n1.\n\nUppdrag 7. Förbättra skolvägarna (GSN, UBN, KS, "
        "Skolfastigheter, KTN och IFN).\n\n2.\n\nUppdrag 8. Inför Business Improvement "
        "District (BID).\n"
    )
    first, second = goal["assignments"]
    assert first["title"] == "Förbättra skolvägarna"
    assert first["affected"] == [GSN, UBN, KS, SKOL, KTN, IFN]
    assert first["responsible"] == first["affected"]
    assert first["responsible_source"] == "affected"
    # A parenthesis that is not a list of organisations stays in the title.
    assert second["title"] == "Inför Business Improvement District (BID)"
    assert second["affected"] == []


def test_assignment_written_as_one_paragraph() -> None:
    goal = only_goal(
        "Fokusmål 1. Titel\n\nDelårsuppföljning per augusti\n\n"
        "Bygg fler bostäder. Ansvariga: Kommunstyrelsen Uppsalahem AB Bedömning: Rapportering "
        "augusti 2022: Arbetet pågår.\n\n"
        "Bygg fler skolor. Ansvariga: Utbildningsnämnden Bedömning: Rapportering augusti 2022: "
        "Klart.\n"
    )
    first, second = goal["assignments"]
    assert first["title"] == "Bygg fler bostäder"
    assert first["responsible"] == [KS, UHEM]
    assert first["assessment"] == "Arbetet pågår."
    assert first["assessment_label"] == "Rapportering augusti 2022"
    assert first["status"] is None
    assert second["title"] == "Bygg fler skolor"
    assert second["responsible"] == [UBN]


def test_run_together_responsible_with_unknown_organisations() -> None:
    data = parse(
        "Fokusmål 1. Titel\n\n1.\n\nUppdrag 3. Titel.\n\nStatus för uppdraget är Grön. Enligt "
        "plan. Ansvariga: Kommunstyrelsen Uppsalahem AB Nya kulturhusnämnden Arbetsmarknadsnämnden "
        "Uppsala Testbolag AB Uppsala kommun Arenor och Fastigheter AB Bedömning: Rapportering "
        "augusti 2023: Text.\n"
    )
    [item] = data["goals"][0]["assignments"]
    assert item["responsible"] == [
        KS,
        UHEM,
        "Nya kulturhusnämnden",
        AMN,
        "Uppsala Testbolag AB",
        UKAF,
    ]
    assert item["unknown_organisations"] == [
        {"name": "Nya kulturhusnämnden", "kind": "board"},
        {"name": "Uppsala Testbolag AB", "kind": "company"},
    ]
    assert data["unknown_organisations"] == item["unknown_organisations"]
    unknown_warnings = [w for w in data["warnings"] if "okänd organisation" in w]
    assert len(unknown_warnings) == 2
    assert "Uppdrag 3" in unknown_warnings[0]
    assert "Nya kulturhusnämnden" in unknown_warnings[0]


def test_unrecognisable_names_are_reported_but_not_listed() -> None:
    data = parse("Fokusmål 1. Titel\n\n1.\n\nUppdrag 3. Titel. Berörda: KS, Polisen och UBN.\n")
    [item] = data["goals"][0]["assignments"]
    assert item["affected"] == [KS, UBN]
    assert item["unknown_organisations"] == []
    assert item["unrecognised_names"] == ["Polisen"]
    assert data["unrecognised_names"] == ["Polisen"]
    assert any('"Polisen" känns inte igen' in w and "Uppdrag 3" in w for w in data["warnings"])


def test_partial_group_of_companies() -> None:
    data = parse(
        "Fokusmål 1. Titel\n\n1.\n\nUppdrag 3. Titel. Ansvariga: Alla nämnder och 11 av 13 "
        "bolagsstyrelser.\n\nStatus för uppdraget är Grön. Ansvariga: Bedömning: Rapportering "
        "augusti 2023: Text.\n"
    )
    [item] = data["goals"][0]["assignments"]
    assert item["responsible"] == NAMNDER
    assert item["unknown_organisations"] == []
    [warning] = [w for w in data["warnings"] if "anger inte vilka bolag" in w]
    assert "registret har" not in warning  # the registry has 13 companies in 2023


@pytest.mark.parametrize(
    ("text", "label", "assessment"),
    [
        ("Bedömning: Rapportering augusti 2023: Det går bra.", "Rapportering augusti 2023",
         "Det går bra."),
        ("Bedömning: Rapportering augusti 2023:: Det går bra.", "Rapportering augusti 2023",
         "Det går bra."),
        ("Bedömning (per augusti 2022): Det går bra.", "per augusti 2022", "Det går bra."),
        ("Bedömning: (per augusti 2022): Det går bra.", "per augusti 2022", "Det går bra."),
        ("Rapportering augusti 2023: Det går bra.", "Rapportering augusti 2023", "Det går bra."),
        ("Bedömning: Det går bra.", None, "Det går bra."),
    ],
)  # fmt: skip
def test_assessment_label_variants(text: str, label: str | None, assessment: str) -> None:
    goal = only_goal(
        "Fokusmål 1. Titel\n\n1.\n\nUppdrag 1. Titel.\n\n"
        f"Status för uppdraget är Grön. Enligt plan. Ansvariga: Kommunstyrelsen {text}\n"
    )
    [item] = goal["assignments"]
    assert item["assessment_label"] == label
    assert item["assessment"] == assessment
    assert item["responsible"] == [KS]


def test_assessment_dated_by_a_separate_result_line() -> None:
    goal = only_goal(
        "Inriktningsmål 5. Titel\n\nUppföljning helår\n\n"
        "1.\n\nUppdrag 4. Titel. Ansvariga: Socialnämnden.\n\n"
        "Resultat: maj–augusti 2017\n\nArbetet har kommit igång.\n\nMer text.\n\n"
        "2.\n\nUppdrag 5. Titel två. Ansvariga: Socialnämnden.\n\n"
        "Resultat: maj–augusti 2017\nKlart.\n"
    )
    first, second = goal["assignments"]
    assert first["assessment_label"] == "Resultat: maj–augusti 2017"
    assert first["assessment"] == "Arbetet har kommit igång.\n\nMer text."
    assert first["responsible"] == [SCN]
    assert second["assessment"] == "Klart."
    assert goal["period"] == {"label": "Uppföljning helår", "year": 2017, "month": None}


def test_summary_mismatch_is_warned() -> None:
    data = parse(
        "Fokusmål 1. Titel\n\nStatus för inriktningsmålet är Gul. Oförändrad\n\n"
        "Delårsuppföljning per augusti\n\nMålet bedöms bli delvist uppfyllt. Två av "
        "kommunfullmäktiges tre uppdrag är klara. Ett uppdrag är försenat.\n" + ITEM
    )
    goal = data["goals"][0]
    assert goal["published_counts"]["assignments"] == 3
    assert goal["published_counts"]["completed"] == 2
    assert goal["published_counts"]["delayed"] == 1
    assert goal["assessment"] == "Målet bedöms bli delvist uppfyllt."
    mismatches = [w for w in data["warnings"] if "sammanfattningen anger" in w]
    assert len(mismatches) == 4  # total, completed, delayed and on_track (stated as 0 by omission)
    assert all(w.startswith("Fokusmål 1:") for w in mismatches)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Samtliga tolv uppdrag pågår enligt plan.", {"assignments": 12, "on_track": 12}),
        ("Elva av kommunfullmäktiges 14 uppdrag pågår enligt plan.",
         {"assignments": 14, "on_track": 11}),
        ("Inget uppdrag är försenat.", {"delayed": 0}),
        ("Ett uppdrag genomförs inte.", {"not_done": 1}),
        ("Fem uppdrag är slutförda, sju pågår enligt plan och ett är försenat.",
         {"completed": 5}),
    ],
)  # fmt: skip
def test_summary_sentences_in_words_and_digits(sentence: str, expected: dict[str, int]) -> None:
    goal = only_goal(f"Fokusmål 1. Titel\n\nDelårsuppföljning per april\n\nText. {sentence}\n")
    counts = goal["published_counts"]
    assert {k: counts[k] for k in expected} == expected
    assert goal["published_summary"] == sentence
    assert goal["assessment"] == "Text."


def test_several_goals_on_one_page() -> None:
    data = parse(f"Fokusmål 1. Ett\n{ITEM}\nFokusmål 2. Två\n{ITEM}")
    assert [g["number"] for g in data["goals"]] == ["1", "2"]
    assert [len(g["assignments"]) for g in data["goals"]] == [1, 1]


def test_windows_line_endings_and_non_breaking_spaces() -> None:
    text = ("Fokusmål 3. Titel\n" + ITEM).replace("\n", "\r\n").replace("1.", "1.\u00a0")
    goal = only_goal(text)
    assert goal["assignments"][0]["responsible"] == [KS]


# -- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["", "Kakor (cookies)\n\nVi använder kakor.", "Status för uppdraget är Grön."],
)
def test_text_without_a_goal_heading_is_rejected(text: str) -> None:
    with pytest.raises(FollowupParseError) as raised:
        parse_followup(text, REGISTRY, source="sida.txt")
    error = raised.value
    assert error.source == "sida.txt"
    assert error.line == 1
    assert str(error).startswith("sida.txt, rad 1: ingen målrubrik hittades")
    assert isinstance(error, ValueError)


# -- properties ---------------------------------------------------------------------------------


def check_parses_or_rejects(text: str) -> None:
    try:
        result = parse_followup(text, REGISTRY, source="fuzz.txt")
    except FollowupParseError as error:
        assert error.source == "fuzz.txt"
        assert isinstance(error.line, int)
        return
    assert isinstance(result, FollowupParse)
    assert_contract(result.to_json())


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SEED_FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SEEDS = [PAGE_4.read_text(encoding="utf-8"), PAGE_1.read_text(encoding="utf-8")]

FRAGMENTS = [
    "Fokusmål 1. Titel",
    "Inriktningsmål 3. Mål",
    "8. Åtta",
    "",
    "  1. ",
    "1.",
    "  2. Grön Uppdraget pågår/väntar enligt plan",
    "Uppdrag 20. Titel. Berörda: KS, AMN och Arenor och fastigheter. Beskrivning: X.",
    "Ansvariga: Alla nämnder och bolag.",
    "Status för uppdraget är Grön. Enligt plan. Ansvariga: Kommunstyrelsen Bedömning:",
    "Status för uppdraget är Gul. Ansvariga: Foonämnden Bar AB Bedömning: Rapportering augusti",
    "Status för inriktningsmålet är Gul. Oförändrad",
    "Delårsuppföljning per augusti",
    "Årsbokslut",
    "Enligt plan",
    "Ett av kommunfullmäktiges tolv uppdrag är klart. Nio uppdrag pågår enligt plan.",
    "Kvarvarande från 2022 uppdrag 19: Titel",
    "Kvarvarande uppdrag från 2019",
    "Tillkommande uppdrag: att (KSN-2019-03835) §379 2020-99-99",
    "TILLKOMMANDE UPPDRAG",
    "Gemensamt HR-nämnd-/bolagsmål NB 1.1. Titel",
    "Resultat: maj–augusti 2017",
    "Rapportering augusti 2023:: text",
    "Bedömning (per augusti 2022):",
    "Titel (GSN, UBN och KS).",
    "Alla nämnder och 99 av tolv bolagsstyrelser",
    "Berörda:",
    "Ansvariga:",
    "Bedömning:",
    "(",
    "§",
]


@FUZZ
@given(st.text())
def test_arbitrary_text_never_crashes(text: str) -> None:
    check_parses_or_rejects(text)


@FUZZ
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=20), max_size=40))
def test_page_like_text_never_crashes(parts: list[str]) -> None:
    check_parses_or_rejects("\n".join(parts))


@FUZZ
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=30), st.sampled_from([" ", "\n", "\n\n"]))
def test_fragments_on_one_line_never_crash(parts: list[str], joiner: str) -> None:
    check_parses_or_rejects("Fokusmål 1. Titel\n\n" + joiner.join(parts))


@SEED_FUZZ
@given(st.sampled_from(SEEDS), st.data())
def test_truncated_seeds_never_crash(seed: str, data: st.DataObject) -> None:
    cut = data.draw(st.integers(min_value=0, max_value=len(seed)))
    check_parses_or_rejects(seed[:cut])


@SEED_FUZZ
@given(st.sampled_from(SEEDS), st.data())
def test_seeds_with_deleted_lines_never_crash(seed: str, data: st.DataObject) -> None:
    lines = seed.split("\n")
    deleted = data.draw(st.sets(st.integers(min_value=0, max_value=len(lines) - 1)))
    check_parses_or_rejects("\n".join(line for i, line in enumerate(lines) if i not in deleted))


@SEED_FUZZ
@given(st.sampled_from(SEEDS), st.data())
def test_seeds_with_inserted_characters_never_crash(seed: str, data: st.DataObject) -> None:
    insertions = data.draw(
        st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=len(seed)),
                st.sampled_from([".", ":", "\n", "\n\n", " ", "(", "1.", "§", "Ö"])
                | st.text(max_size=3),
            ),
            max_size=20,
        )
    )
    text = seed
    for position, inserted in sorted(insertions, reverse=True):
        text = text[:position] + inserted + text[position:]
    check_parses_or_rejects(text)


def test_seed_counts_survive_a_round_trip_through_json() -> None:
    for path, total in ((PAGE_4, 12), (PAGE_1, 18)):
        data = json.loads(
            json.dumps(parse_followup(path.read_text(encoding="utf-8"), REGISTRY).to_json())
        )
        assert data["goals"][0]["summary"]["assignments"] == total


_LABEL_TEXT = st.lists(
    st.sampled_from(
        [
            "Beskrivning:",
            "beskrivning av  uppdraget:",
            "Ansvariga (KS) :",
            "ANSVARİGA:",
            "Berörda:",
            "Bedömning:",
            "beſkrivning:",
            "Ansvarıga:",
            "Ansvariga",
            ":",
            " ",
            "(not)",
            "-",
            "x",
            "ö",
            "\u212a",
        ]
    )
    | st.text(max_size=3),
    max_size=12,
).map("".join)


@given(_LABEL_TEXT)
def test_label_search_finds_what_the_pattern_finds_everywhere(text):
    # The parser tries the label pattern only where a label word starts (issue 13's speed);
    # that must give exactly the matches of scanning every position.
    from insyn.importers import followup_parser as fp

    def spans(matches):
        return [(m.span(), m.group("label"), m.group("note")) for m in matches]

    assert spans(fp._label_matches(text)) == spans(fp._LABEL_RE.finditer(text))
