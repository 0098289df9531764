"""Every human-readable text is marked for translation (issue 11: Swedish by default, English when
chosen, and nothing left in Swedish on an English page because nobody marked it).

Templates: every text node and human attribute (alt, title, placeholder, aria-label, …) of every
template, outside `{% translate %}` / `{% blocktranslate %}`, must be only variables, tags,
punctuation and numbers, or a name from NAMES; a literal default in a tag (`|default:"kommunen"`)
must be `_("…")`. Python: a Swedish string literal that reaches a person — the message of a
refusal (ServiceError and its kin, ValidationError, upload errors), a Django message, a form's
label/help text/placeholder, a choice label, an error appended to a list of errors — must be
inside gettext, in the modules people meet (views, forms, services, selectors, models, charts);
command-line tools, importers, demo data and the Swedish open-data API are out of scope (see
OUT_OF_SCOPE). Each checker proves on a sample that it finds what it looks for.
"""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "insyn"

# --- templates -------------------------------------------------------------------------------

# Text outside translation that is right in both languages, with why.
NAMES = {
    "Insyn": "the product's name",
    "– Insyn": "the product's name after the page title",
    "Svenska": "the language switch names each language in that language",
    "English": "the language switch names each language in that language",
    "PDF": "a file format's name",
    "Excel": "a file format's name",
    "CSV": "a file format's name",
}
# Whole templates that are Swedish documents, not pages in the chosen language.
SWEDISH_DOCUMENTS = {
    "goals/templates/goals/export/period_pdf.html": (
        "the follow-up as the municipality's PDF record (<html lang=sv>, archived with the "
        "period), not a page in the visitor's language"
    ),
    "importers/templates/importers/review_report.html": (
        "the importer's review report, a Swedish file written by the command-line import for "
        "the person who runs it (<html lang=sv>)"
    ),
}
HUMAN_ATTRIBUTES = {
    "alt",
    "title",
    "placeholder",
    "aria-label",
    "aria-description",
    "aria-roledescription",
    "aria-valuetext",
    "label",
    "summary",
    "value",  # only on submit/reset/button inputs, see _Collector
}
# Literal defaults in tags that are keys, not text.
KEYS = {
    "sv": "a language code (base.html's <html lang>)",
    "neutral": "a trend verdict key, used as a CSS class (indicators/includes/trend.html)",
    "ny": "a hidden `seen` value for a contribution nobody moderated yet (core.forms.UNMODERATED)",
}
SEPARATOR = "\ue000"
WORD = re.compile(r"[^\W\d_]{2,}")
# A literal that a tag shows to people: a default, a yesno, or a firstof fallback.
SHOWN_LITERAL = re.compile(
    r"""\|(?:default|default_if_none|yesno):(?P<q>["'])(?P<text>[^"']*)(?P=q)"""
    r"""|\bfirstof\b.*?(?P<q2>["'])(?P<text2>[^"']*)(?P=q2)"""
)


def _untranslated(source: str) -> str:
    """The template with every tag, variable and translated text replaced by a separator
    (newlines kept, so line numbers stay)."""
    out = []
    translating = 0
    skip_until = None
    for token in Lexer(source).tokenize():
        lines = "\n" * token.contents.count("\n")
        mark = f" {SEPARATOR} {lines}"
        if token.token_type == TokenType.TEXT:
            out.append(mark if translating or skip_until else token.contents)
            continue
        if token.token_type == TokenType.BLOCK:
            name = (token.contents.split() or [""])[0]
            if skip_until:
                skip_until = None if name == skip_until else skip_until
            elif name in ("comment", "verbatim"):
                skip_until = "end" + name
            elif name in ("blocktranslate", "blocktrans"):
                translating += 1
            elif name in ("endblocktranslate", "endblocktrans"):
                translating -= 1
        out.append(mark)
    return "".join(out)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.hidden += 1
        shown_value = tag == "input" and dict(attrs).get("type") in ("submit", "reset", "button")
        for name, value in attrs:
            if name in HUMAN_ATTRIBUTES and (name != "value" or shown_value):
                self._check(value or "", f"<{tag} {name}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self._check(data, "text")

    def _check(self, text: str, where: str) -> None:
        for fragment in text.split(SEPARATOR):
            fragment = " ".join(fragment.split())
            if WORD.search(fragment) and fragment not in NAMES:
                self.found.append((self.getpos()[0], f"{where} {fragment!r}"))


def untranslated_text(source: str) -> list[tuple[int, str]]:
    """(line, what) for each human-readable text of a template not marked for translation."""
    collector = _Collector()
    collector.feed(_untranslated(source))
    collector.close()
    found = collector.found
    for token in Lexer(source).tokenize():
        if token.token_type not in (TokenType.VAR, TokenType.BLOCK):
            continue
        for match in SHOWN_LITERAL.finditer(token.contents):
            text = match.group("text") or match.group("text2") or ""
            if WORD.search(text) and text not in NAMES and text not in KEYS:
                found.append((token.lineno, f"literal {text!r} in {{{token.contents}}}"))
    return found


def _templates() -> list[Path]:
    return sorted(
        path
        for pattern in ("**/templates/**/*.html", "**/templates/**/*.txt")
        for path in APP.glob(pattern)
    )


def test_every_template_text_is_marked_for_translation():
    templates = _templates()
    assert len(templates) > 150
    problems = []
    for path in templates:
        relative = path.relative_to(APP).as_posix()
        if relative in SWEDISH_DOCUMENTS:
            continue
        for line, what in untranslated_text(path.read_text(encoding="utf-8")):
            problems.append(f"insyn/{relative}:{line}: {what}")
    assert not problems, "not marked for translation:\n" + "\n".join(problems)


def test_the_swedish_documents_and_names_are_still_there():
    # An allow-list entry that no longer matches anything hides nothing and should go.
    for relative in SWEDISH_DOCUMENTS:
        assert 'lang="sv"' in (APP / relative).read_text(encoding="utf-8"), relative


def test_the_template_checker_finds_what_it_looks_for():
    def found(source: str) -> list[str]:
        return [what for _line, what in untranslated_text("{% load i18n %}" + source)]

    assert found("<p>Logga ut</p>")
    assert found('<p>{% translate "Hej" %} och {{ name }}</p>')  # "och" is outside
    assert found('<img src="x.png" alt="Karta">')
    assert found('<a href="/" aria-label="Startsida">{{ x }}</a>')
    assert found('<input type="submit" value="Skicka">')
    assert found(
        '{% blocktranslate with name=m.name|default:"kommunen" %}{{ name }}{% endblocktranslate %}'
    )
    assert found('<li{% if x %} class="a"{% endif %}>Rad</li>')
    assert found("{% if a %}<p>\n  Inga ärenden\n</p>{% endif %}")
    # what is fine
    assert not found('<p>{% translate "Logga ut" %}</p>')
    assert not found("<p>{% blocktranslate %}Hej {{ n }} gånger{% endblocktranslate %}</p>")
    assert not found("<p>{{ value }} · {{ other }} (3) – 12:30, 1,5 %</p>")
    assert not found("<title>{{ title }} – Insyn</title>")
    assert not found('<input type="hidden" name="next" value="{{ next }}">')
    assert not found('<input name="q" value="sökord">')  # a prefilled value is data
    assert not found('<button name="action" value="approve">{% translate "Godkänn" %}</button>')
    assert not found("<html lang=\"{{ LANGUAGE_CODE|default:'sv' }}\">")
    assert not found("{# En kommentar #}{% comment %}Kommentar{% endcomment %}<p>{{ x }}</p>")
    assert not found('<script type="application/json">{"a": "text"}</script>')
    assert not found('<a href="{% url "x" %}" class="nav-link">{{ label }}</a>')
    assert not found('{{ n|default:"–" }}{{ x|default:_("kommunen") }}')
    assert not found('<li{% if x %} class="a"{% endif %}>{{ row }}</li>')


# --- Python ----------------------------------------------------------------------------------

GETTEXT = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
SWEDISH = re.compile(
    r"[åäöÅÄÖ]|\b(och|att|för|inte|eller|som|med|till|har|kan|ska|finns|saknas|välj|skriv"
    r"|ingen|inga|ange|rad|filen|ogiltig|okänd|redan)\b",
    re.IGNORECASE,
)
# Calls whose string arguments people read.
SHOWN_CALLS = re.compile(
    r"(Error|Refused|Invalid|Changed|Conflict|Full)$|^(ValidationError|Http404|PermissionDenied)$"
)
MESSAGES = {"success", "error", "info", "warning", "add_message"}  # django.contrib.messages
SHOWN_KEYWORDS = {
    "label",
    "help_text",
    "placeholder",
    "empty_label",
    "verbose_name",
    "verbose_name_plural",
    "error_messages",
}
ERROR_LISTS = re.compile(r"(^|_)(errors|problems|blockers)$")
SCOPE = ("accounts", "core", "dialogue", "feedback", "goals", "indicators", "organisations")
SCOPE += ("public", "search", "archive")
OUT_OF_SCOPE = {
    "management": "command-line tools, written for the operator in Swedish",
    "migrations": "frozen history",
    "demo": "demo data: Swedish content, as a municipality's data is",
    "demo.py": "demo data",
    "demo_data.py": "demo data",
    "kolada.py": "the Kolada import's errors, written to the import log and the command line",
    "sources.py": "the Kolada import's sources (command line)",
    "population.py": "the population import (command line)",
    "pabulib.py": "the Pabulib file format (its own Swedish/English is the file's)",
    "eark.py": "the E-ARK archive package, a Swedish record",
    "checks.py": "Django system checks, for the operator",
    "geometry.py": "geometry errors of the area and place imports (command line)",
    "places.py": "the place import (command line)",
    "registry.py": "the organisation registry's loader (command line)",
}
# (module, top-level function or class): Swedish on purpose, with why.
ALLOWED = {
    ("indicators/services.py", "_Writer"): (
        "the Kolada import's format errors, for the import log and the command line"
    ),
    ("organisations/services.py", "parse_areas"): (
        "the area import's errors (command line: insyn import-areas)"
    ),
}


def _call_name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _owner(node: ast.AST) -> str:
    """`errors` for errors.append(...), `result.errors` → `errors`."""
    if isinstance(node, ast.Attribute):
        return _call_name(node.value)
    return ""


def untranslated_literals(source: str) -> list[tuple[int, str, str]]:
    """(line, top-level function or class, literal) for each Swedish literal shown to people
    and not inside gettext."""
    tree = ast.parse(source)
    scope: dict[ast.AST, str] = {}
    for top in tree.body:
        for node in ast.walk(top):
            scope[node] = getattr(top, "name", "")
    parent: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parent[child] = node
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        if not SWEDISH.search(node.value):
            continue
        shown = False
        up: ast.AST | None = parent.get(node)
        child: ast.AST = node
        while up is not None:
            if isinstance(up, ast.Call):
                name = _call_name(up.func)
                if name in GETTEXT:
                    shown = False
                    break
                if SHOWN_CALLS.search(name):
                    shown = True
                if name in MESSAGES and _owner(up.func) == "messages":
                    shown = True
                if name in ("append", "extend") and ERROR_LISTS.search(_owner(up.func)):
                    shown = True
            if isinstance(up, ast.keyword) and up.arg in SHOWN_KEYWORDS:
                shown = True
            if isinstance(up, ast.Dict) and child in up.values:
                key = up.keys[up.values.index(child)]  # type: ignore[arg-type]
                if isinstance(key, ast.Constant) and key.value in ("placeholder", "title"):
                    shown = True
            if isinstance(up, ast.Assign) and _is_choices_member(up, parent):
                shown = True
            if isinstance(up, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                break
            child, up = up, parent.get(up)
        if shown:
            found.append((node.lineno, scope.get(node, ""), node.value))
    return found


def _is_choices_member(assign: ast.Assign, parent: dict[ast.AST, ast.AST]) -> bool:
    cls = parent.get(assign)
    return isinstance(cls, ast.ClassDef) and any(
        _call_name(base).endswith("Choices") for base in cls.bases
    )


def _modules() -> list[Path]:
    paths = []
    for app in SCOPE:
        for path in sorted((APP / app).glob("**/*.py")):
            if any(part in OUT_OF_SCOPE for part in path.relative_to(APP).parts):
                continue
            paths.append(path)
    return paths


def test_every_shown_swedish_literal_in_python_is_marked_for_translation():
    modules = _modules()
    assert len(modules) > 100
    problems = []
    used = set()
    for path in modules:
        relative = path.relative_to(APP).as_posix()
        for line, where, literal in untranslated_literals(path.read_text(encoding="utf-8")):
            if (relative, where) in ALLOWED:
                used.add((relative, where))
            else:
                problems.append(f"insyn/{relative}:{line}: {literal[:90]!r}")
    assert not problems, "Swedish shown to people without gettext:\n" + "\n".join(problems)
    assert used == set(ALLOWED), f"allow-list entries that match nothing: {set(ALLOWED) - used}"


def test_the_python_checker_finds_what_it_looks_for():
    def found(source: str) -> list[str]:
        return [literal for _line, _where, literal in untranslated_literals(source)]

    assert found('raise ServiceError("Perioden är stängd.")')
    assert found('raise ServiceError({"note": "Skriv en anteckning."})')
    assert found('raise BulkUploadError([f"Rad {n}: ogiltig status."])')
    assert found('errors.append(f"{where}: rapporten är redan inlämnad.")')
    assert found('result.errors.append("Filen är tom.")')
    assert found('messages.success(request, "Rapporten är sparad.")')
    assert found('x = forms.CharField(label="Rubrik för ärendet")')
    assert found('w = forms.TextInput(attrs={"placeholder": "ÅÅÅÅ-MM-DD"})')
    assert found('class State(models.TextChoices):\n    QUEUED = "queued", "I kö"')
    # what is fine
    assert not found('raise ServiceError(_("Perioden är stängd."))')
    assert not found('errors.append(_("%(where)s: ogiltig status.") % {"where": w})')
    assert not found('messages.success(request, gettext("Rapporten är sparad."))')
    assert not found('x = forms.CharField(label=_("Rubrik för ärendet"))')
    assert not found('class State(models.TextChoices):\n    QUEUED = "queued", _("I kö")')
    assert not found('def f():\n    """Ingen text här visas för någon."""')
    assert not found('HEADERS = ["Mål", "Bedömning"]')  # a file's columns, not a message
    assert not found('logger.info("Import klar för %s", name)')


# --- the catalogue has every message ---------------------------------------------------------

TRANSLATE_TAG = re.compile(
    r"""^(?:translate|trans)\s+(?P<q>["'])(?P<msgid>.*?)(?P=q)(?:\s+context\s+(?P<c>["'])(?P<ctx>.*?)(?P=c))?"""
)
TEMPLATE_GETTEXT = re.compile(r"""\b_\((?P<q>["'])(?P<msgid>.*?)(?P=q)\)""")


def _messages_in_python(source: str) -> list[tuple[int, str | None, str]]:
    """(line, context, msgid) of every gettext call with literal arguments."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and _call_name(node.func) in GETTEXT):
            continue
        texts = [a.value for a in node.args if isinstance(a, ast.Constant)]
        if not texts or not all(isinstance(t, str) for t in texts):
            continue
        if _call_name(node.func).startswith(("pgettext", "npgettext")):
            if len(texts) >= 2:
                found.append((node.lineno, texts[0], texts[1]))
        else:
            found.append((node.lineno, None, texts[0]))
    return found


def _messages_in_template(source: str) -> list[tuple[int, str | None, str]]:
    found = []
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            match = TRANSLATE_TAG.match(token.contents)
            if match:
                found.append((token.lineno, match.group("ctx"), match.group("msgid")))
        if token.token_type in (TokenType.BLOCK, TokenType.VAR):
            for match in TEMPLATE_GETTEXT.finditer(token.contents):
                found.append((token.lineno, None, match.group("msgid")))
    return found


def test_every_message_in_the_code_has_an_english_translation():
    """makemessages would find these; this says which are missing without running it.
    (Messages of {% blocktranslate %} are left to makemessages: their msgid is built from the
    block's text and variables.)"""
    from tests.test_i18n_english import PO_FILE, parse_po

    translated = {
        (entry.get("msgctxt"), entry["msgid"])
        for entry in parse_po(PO_FILE.read_text(encoding="utf-8"))
        if "fuzzy" not in entry.get("flags", ())
        and all(v.strip() for k, v in entry.items() if k.startswith("msgstr"))
    }
    missing = []
    for path in sorted(APP.glob("**/*.py")):
        if "migrations" in path.parts:
            continue
        for line, context, msgid in _messages_in_python(path.read_text(encoding="utf-8")):
            if msgid and (context, msgid) not in translated:
                missing.append(f"{path.relative_to(ROOT)}:{line}: {msgid!r}")
    for path in _templates():
        for line, context, msgid in _messages_in_template(path.read_text(encoding="utf-8")):
            if msgid and (context, msgid) not in translated:
                missing.append(f"{path.relative_to(ROOT)}:{line}: {msgid!r}")
    assert not missing, "no English translation:\n" + "\n".join(missing)


def test_the_message_finder_reads_calls_tags_and_contexts():
    python = _messages_in_python(
        'a = _("Hej")\nb = pgettext("sökträffar", "Uppdrag")\nc = ngettext("en", "flera", n)\n'
        "d = _(variable)\n"
    )
    assert [(c, m) for _l, c, m in python] == [
        (None, "Hej"),
        ("sökträffar", "Uppdrag"),
        (None, "en"),
    ]
    template = _messages_in_template(
        "{% load i18n %}{% translate \"Sök\" %}{% translate 'Mål' context 'rubrik' %}"
        '{{ x|default:_("kommunen") }}{% translate title %}'
    )
    assert [(c, m) for _l, c, m in template] == [
        (None, "Sök"),
        ("rubrik", "Mål"),
        (None, "kommunen"),
    ]
