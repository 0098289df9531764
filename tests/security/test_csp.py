"""Content-Security-Policy: every response carries a policy without 'unsafe-inline' or
'unsafe-eval', and nothing in the markup needs one — no inline <script> with content, no
style="" attribute, no <style> element, no on*="" event handler, no javascript: URL and no htmx
hx-on handler. Checked twice: in every template file of the repository (so a template that no
test renders is still covered), and in the pages themselves (so markup written by Python —
SVG charts, QR codes, widgets — is covered too)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client

from insyn.accounts.models import Role
from insyn.accounts.testing import login_verified
from tests.factories import MembershipFactory, UserFactory
from tests.security.conftest import Site

PACKAGE = Path(__file__).resolve().parents[2] / "insyn"
# Templates that never reach a browser (WeasyPrint renders them to PDF, where CSP does not apply).
NOT_SERVED = {
    "goals/export/period_pdf.html": "rendered to PDF by WeasyPrint, never served",
    "importers/review_report.html": "a self-contained file `import-followup --report` writes to "
    "disk for the person importing; never served by the site",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href"}


class InlineCodeFinder(HTMLParser):
    """Collects what a strict CSP would block, with line numbers."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._script_line: int | None = None
        self._script_text: list[str] = []

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        for name, value in attrs:
            name = name.lower()
            if name == "style":
                self.problems.append(f"line {line}: style attribute on <{tag}>")
            elif name.startswith("on") and len(name) > 2 and name.isalpha():
                self.problems.append(f"line {line}: event handler {name}= on <{tag}>")
            elif name.startswith("hx-on"):
                self.problems.append(f"line {line}: htmx inline handler {name}= on <{tag}>")
            elif name in URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"line {line}: javascript: URL in {name}= on <{tag}>")
        if tag == "style":
            self.problems.append(f"line {line}: <style> element")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs)
        if tag == "script":
            self._script_line = self.getpos()[0]
            self._script_text = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self._script_line is not None:
            self._script_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script_line is not None:
            if "".join(self._script_text).strip():
                self.problems.append(f"line {self._script_line}: inline <script> with content")
            self._script_line = None


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


def without_template_comments(text: str) -> str:
    """Django comments may mention style="" (to say it is forbidden); they are never output.
    Line breaks are kept so that line numbers stay right."""

    def blank(match: re.Match[str]) -> str:
        return "\n" * match.group(0).count("\n")

    text = re.sub(r"{%\s*comment\b.*?%}.*?{%\s*endcomment\s*%}", blank, text, flags=re.S)
    return re.sub(r"{#.*?#}", blank, text, flags=re.S)


def templates() -> list[Path]:
    return sorted(p for p in PACKAGE.glob("**/templates/**/*.html"))


def template_name(path: Path) -> str:
    return path.as_posix().split("/templates/", 1)[1]


def test_the_scanner_finds_what_it_must():
    bad = """<p style="color:red">x</p><button onclick="go()">x</button>
    <script>alert(1)</script><style>p{}</style><a href=" JavaScript:alert(1)">x</a>
    <svg><rect style="fill:red"/></svg><div hx-on:click="x()"></div>"""
    found = "\n".join(inline_code(bad))
    for what in (
        "style attribute on <p>",
        "onclick=",
        "inline <script>",
        "<style> element",
        "javascript: URL",
        "style attribute on <rect>",
        "hx-on:click",
    ):
        assert what in found, what
    good = (
        '<script src="/static/x.js" defer></script><p class="onwards" data-on="1">x</p>'
        '<a href="/javascript-guide/">x</a>'
    )
    assert inline_code(good) == []
    assert "style=" not in without_template_comments('{# no style="" here #}<p>')


def test_the_template_scan_covers_every_app():
    names = {path.relative_to(PACKAGE).parts[0] for path in templates()}
    assert {
        "templates",
        "public",
        "goals",
        "dialogue",
        "feedback",
        "indicators",
        "accounts",
    } <= names
    assert len(templates()) > 50


@pytest.mark.parametrize("path", templates(), ids=template_name)
def test_no_template_has_inline_script_style_or_handlers(path):
    if template_name(path) in NOT_SERVED:
        pytest.skip(NOT_SERVED[template_name(path)])
    problems = inline_code(without_template_comments(path.read_text(encoding="utf-8")))
    assert not problems, f"{template_name(path)}:\n" + "\n".join(problems)


# --- The policy on real responses -----------------------------------------------------------


def policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_strict(response) -> None:
    directives = policy(response)
    header = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in header and "'unsafe-eval'" not in header, header
    assert directives.get("script-src") == ["'self'"], header
    assert directives.get("style-src") == ["'self'"], header
    assert directives.get("object-src") == ["'none'"], header
    assert directives.get("frame-ancestors") == ["'none'"], header
    assert directives.get("base-uri") == ["'self'"], header
    assert directives.get("default-src") == ["'self'"], header


def _links(html: str, base: str) -> set[str]:
    found = set()
    for href in re.findall(r'href="([^"#]+)', html):
        url = urljoin(base, href.replace("&amp;", "&"))
        parts = urlsplit(url)
        if parts.netloc not in ("", "testserver"):
            continue
        found.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


SKIP_PREFIXES = (
    "/static/",
    "/media/",
    "/export/",
    "/admin/",
    "/i18n/",
    "/konto/logga-ut/",
    "/dialog/logga-ut/",
)


def crawl(client: Client, start: list[str], limit: int) -> dict[str, object]:
    """GET every same-site HTML page reachable from `start` (breadth first, up to `limit`)."""
    seen: dict[str, object] = {}
    queue = list(start)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen or url.startswith(SKIP_PREFIXES):
            continue
        response = client.get(url)
        seen[url] = response
        if response.status_code == 200 and "text/html" in response.headers.get("Content-Type", ""):
            queue.extend(sorted(_links(response.content.decode(), url) - set(seen)))
    return seen


@pytest.fixture
def public_site(site: Site) -> Site:
    from tests.indicators.factories import IndicatorFactory

    IndicatorFactory()
    return site


@pytest.mark.django_db
def test_every_public_page_has_the_policy_and_no_inline_code(public_site):
    client = Client()
    pages = crawl(
        client,
        [
            "/",
            "/dialog/",
            "/synpunkter/",
            "/synpunkter/felanmalan/",
            "/synpunkter/lamna/",
            "/indikatorer/",
            "/konto/logga-in/",
            "/dialog/logga-in/",
            "/api/",
            "/health/",
            "/finns-inte/",
        ],
        limit=150,
    )
    assert len(pages) > 30, sorted(pages)
    failures = []
    for url, response in pages.items():
        assert response.status_code < 500, url
        assert_strict(response)
        if "text/html" in response.headers.get("Content-Type", ""):
            failures += [f"{url}: {p}" for p in inline_code(response.content.decode())]
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_every_staff_page_has_the_policy_and_no_inline_code(public_site):
    admin = MembershipFactory(
        role=Role.ADMIN, organisation=None, user=UserFactory(username="admin-csp")
    ).user
    client = login_verified(Client(), admin)
    pages = crawl(
        client,
        [
            "/personal/uppfoljning/",
            "/personal/dialog/",
            "/personal/arenden/",
            "/personal/indikatorer/",
            "/konto/losenord/",
        ],
        limit=150,
    )
    staff_pages = [url for url in pages if url.startswith("/personal/")]
    assert len(staff_pages) > 15, sorted(pages)
    failures = []
    for url, response in pages.items():
        assert response.status_code < 500, url
        assert_strict(response)
        if "text/html" in response.headers.get("Content-Type", ""):
            failures += [f"{url}: {p}" for p in inline_code(response.content.decode())]
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_the_qr_code_page_for_a_second_factor_has_no_inline_style(client):
    """segno draws the administrators' QR code as inline SVG: it must not carry style=""."""
    admin = MembershipFactory(
        role=Role.ADMIN, organisation=None, user=UserFactory(username="ny-admin")
    ).user
    client.force_login(admin)
    response = client.get("/konto/tvastegsverifiering/ny/")
    assert response.status_code == 200 and "<svg" in response.content.decode()
    assert_strict(response)
    assert inline_code(response.content.decode()) == []
