"""Every staff page a role may open, in Swedish and in English: no raw Python values
(timedelta reprs, "None", datetime reprs, Django's English empty choice); none of the staff
layout's words in the other language; and no word of the other language in the page's own
words (title, headings, labels, buttons, table headers, legends, captions, summaries, navigation)
once every text stored in the database is taken out (goal texts, names and titles are Swedish
data by nature). URLs come from the URL configuration (tests/test_authz_matrix.py's walk);
goals objects from its OBJECT_URLS, other parameters are skipped (covered by the authorization
matrices)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.utils.html import strip_tags

from insyn.accounts.models import Role
from insyn.accounts.testing import login_verified
from tests.test_authz_matrix import OBJECT_URLS, ROLE_OF, ObjectKwargs, routes, url_for

pytestmark = pytest.mark.django_db

RAW = [
    (re.compile(r"\bdays?, \d+:\d\d:\d\d"), "a timedelta repr"),
    # A duration shown as a bare timedelta ("20:00:00"); a timestamp after a date is fine.
    (re.compile(r"(?<!\d{4}-\d\d-\d\d )(?<![\d:])\d{1,3}:\d\d:\d\d(?![\d:])"), "h:mm:ss"),
    (re.compile(r"datetime\.(date|datetime)\("), "a datetime repr"),
]
# In English, "None" and Django's "- Select an option -" are English words.
RAW_SWEDISH = [
    (re.compile(r"\bNone\b"), "None"),
    (re.compile(r"- Select an option -"), "Django's English empty choice"),
]


def _choice_keys() -> re.Pattern[str]:
    """Every stored choice key that is no word in either language ("on_track", "board_goal"):
    seen on a page, it is a raw value where its label belongs."""
    from django.apps import apps

    keys = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str) and re.fullmatch(r"[a-z]+(_[a-z]+)+", value):
                    keys.add(value)
    return re.compile(
        r"(?<![\w./#=-])(" + "|".join(sorted(keys, key=len, reverse=True)) + r")(?![\w./-])"
    )


# Frequent Swedish words that are no English words; any word with å, ä or ö counts too.
SWEDISH_WORDS = {
    "och",
    "att",
    "inte",
    "eller",
    "som",
    "med",
    "har",
    "kan",
    "ska",
    "finns",
    "saknas",
    "det",
    "av",
    "ett",
    "du",
    "vi",
    "din",
    "ditt",
    "dina",
    "alla",
    "inga",
    "ingen",
    "nu",
    "sedan",
    "spara",
    "skicka",
    "logga",
    "ut",
    "sida",
    "sidan",
    "ny",
    "nytt",
    "nya",
    "visa",
    "dialog",
    "dialoger",
    "ärenden",
    "rapporter",
    "mål",
    "uppdrag",
    "perioder",
    "inkorg",
    "statistik",
    "senaste",
    "datum",
    "namn",
    "typ",
    "kategori",
    "ansvarig",
    "beskrivning",
    "rubrik",
    "svar",
    "tillbaka",
    "avbryt",
    "filtrera",
    "sortera",
    "antal",
    "dagar",
}
CHROME = (
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "label",
    "button",
    "th",
    "legend",
    "caption",
    "summary",
    "nav",
    "dt",
    "option",
    "title",
)
WORD = re.compile(r"[^\W\d_]+")


class _Chrome(HTMLParser):
    """The text inside the page's own elements (CHROME), outside script/style."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.hidden = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.hidden += 1
        if tag in CHROME:
            self.depth += 1
            self.parts.append("\n")
        if tag in ("input",) and dict(attrs).get("type") in ("submit", "button"):
            self.parts.append("\n" + (dict(attrs).get("value") or "") + "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.hidden:
            self.hidden -= 1
        if tag in CHROME and self.depth:
            self.depth -= 1
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.depth and not self.hidden:
            self.parts.append(data)


def chrome_text(html: str) -> str:
    parser = _Chrome()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def database_texts() -> list[str]:
    """Every text stored in the test database, longest first: what a page shows of these is
    data, Swedish whatever the language."""
    from django.apps import apps
    from django.db import models

    texts: set[str] = set()
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField)) and not f.choices
        ]
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields)[:5000]:
            texts.update(value.strip() for value in row if isinstance(value, str) and value.strip())
    return sorted(texts, key=len, reverse=True)


# Frequent English words that are no Swedish words, for the other direction.
ENGLISH_WORDS = {
    "the",
    "and",
    "of",
    "to",
    "with",
    "your",
    "this",
    "is",
    "are",
    "not",
    "save",
    "submit",
    "select",
    "search",
    "cancel",
    "back",
    "edit",
    "delete",
    "new",
    "home",
    "sign",
    "out",
    "password",
    "report",
    "reports",
    "goal",
    "goals",
    "assignment",
    "assignments",
    "date",
    "name",
    "type",
    "show",
    "none",
    "yes",
    "no",
    "all",
    "change",
    "changes",
    "send",
    "from",
}


def other_language_in_chrome(html: str, data: list[str], language: str) -> list[str]:
    """Words of the other language in the page's own text once every stored text is taken
    out: Swedish on an English page, English on a Swedish one."""
    found = []
    for line in chrome_text(html).split("\n"):
        line = " ".join(line.split())
        for text in data:
            if len(text) > 3 and text in line:
                line = line.replace(text, " ")
        for word in WORD.findall(line):
            if language == "en":
                wrong = word.lower() in SWEDISH_WORDS or re.search("[åäöÅÄÖ]", word)
            else:
                wrong = word.lower() in ENGLISH_WORDS
            if wrong:
                other = "Swedish" if language == "en" else "English"
                found.append(f"{other} {word!r} in {line.strip()[:80]!r}")
                break
    return found


def swedish_in_chrome(html: str, data: list[str]) -> list[str]:
    return other_language_in_chrome(html, data, "en")


SWEDISH_LAYOUT = ["Logga ut", "Byt lösenord", "Min startsida", "Inloggad som"]
ENGLISH_LAYOUT = ["Sign out", "Change password", "My home", "Signed in as"]


def _problems(text: str, language: str) -> list[str]:
    visible = strip_tags(re.sub(r"<(script|style)[^>]*>.*?</\1>", "", text, flags=re.S))
    found = [what for pattern, what in RAW if pattern.search(visible)]
    key = _choice_keys().search(visible)
    if key:
        found.append(f"the raw choice key {key.group(1)!r}")
    if language == "sv":
        found += [what for pattern, what in RAW_SWEDISH if pattern.search(visible)]
    if language == "en":
        found += [f"Swedish {w!r}" for w in SWEDISH_LAYOUT if w in visible]
    else:
        found += [f"English {w!r}" for w in ENGLISH_LAYOUT if w in visible]
    return found


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize(
    "role",
    [
        "admin",
        "compiler",
        "reporter",
        "reader",
        "dialogue_officer",
        "contact_centre",
        "case_handler",
        "moderator",
    ],
)
def test_staff_pages_show_no_raw_values_and_keep_the_chosen_language(
    client, matrix_world, role, language
):
    from tests.test_authz_matrix import _allowed

    world = matrix_world
    login_verified(client, world.users[role])
    if language == "en":
        client.cookies["django_language"] = "en"
    failures = []
    data = database_texts()
    for route in routes("personal/"):
        roles = tuple(getattr(route.view, "insyn_roles", ()) or ())
        if not _allowed(role, roles):
            continue
        builder = OBJECT_URLS.get(route.name)
        if route.params and builder is None:
            continue
        objects = builder(world) if builder else ObjectKwargs(own={})
        url = url_for(route, objects.own)
        response = client.get(url)
        if response.status_code != 200:
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        html = response.content.decode()
        if language == "en" and '<html lang="en">' not in html:
            failures.append(f"{url}: not English although English was chosen")
        for problem in _problems(html, language):
            failures.append(f"{role} {language} {url}: {problem}")
        if other_language_in_chrome(html, data, language):
            data = database_texts()  # what the page's GET may have created (a draft) is data
            for problem in other_language_in_chrome(html, data, language):
                failures.append(f"{role} {language} {url}: {problem}")
    assert not failures, "\n".join(failures)


@pytest.fixture
def matrix_world(db):
    from tests.factories import MembershipFactory, UserFactory
    from tests.test_authz_matrix import make_world, open_period

    world = make_world()
    open_period(world)
    world.users["case_handler"] = MembershipFactory(
        role=Role.CASE_HANDLER, organisation=world.son, user=UserFactory(username="handler-son")
    ).user
    world.users["moderator"] = MembershipFactory(
        role=Role.MODERATOR, organisation=None, user=UserFactory(username="moderator1")
    ).user
    return world


def test_the_checker_finds_what_it_looks_for():
    assert _problems("<p>Median: 3 days, 0:00:00</p>", "sv")
    assert _problems("<option>- Select an option -</option>", "sv")
    assert _problems("<p>Logga ut</p>", "en")
    assert _problems("<p>Median: 20:00:00</p>", "sv")
    assert _problems("<p>None</p>", "sv")
    assert not _problems("<p>Median: 3 dagar</p><time>14:12</time>", "sv")
    assert not _problems("<p>2026-12-04 14:12:33</p>", "sv")
    assert _problems("<td>on_track</td>", "sv") and _problems("<td>on_track</td>", "en")
    assert not _problems('<a href="?status=on_track">Enligt plan</a>', "sv")
    assert ROLE_OF["case_handler"] == Role.CASE_HANDLER


def test_the_chrome_checker_finds_swedish_words_but_not_data():
    data = ["Öka tryggheten i Gottsunda"]
    assert swedish_in_chrome("<h1>Rapporter att lämna</h1>", data)
    assert swedish_in_chrome("<button>Spara</button>", data)
    assert swedish_in_chrome("<title>Mina rapporter – Insyn</title>", data)
    assert swedish_in_chrome('<input type="submit" value="Skicka">', data)
    assert swedish_in_chrome("<th>Status och bedömning</th>", data)
    assert swedish_in_chrome("<nav><a href='/'>Logga ut</a></nav>", data)
    assert not swedish_in_chrome("<h1>Goal 1: Öka tryggheten i Gottsunda</h1>", data)
    assert not swedish_in_chrome("<p>Öka tryggheten, och mer</p>", data)  # body text is data
    assert not swedish_in_chrome("<h2>Reports to submit</h2><th>Status and assessment</th>", data)
    assert not swedish_in_chrome("<script>var a = 'och';</script><h1>Home</h1>", data)
    # and the reverse
    assert other_language_in_chrome("<button>Save</button>", data, "sv")
    assert other_language_in_chrome("<h2>Reports to submit</h2>", data, "sv")
    assert not other_language_in_chrome("<h2>Rapporter att lämna in</h2>", data, "sv")
    assert not other_language_in_chrome("<h2>The Open311 key</h2>", ["The Open311 key"], "sv")
