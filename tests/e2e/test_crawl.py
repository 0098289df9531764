"""Every public page reachable from the start page passes axe-core (WCAG 2.1 AA) in Chromium
and the Nu HTML Checker (vnu.jar, from the npm package vnu-jar) with zero errors.

The crawler follows same-origin links from the start page and the entry points of each part of
the site; it stays out of staff, admin and account pages and file downloads. A broken link (any
status other than 200) fails the test with the page that linked to it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.error
import urllib.request
from collections import Counter, deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from tests.browser.conftest import assert_accessible

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
ENTRY_POINTS = [
    "/",
    "/arkiv/",
    "/organisationer/",
    "/sok/?q=trygghet",
    "/om/",
    "/om/tillganglighet/",
    "/dialog/",
    "/synpunkter/",
    "/indikatorer/",
    "/indikatorer/budget/",
    "/api/",
]
SKIP_PREFIXES = (
    "/admin/",
    "/personal/",
    "/konto/",
    "/static/",
    "/media/",
    "/i18n/",
    "/open311/",
    "/api/v1/",
)
SKIP_SUFFIXES = (".csv", ".pdf", ".xlsx", ".json", ".xml", ".svg", ".png", ".jpg")
MAX_PAGES = 400
MAX_VARIANTS_PER_PATH = 3  # the same path with different query strings (filters, pages)


class LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def wanted(path_and_query: str) -> bool:
    path = urlsplit(path_and_query).path
    return not path.startswith(SKIP_PREFIXES) and not path.endswith(SKIP_SUFFIXES)


def crawl(base: str) -> tuple[dict[str, str], list[str]]:
    """Fetch every reachable public page. Returns ({url: html}, [problems])."""
    pages: dict[str, str] = {}
    problems: list[str] = []
    variants: Counter[str] = Counter()
    queue = deque((urljoin(base, entry), "(startpunkt)") for entry in ENTRY_POINTS)
    seen = {url for url, _ in queue}
    while queue and len(pages) < MAX_PAGES:
        url, referrer = queue.popleft()
        try:
            with urllib.request.urlopen(url, timeout=120) as response:
                content_type = response.headers.get("Content-Type", "")
                body = response.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as exc:
            problems.append(f"{url} gav {exc.code} (länkad från {referrer})")
            continue
        except (TimeoutError, urllib.error.URLError) as exc:
            problems.append(f"{url} svarade inte: {exc} (länkad från {referrer})")
            continue
        if "text/html" not in content_type:
            continue
        pages[url] = body
        parser = LinkParser()
        parser.feed(body)
        for href in parser.links:
            target, _fragment = urldefrag(urljoin(url, href))
            split = urlsplit(target)
            if f"{split.scheme}://{split.netloc}" != base or target in seen:
                continue
            if not wanted(split.path + ("?" + split.query if split.query else "")):
                continue
            if split.query:
                variants[split.path] += 1
                if variants[split.path] > MAX_VARIANTS_PER_PATH:
                    continue
            seen.add(target)
            queue.append((target, url))
    return pages, problems


@pytest.fixture(scope="module")
def crawled(demo_server: str) -> tuple[dict[str, str], list[str]]:
    return crawl(demo_server)


def test_every_reachable_page_answers(crawled):
    pages, problems = crawled
    assert len(pages) >= 20, f"för få sidor hittades: {sorted(pages)}"
    assert not problems, "Trasiga länkar:\n" + "\n".join(problems)


def test_every_page_passes_axe(crawled, page):
    pages, _ = crawled
    failures = []
    for url in pages:
        page.goto(url)
        try:
            assert_accessible(page)
        except AssertionError as exc:
            failures.append(str(exc))
    assert not failures, "\n\n".join(failures)


def test_every_page_is_valid_html(crawled, tmp_path):
    if not VNU_JAR.exists() or shutil.which("java") is None:
        pytest.skip("vnu.jar eller java saknas: kör make test-e2e som installerar dem")
    pages, _ = crawled
    files = {}
    for n, (url, html) in enumerate(pages.items()):
        path = tmp_path / f"page-{n:04d}.html"
        path.write_text(html, encoding="utf-8")
        files[path.name] = url
    result = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU_JAR),
            "--errors-only",
            "--format",
            "json",
            *[str(tmp_path / name) for name in files],
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = [
        f"{files.get(Path(urlsplit(m.get('url', '')).path).name, m.get('url'))} "
        f"rad {m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert not errors, f"{len(errors)} HTML-fel:\n" + "\n".join(errors[:100])
