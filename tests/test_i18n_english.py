"""The English translation is complete, and the public site is usable in English.

The catalogue (insyn/locale/en/LC_MESSAGES/django.po) must have a translation for every entry and
no fuzzy entries, and the compiled .mo must be in step with it. With the browser asking for
English (or after choosing English with the language switch), the main public page of every area
is served in English, marked `<html lang="en">`.
"""

from __future__ import annotations

import ast
import gettext
import json
import re
from pathlib import Path

import pytest
from django.utils import translation

LOCALE_DIR = Path(__file__).resolve().parents[1] / "insyn" / "locale"
PO_FILE = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.mo"


# --- the catalogue ---------------------------------------------------------------------------


def _unquote(line: str) -> str:
    """The text of one quoted .po line: '"a\\"b"' -> 'a"b' (a Python string literal is a
    superset of a .po string, so ast can read it)."""
    return ast.literal_eval(line)


def parse_po(text: str) -> list[dict]:
    """Entries of a .po file: flags, msgctxt, msgid, msgid_plural and msgstr / msgstr[n],
    with obsolete (#~) entries left out. Enough of the format for checking completeness."""
    entries: list[dict] = []
    entry: dict = {}
    key = None

    def finish() -> None:
        nonlocal entry, key
        if "msgid" in entry:
            entries.append(entry)
        entry, key = {}, None

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#,"):
            if "msgid" in entry:
                finish()
            entry.setdefault("flags", set()).update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            if "msgid" in entry:
                finish()
        elif line.startswith('"'):
            assert key is not None, f"a continuation line without a keyword: {raw!r}"
            entry[key] += _unquote(line)
        else:
            keyword, _, rest = line.partition(" ")
            if keyword == "msgctxt" and "msgid" in entry:
                finish()
            if keyword == "msgid" and "msgid" in entry:
                finish()
            key = keyword
            entry[key] = _unquote(rest)
    finish()
    return entries


def _translations(entry: dict) -> list[str]:
    return [value for key, value in entry.items() if key.startswith("msgstr")]


def test_the_po_parser_reads_plurals_contexts_continuations_and_flags():
    entries = parse_po(
        '# header\n#, fuzzy\nmsgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#: a.py:1\n#, python-format\nmsgctxt "ctx"\nmsgid "Hej %(n)s"\n'
        'msgstr ""\n"Hello "\n"%(n)s \\"x\\""\n\n'
        'msgid "en"\nmsgid_plural "flera"\nmsgstr[0] "one"\nmsgstr[1] ""\n\n'
        '#~ msgid "gammal"\n#~ msgstr ""\n'
    )
    assert len(entries) == 3
    header, context, plural = entries
    assert header["flags"] == {"fuzzy"} and header["msgstr"] == "Language: en\n"
    assert context["msgctxt"] == "ctx" and context["msgstr"] == 'Hello %(n)s "x"'
    assert context["flags"] == {"python-format"}
    assert plural["msgid_plural"] == "flera" and _translations(plural) == ["one", ""]


@pytest.fixture(scope="module")
def catalogue() -> list[dict]:
    return parse_po(PO_FILE.read_text(encoding="utf-8"))


def test_the_catalogue_has_entries_from_every_app(catalogue):
    assert len(catalogue) > 1500
    text = PO_FILE.read_text(encoding="utf-8")
    for app in (
        "accounts",
        "dialogue",
        "feedback",
        "goals",
        "indicators",
        "organisations",
        "public",
        "templates",
    ):
        assert re.search(rf"^#: .*\b{app}/", text, re.M), app


def test_every_entry_is_translated(catalogue):
    missing = [e["msgid"] for e in catalogue[1:] if not all(t.strip() for t in _translations(e))]
    assert missing == []


def test_plural_entries_have_both_forms(catalogue):
    plurals = [e for e in catalogue if "msgid_plural" in e]
    assert plurals
    for entry in plurals:
        assert entry.get("msgstr[0]") and entry.get("msgstr[1]"), entry["msgid"]


def test_no_entry_is_fuzzy_not_even_the_header(catalogue):
    assert [e["msgid"] for e in catalogue if "fuzzy" in e.get("flags", ())] == []


def test_placeholders_survive_translation(catalogue):
    placeholder = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]+\}")
    for entry in catalogue[1:]:
        for key, value in entry.items():
            if not key.startswith("msgstr"):
                continue
            source = entry["msgid_plural"] if key == "msgstr[1]" else entry["msgid"]
            wanted = set(placeholder.findall(source))
            got = set(placeholder.findall(value))
            # An English singular may spell the number out ("One value ...") where the
            # Swedish singular also did; it never invents a placeholder of its own.
            assert got <= wanted | set(placeholder.findall(entry.get("msgid_plural", ""))), entry[
                "msgid"
            ]
            if key != "msgstr[0]":
                assert wanted <= got, entry["msgid"]


def test_the_compiled_catalogue_matches_the_po_file(catalogue):
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in catalogue[1:]:
        msgid = entry["msgid"]
        if "msgctxt" in entry:
            msgid = f"{entry['msgctxt']}\x04{msgid}"
        if "msgid_plural" in entry:
            assert compiled.ngettext(msgid, entry["msgid_plural"], 1) == entry["msgstr[0]"]
            assert compiled.ngettext(msgid, entry["msgid_plural"], 2) == entry["msgstr[1]"]
        else:
            assert compiled.gettext(msgid) == entry["msgstr"], entry["msgid"]


def test_key_strings_translate():
    with translation.override("en"):
        assert translation.gettext("Hoppa till innehållet") == "Skip to content"
        assert translation.gettext("Inriktningsmål") == "Strategic goal"
        assert translation.gettext("Fokusmål") == "Focus goal"
        assert translation.gettext("Uppdrag") == "Assignment"
        assert translation.gettext("Tillgänglighetsredogörelse") == "Accessibility statement"
        assert translation.gettext("Felanmälan") == "Fault report"
        assert translation.gettext("Synpunkt") == "Comment"
        assert (
            translation.gettext("Delårsuppföljning per augusti") == "Interim follow-up as of August"
        )
        assert translation.gettext("Medborgarbudget.") == "Participatory budget."
        assert translation.gettext("Delaktighetstrappan") == "Participation ladder"
        assert translation.pgettext("sökträffar", "Uppdrag") == "Assignments"
        assert translation.ngettext("%(n)s dialog", "%(n)s dialoger", 2) == "%(n)s dialogues"
    with translation.override("sv"):
        assert translation.gettext("Hoppa till innehållet") == "Hoppa till innehållet"


def test_translated_model_choices_and_field_names():
    from insyn.dialogue.models import LadderStep
    from insyn.feedback.models import CaseStatus
    from insyn.goals.models import GoalKind

    with translation.override("en"):
        assert str(GoalKind.INRIKTNINGSMAL.label) == "Strategic goal"
        assert str(CaseStatus.RECEIVED.label) == "Received"
        assert [str(label) for _, label in LadderStep.choices] == [
            "Information – explain/inform",
            "Consultation – ask for views/have your say",
            "Dialogue – think together/discuss",
            "Influence – develop together/co-create",
            "Co-determination – decide together",
        ]


# --- the public pages in English -------------------------------------------------------------


@pytest.fixture
def goal_url(demo, db):
    from insyn.goals.models import Goal

    goal = (
        Goal.objects.select_related("plan")
        .filter(plan__periods__state="published")
        .order_by("-plan__year", "order", "pk")
        .first()
    )
    return f"/plan/{goal.plan.year}/mal/{goal.number}/"


# Each page and a few words that only the English version shows.
ENGLISH_PAGES = {
    "/": ["Skip to content", "Goals and assignments"],
    "/arkiv/": ["Archive: all published follow-ups"],
    "/organisationer/": ["Boards and companies"],
    "/sok/?q=x": ["Search results for"],
    "/om/tillganglighet/": ["Accessibility statement for Insyn", "How accessible is the website?"],
    "/dialog/": ["Search and filter dialogues"],
    "/synpunkter/": ["Report a fault", "Follow your case"],
    # the map pages: the form's map, address search and the map script's announcements
    "/synpunkter/felanmalan/": ["Search place", "Map for choosing the place", "Marker moved to"],
    "/synpunkter/felanmalningar/": [
        "Get e-mail about new fault reports",
        "Map of published fault reports matching the filter",
    ],
    "/synpunkter/bevaka/": ["Alerts for new fault reports", "Send confirmation e-mail"],
    "/indikatorer/": ["Key figures that show how things are going"],
    "/indikatorer/budget/": ["net cost per board", "How the municipality's money is divided"],
}
SWEDISH_CHROME = ["Hoppa till innehållet", "Senast uppdaterad", "Huvudmeny"]


def _check_english(html: str, url: str, phrases: list[str]) -> None:
    assert '<html lang="en">' in html, url
    for phrase in [*phrases, "Last updated"]:
        assert phrase in html, (url, phrase)
    for swedish in SWEDISH_CHROME:
        assert swedish not in html, (url, swedish)


@pytest.mark.parametrize("url", list(ENGLISH_PAGES))
def test_public_pages_in_english_when_the_visitor_chooses_it(client, demo, db, url):
    # English only when chosen (the language switch sets the cookie); the browser's
    # Accept-Language is ignored (issue 11: Swedish whatever the browser says).
    client.cookies["django_language"] = "en"
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, url
    _check_english(response.content.decode(), url, ENGLISH_PAGES[url])


def test_a_goal_page_in_english_after_the_language_switch(client, goal_url):
    response = client.post("/i18n/setlang/", {"language": "en", "next": goal_url})
    assert response.status_code == 302
    response = client.get(goal_url)
    assert response.status_code == 200
    html = response.content.decode()
    _check_english(html, goal_url, ["Status and assessment", "Assignments under the goal"])
    assert "Strategic goal" in html or "Focus goal" in html


def test_the_language_switch_reaches_every_area(client, demo, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    for url, phrases in ENGLISH_PAGES.items():
        response = client.get(url)
        assert response.status_code == 200, url
        _check_english(response.content.decode(), url, phrases)


def test_the_open_data_api_answers_in_english_mode(client, demo, db):
    client.cookies["django_language"] = "en"
    response = client.get("/api/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["endpoints"] and data["openapi"].endswith("/api/openapi.json")


def test_map_and_alert_pages_stay_swedish_in_swedish(client, demo, db):
    for url, swedish in {
        "/synpunkter/felanmalan/": ["Sök plats", "Karta för att välja platsen", "Markören flyttad"],
        "/synpunkter/felanmalningar/": ["Få e-post om nya felanmälningar"],
        "/synpunkter/bevaka/": ["Bevaka nya felanmälningar", "Skicka bekräftelsemejl"],
    }.items():
        html = client.get(url).content.decode()
        assert '<html lang="sv">' in html, url
        for phrase in swedish:
            assert phrase in html, (url, phrase)
        for english in ("Search place", "Marker moved", "Alerts for new", "Map of"):
            assert english not in html, (url, english)


def test_swedish_stays_the_default(client, demo, db):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert '<html lang="sv">' in html and "Hoppa till innehållet" in html
    html = client.get("/").content.decode()
    assert '<html lang="sv">' in html


@pytest.fixture
def demo_texts(demo, db):
    from tests.test_staff_language import database_texts

    return database_texts()


def test_public_pages_in_english_have_no_swedish_in_their_own_words(client, demo_texts, goal_url):
    """Headings, labels, buttons, table headers, legends, captions, summaries and navigation of
    every public area and a goal page, in English: no Swedish once the demo's stored texts
    (Swedish data by nature) are taken out; and the reverse in Swedish."""
    from tests.test_staff_language import other_language_in_chrome

    problems = []
    for language in ("en", "sv"):
        client.cookies["django_language"] = language
        for url in [*ENGLISH_PAGES, goal_url]:
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            problems += [
                f"{language} {url}: {p}"
                for p in other_language_in_chrome(html, demo_texts, language)
            ]
    assert not problems, "\n".join(problems)
