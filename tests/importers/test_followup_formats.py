"""Every published format of the archive, and never a silent loss (issue 14).

The 2017 "inriktningsmål" pages, assignments listed one per line without an assessment,
responsible bodies in lower case and run together, validity notes in titles, the older summary
sentence, line accounting and the page's cross-checks. Pure Python: no database.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insyn.importers.followup_parser import LINE_ROLES, FollowupParse, parse_followup
from insyn.organisations.registry import Registry

ROOT = Path(__file__).resolve().parents[2]
PAGES = Path(__file__).resolve().parent / "pages"
PAGE_2017 = PAGES / "uppsala-2017-08-inriktningsmal-2.txt"
DEMO_PAGES = ROOT / "insyn" / "importers" / "demo_pages"
REGISTRY = Registry.from_file(ROOT / "insyn" / "organisations" / "data" / "uppsala.json")

KS = "Kommunstyrelsen"
AMN = "Arbetsmarknadsnämnden"
GSN = "Gatu- och samhällsmiljönämnden"
PBN = "Plan- och byggnadsnämnden"
MHN = "Miljö- och hälsoskyddsnämnden"
UBN = "Utbildningsnämnden"
KTN = "Kulturnämnden"
UHEM = "Uppsalahem AB"
DUAB = "Destination Uppsala AB"


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    """Override the Django cache fixture from tests/conftest.py: these tests are pure Python."""
    yield


def parse(text: str) -> FollowupParse:
    return parse_followup(text, REGISTRY, source="test.txt")


def items(result: FollowupParse) -> list[dict[str, Any]]:
    [goal] = result.to_json()["goals"]
    return goal["assignments"]


def assert_every_line_accounted_for(result: FollowupParse, text: str) -> None:
    """One role per line of the page; nothing unplaced unless it is also a warning."""
    assert [line.number for line in result.lines] == list(range(1, len(text.split("\n")) + 1))
    for line in result.lines:
        assert line.role in LINE_ROLES  # every role has a name on the review page
        if line.role == "blank":
            assert not line.text.strip(" \t\u00a0\u200b")
        if line.role == "unplaced":
            assert any(w.startswith(f"rad {line.number}:") for w in result.warnings)


# -- the 2017 page ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def page_2017() -> FollowupParse:
    return parse_followup(PAGE_2017.read_text(encoding="utf-8"), REGISTRY, source="2017.txt")


def test_2017_goal_period_status_summary_and_legend(page_2017: FollowupParse) -> None:
    [goal] = page_2017.to_json()["goals"]
    assert (goal["kind_label"], goal["number"]) == ("Inriktningsmål", "2")
    assert goal["period"] == {"label": "Uppföljning maj–augusti", "year": 2017, "month": 8}
    assert goal["status"] == "green"
    assert goal["published_summary"] == (
        "Alla nämnder och 11 av 13 bolagsstyrelser rapporterar att arbetet med inriktningsmålet "
        "pågår enligt plan. Industrihus och Förvaltningsfastigheter meddelar att deras "
        "verksamhet inte berörs."
    )
    assert goal["not_affected"] == [
        "Aktiebolaget Uppsala Kommuns Industrihus",
        "Uppsala kommun Förvaltningsfastigheter AB",
    ]
    assert goal["assessment"] == (
        "Näringslivsprogrammet har antagits och arbetet med etableringar fortsätter."
    )
    roles = {line.number: line.role for line in page_2017.lines}
    assert [roles[n] for n in (9, 11, 13)] == ["period", "goal_status", "goal_assessment"]
    # The review page shows which sentences are the published summary.
    assert [role for role, _text in page_2017.lines[12].parts] == [
        "summary",
        "summary",
        "assessment",
    ]
    # The four legend lines use the same words as the status and are not assignments.
    assert [roles[n] for n in (15, 16, 17, 18)] == ["legend"] * 4


def test_2017_assignments_assessed_and_not(page_2017: FollowupParse) -> None:
    got = [
        (a["title"], a["responsible"], a["status"], a["assessment"], a["valid_until"])
        for a in items(page_2017)
    ]
    assert got == [
        ("Förbättra företagsklimatet genom snabbare handläggning", [KS, PBN, MHN], "on_track",
         "Handläggningstiderna för bygglov har minskat med tre veckor sedan årsskiftet.", None),
        ("Skapa fler vägar till arbete för unga", [AMN, UBN], "delayed",
         "Feriearbetena blev färre än planerat.", 2017),
        ("Utveckla besöksnäringen", [DUAB, KTN], "completed", "Besöksstrategin är antagen.",
         None),
        ("Verka för att fler företag etablerar sig i Uppsala", [KS], None, None, None),
        ("Ta fram en plan för mark till verksamheter", [KS, GSN, PBN], None, None, 2018),
        ("Minska energianvändningen i kommunens lokaler", ["Alla nämnder och bolag"], None, None,
         None),
        ("Förenkla för företag att lämna synpunkter", [KS, UHEM], None, None, None),
    ]  # fmt: skip
    assert items(page_2017)[1]["validity_note"] == "Gäller till och med 2017"
    assert items(page_2017)[0]["assessment_label"] == "Resultat: maj–augusti 2017"


def test_2017_page_every_line_accounted_for(page_2017: FollowupParse) -> None:
    assert_every_line_accounted_for(page_2017, PAGE_2017.read_text(encoding="utf-8"))
    assert page_2017.unplaced_lines == []
    # The only warning is the registry check of the company count (15 companies in 2017).
    assert page_2017.warnings == [
        "Inriktningsmål 2: sammanfattningen anger 13 bolag men registret har 15 bolag 2017"
    ]


def test_the_seed_pages_have_no_unplaced_line_and_no_warning() -> None:
    for path in sorted(DEMO_PAGES.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        result = parse_followup(text, REGISTRY, source=path.name)
        assert_every_line_accounted_for(result, text)
        assert result.unplaced_lines == []
        assert result.warnings == []
        roles = result.line_roles()
        assert roles["assignment"] == roles["assignment_status"]  # one paragraph of each


# -- variants ---------------------------------------------------------------------------------

HEAD_2017 = (
    "Inriktningsmål 1. Titel\n\nResultat: maj–augusti 2017\n\nEnligt plan\n\n"
    "Alla nämnder rapporterar att arbetet pågår enligt plan.\n\n"
)


def test_unassessed_assignments_one_per_line_are_all_read() -> None:
    """The importer once read these as one assignment and dropped the rest without a word."""
    result = parse(
        HEAD_2017 + "Ta fram en plan. Ansvariga: kommunstyrelsen\n"
        "Bygg fler förskolor. Ansvariga: utbildningsnämnden uppsala kommun skolfastigheter ab\n"
        "Öka läsandet. Ansvariga: kulturnämnden\n"
    )
    assert [(a["title"], a["responsible"]) for a in items(result)] == [
        ("Ta fram en plan", [KS]),
        ("Bygg fler förskolor", [UBN, "Uppsala Kommun Skolfastigheter AB"]),
        ("Öka läsandet", [KTN]),
    ]
    assert [a["assessment"] for a in items(result)] == [None, None, None]
    assert result.warnings == []


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("kommunstyrelsen arbetsmarknadsnämnden", [KS, AMN]),
        ("gatu- och samhällsmiljönämnden plan- och byggnadsnämnden", [GSN, PBN]),
        ("alla nämnder och alla bolag", ["Alla nämnder och bolag"]),
        ("samtliga nämnder", ["Alla nämnder"]),
        ("uppsalahem skolfastigheter industrihus", [
            UHEM, "Uppsala Kommun Skolfastigheter AB", "Aktiebolaget Uppsala Kommuns Industrihus"]),
        ("KS UBN äldrenämnden", [KS, UBN, "Äldrenämnden"]),
        ("uppsala stadshus ab uppsala kommun arenor och fastigheter ab",
         ["Uppsala Stadshus AB", "Uppsala kommun Arenor och Fastigheter AB"]),
    ],
)  # fmt: skip
def test_responsible_bodies_in_lower_case_run_together(written: str, expected: list[str]) -> None:
    result = parse(HEAD_2017 + f"Gör något. Ansvariga: {written}\n")
    [item] = items(result)
    assert item["responsible"] == expected
    assert result.warnings == []


def test_a_body_that_is_not_in_the_registry_is_reported_as_new() -> None:
    result = parse(HEAD_2017 + "Gör något. Ansvariga: kommunstyrelsen nya kulturhusnämnden\n")
    [item] = items(result)
    assert item["responsible"] == [KS, "nya kulturhusnämnden"]
    assert item["unknown_organisations"] == [{"name": "nya kulturhusnämnden", "kind": "board"}]
    assert any("okänd organisation" in w for w in result.warnings)


@pytest.mark.parametrize(
    "title",
    [
        "Utveckla X. Gäller till och med 2017.",
        "Utveckla X (gäller till och med 2017).",
        "Utveckla X. Gäller t.o.m. 2017",
    ],
)
def test_validity_note_is_taken_out_of_the_title(title: str) -> None:
    [item] = items(parse(HEAD_2017 + f"{title} Ansvariga: kommunstyrelsen\n"))
    assert item["title"] == "Utveckla X"
    assert item["valid_until"] == 2017
    assert item["responsible"] == [KS]


@pytest.mark.parametrize("separator", [" ", "", "\u00a0", "  \t"])
def test_assessed_assignments_separated_by_a_line_holding_a_space(separator: str) -> None:
    result = parse(
        HEAD_2017 + "A. Ansvariga: kommunstyrelsen\nResultat: maj–augusti 2017\n"
        f"Inte alls enligt plan\nStoppat.\n{separator}\n"
        "B. Ansvariga: kulturnämnden\nBedömning: Pågår.\n"
    )
    first, second = items(result)
    assert (first["title"], first["status"], first["assessment"]) == ("A", "not_done", "Stoppat.")
    assert (second["title"], second["responsible"], second["assessment"]) == ("B", [KTN], "Pågår.")


def test_organisation_counts_in_the_summary_are_cross_checked() -> None:
    result = parse(
        "Inriktningsmål 1. Titel\n\nResultat: maj–augusti 2017\n\nEnligt plan\n\n"
        "Alla nämnder och 11 av 13 bolagsstyrelser rapporterar att arbetet pågår. "
        "Industrihus och Polishuset meddelar att deras verksamhet inte berörs.\n\n"
        "A. Ansvariga: kommunstyrelsen\n"
    )
    [goal] = result.goals
    assert goal.not_affected == ["Aktiebolaget Uppsala Kommuns Industrihus"]
    assert any('"Polishuset" anges inte beröras' in w for w in result.warnings)
    assert any("11 av 13 bolag men 1 bolag anges inte beröras" in w for w in result.warnings)


def test_the_summary_status_is_checked_against_the_goal_status() -> None:
    result = parse(
        "Inriktningsmål 1. Titel\n\nResultat: maj–augusti 2017\n\nInte helt enligt plan\n\n"
        "Alla nämnder rapporterar att arbetet pågår enligt plan.\n\nA. Ansvariga: KS\n"
    )
    assert result.goals[0].status == "yellow"
    assert result.warnings == [
        'Inriktningsmål 1: sammanfattningen säger "enligt plan" men målets status är '
        '"inte helt enligt plan"'
    ]


# -- never a silent loss ----------------------------------------------------------------------


def test_unknown_text_before_the_heading_and_after_the_list_is_unplaced() -> None:
    text = (
        "Kakor (cookies)\n\nNyhetsbrev från kommunen\n\n"
        + HEAD_2017
        + "A. Ansvariga: kommunstyrelsen\n\n"
        "Läs mer om hur kommunen styrs\n\nSenast uppdaterad: 2017-09-30\n"
    )
    result = parse(text)
    assert_every_line_accounted_for(result, text)
    assert [(line.number, line.text) for line in result.unplaced_lines] == [
        (3, "Nyhetsbrev från kommunen"),
        (15, "Läs mer om hur kommunen styrs"),
    ]
    assert result.to_json()["unplaced_lines"] == [
        {"line": 3, "text": "Nyhetsbrev från kommunen"},
        {"line": 15, "text": "Läs mer om hur kommunen styrs"},
    ]
    assert any(w.startswith("rad 15: raden kunde inte placeras") for w in result.warnings)
    [item] = items(result)  # the stray line is not an assignment, nor part of one
    assert (item["title"], item["responsible"]) == ("A", [KS])
    assert result.lines[0].role == "boilerplate"
    assert result.lines[16].role == "published"  # "Senast uppdaterad: 2017-09-30"


def test_the_publication_line_is_accounted_for_and_not_an_assessment() -> None:
    text = HEAD_2017 + "A. Ansvariga: KS\nBedömning: Pågår.\n\nSenast ändrad 3 oktober 2017\n"
    result = parse(text)
    assert_every_line_accounted_for(result, text)
    assert result.unplaced_lines == []
    assert result.lines[-2].role == "published"
    assert result.goals[0].period.published == "2017-10-03"
    [item] = items(result)
    assert item["assessment"] == "Pågår."


def test_two_assignments_run_together_on_one_line_are_warned() -> None:
    result = parse(HEAD_2017 + "A. Ansvariga: kommunstyrelsen B. Ansvariga: kulturnämnden\n")
    assert any(
        'sidan har 2 uppdrag med "Ansvariga:" men 1 uppdrag lästes' in w for w in result.warnings
    )


# -- properties -------------------------------------------------------------------------------

ORGS = [org for org in REGISTRY.organisations if org.kind != "external"]
GROUPS = list(REGISTRY.groups)
WORDS = [
    "arbetet",
    "kommunen",
    "skolan",
    "vägarna",
    "bostäder",
    "energi",
    "trafiken",
    "parkerna",
    "tryggheten",
    "jobben",
    "företagen",
    "barnen",
    "klimatet",
    "biblioteken",
    "cykelvägar",
]
VERBS = [
    "Utveckla",
    "Stärka",
    "Minska",
    "Öka",
    "Förbättra",
    "Bygg",
    "Främja",
    "Säkra",
    "Planera",
    "Samordna",
]
STATUS_WORDS = {
    "Enligt plan": "on_track",
    "Inte helt enligt plan": "delayed",
    "Inte alls enligt plan": "not_done",
    "Uppnått": "completed",
}


@st.composite
def titles(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=6))
    return " ".join([draw(st.sampled_from(VERBS)), *words])


@st.composite
def sentences(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), min_size=2, max_size=8))
    return (" ".join(words) + ".").capitalize()


@st.composite
def responsible_lists(draw: st.DrawFn) -> tuple[str, list[str]]:
    """How a page writes the bodies after "Ansvariga:", and the registry names it means."""
    if draw(st.integers(0, 5)) == 0:
        group = draw(st.sampled_from(GROUPS))
        form = draw(st.sampled_from([group.name, *group.aliases]))
        return draw(st.sampled_from([form, form.lower()])), [group.name]
    orgs = draw(st.lists(st.sampled_from(ORGS), min_size=1, max_size=5, unique=True))
    written = []
    for org in orgs:
        form = draw(st.sampled_from([org.name, *org.aliases, *org.abbreviations]))
        if form not in org.abbreviations:
            form = draw(st.sampled_from([form, form.lower()]))
        written.append(form)
    return " ".join(written), [org.name for org in orgs]


@st.composite
def pages_2017(draw: st.DrawFn) -> tuple[str, list[dict[str, Any]]]:
    lines = ["Inriktningsmål 3. Uppsala ska vara hållbart", "", "Målet handlar om klimatet.", ""]
    lines += ["Resultat: maj–augusti 2017", draw(st.sampled_from(["", " "])), "Enligt plan", ""]
    lines += ["Alla nämnder rapporterar att arbetet pågår enligt plan.", ""]
    if draw(st.booleans()):
        lines += [*STATUS_WORDS, ""]
    expected = []
    count = draw(st.integers(min_value=1, max_value=8))
    for _ in range(count):
        title = draw(titles())
        validity = draw(st.sampled_from(["", " Gäller till och med 2017."]))
        written, names = draw(responsible_lists())
        head = f"{title}.{validity} Ansvariga: {written}"
        item: dict[str, Any] = {"title": title, "responsible": names}
        style = draw(st.sampled_from(["none", "result", "label", "inline"]))
        if style == "none":
            lines.append(head)
            item.update(status=None, assessment=None)
        else:
            text = " ".join(draw(st.lists(sentences(), min_size=1, max_size=3)))
            word = draw(st.sampled_from(list(STATUS_WORDS)))
            if style == "result":
                lines += [head, "Resultat: maj–augusti 2017", word, text]
                item.update(status=STATUS_WORDS[word], assessment=text)
            elif style == "label":
                lines += [head, f"Bedömning: {text}"]
                item.update(status=None, assessment=text)
            else:
                lines.append(f"{head} Bedömning: {text}")
                item.update(status=None, assessment=text)
            lines.append(draw(st.sampled_from([" ", "", "\u00a0"])))
        expected.append(item)
    return "\n".join(lines) + "\n", expected


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(pages_2017())
def test_every_assignment_comes_back_and_no_line_is_lost(page: tuple[str, list]) -> None:
    text, expected = page
    result = parse(text)
    got = [
        {
            "title": a["title"],
            "responsible": a["responsible"],
            "status": a["status"],
            "assessment": a["assessment"],
        }
        for a in items(result)
    ]
    assert got == expected
    assert_every_line_accounted_for(result, text)
    assert result.unplaced_lines == []
    assert not [w for w in result.warnings if "Ansvariga" in w or "okänd" in w or "känns" in w]
    # Each assignment's lines point at that assignment.
    for line in result.lines:
        if line.role in ("assignment", "assessment", "assignment_status"):
            assert line.assignment is not None
            title = expected[line.assignment]["title"]
            if line.role == "assignment":
                assert line.text.startswith(title)


COLOURS = {
    "Grön. Enligt plan.": "on_track",
    "Grön. Uppdraget är slutfört.": "completed",
    "Gul. Inte helt enligt plan.": "delayed",
    "Röd. Inte alls enligt plan.": "not_done",
}


@st.composite
def pages_2023(draw: st.DrawFn) -> tuple[str, list[dict[str, Any]]]:
    """The 2022–2023 layout: numbered items, a description and a status paragraph each."""
    blank = draw(st.sampled_from(["", " ", "    ", "\u00a0"]))
    lines = ["Fokusmål 4. Uppsala ska vara tryggt", blank, "Målbeskrivning", blank]
    lines += ["Status för inriktningsmålet är Gul. Oförändrad", blank]
    lines += ["Delårsuppföljning per augusti", blank, "Målet bedöms bli uppfyllt.", blank]
    expected = []
    for position in range(1, draw(st.integers(min_value=1, max_value=6)) + 1):
        title = draw(titles())
        written, names = draw(responsible_lists())
        in_status = draw(st.booleans())
        text = " ".join(draw(st.lists(sentences(), min_size=1, max_size=3)))
        colour = draw(st.sampled_from(list(COLOURS)))
        description = f"    Uppdrag {position}. {title}. Beskrivning: Om uppdraget."
        if not in_status:
            description += f" Ansvariga: {written}."
        status = (
            f"    Status för uppdraget är {colour} Ansvariga: {written if in_status else ''} "
            f"Bedömning: Rapportering augusti 2023: {text}"
        )
        lines += [f"  {position}. ", blank, description, blank, status]
        expected.append(
            {"title": title, "responsible": names, "status": COLOURS[colour], "assessment": text}
        )
    return "\n".join(lines) + "\n", expected


@PROPERTY
@given(pages_2023())
def test_every_2023_assignment_comes_back_and_no_line_is_lost(page: tuple[str, list]) -> None:
    text, expected = page
    result = parse(text)
    got = [
        {
            "title": a["title"],
            "responsible": a["responsible"],
            "status": a["status"],
            "assessment": a["assessment"],
        }
        for a in items(result)
    ]
    assert got == expected
    assert_every_line_accounted_for(result, text)
    assert result.unplaced_lines == []
    assert not [w for w in result.warnings if "Ansvariga" in w or "okänd" in w or "känns" in w]
