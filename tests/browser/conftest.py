"""Shared fixtures for browser tests: a real headless Chromium (Debian's) driven by Playwright,
and `assert_accessible(page)` running axe-core at WCAG 2.1 AA.

Use them from any test module under tests/browser/:

    import pytest
    from tests.browser.conftest import assert_accessible

    pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

    def test_it_is_accessible(page, live_server):
        page.goto(live_server.url + "/")
        assert_accessible(page)

Tests here are marked `browser` automatically; they skip (never fail) when /usr/bin/chromium is
absent. `page.insyn_errors` collects console errors and failed page scripts (e.g. a CSP
violation); `assert_no_page_errors(page)` checks it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM then refuses to run
# ("You cannot call this from an async context") unless told that this is intended.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
WCAG_21_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


_SHARED: dict[str, Any] = {}


def _shared_browser() -> Any:
    """One Playwright and one Chromium per test process.

    Several test packages import these fixtures into their own conftest, which makes pytest
    create one session fixture per package; Playwright's sync API refuses a second instance
    while the first runs, so they all share this one, closed when the process exits.
    """
    if "browser" not in _SHARED:
        import atexit

        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        _SHARED.update(playwright=playwright, browser=chromium)

        def stop() -> None:
            chromium.close()
            playwright.stop()

        atexit.register(stop)
    return _SHARED["browser"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """The headless Chromium shared by every browser test of the run."""
    if not CHROMIUM.exists():
        pytest.skip("Chromium saknas (/usr/bin/chromium): webbläsartesterna hoppas över")
    yield _shared_browser()


def _tile_png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (256, 256), (232, 238, 228)).save(buf, "PNG")
    return buf.getvalue()


def serve_tiles(context: Any) -> list[str]:
    """Map tiles come from the test (route interception), never from the internet. Returns
    the list of tile URLs the page asked for."""
    from urllib.parse import urlsplit

    from django.conf import settings

    asked: list[str] = []
    tile = _tile_png()
    parts = urlsplit(settings.MAP_TILE_URL)

    def fulfil(route: Any) -> None:
        asked.append(route.request.url)
        route.fulfill(body=tile, content_type="image/png")

    context.route(f"{parts.scheme}://{parts.netloc}/**", fulfil)
    return asked


@pytest.fixture
def browser_context(browser: Any) -> Iterator[Any]:
    """A fresh context (cookies, storage) per test, Swedish locale, desktop size; map tiles
    served by the test."""
    context = browser.new_context(locale="sv-SE", viewport=DESKTOP, timezone_id="Europe/Stockholm")
    context.set_default_timeout(15_000)
    context.insyn_tiles = serve_tiles(context)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(browser_context: Any) -> Iterator[Any]:
    """A page that records console errors and uncaught script errors in `page.insyn_errors`."""
    page = browser_context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.insyn_errors = errors
    yield page
    page.close()


def format_violations(violations: list[dict[str, Any]]) -> str:
    """axe-core's violations as readable lines: rule, impact, help, and each failing node."""
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']}")
        lines.append(f"  {violation.get('helpUrl', '')}")
        for node in violation.get("nodes", [])[:10]:
            target = ", ".join(str(t) for t in node.get("target", []))
            lines.append(f"    at {target}")
            lines.append(f"       {node.get('html', '')[:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"       {summary[:300]}")
    return "\n".join(lines)


def assert_accessible(page: Any, *, context: str | None = None) -> None:
    """Run axe-core (WCAG 2.0/2.1 A and AA) on the page as it is now; fail on any violation."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_21_AA_TAGS}, "resultTypes": ["violations"]}
    results = Axe().run(page, context=context, options=options)
    violations = results.response["violations"]
    assert not violations, (
        f"axe-core fann {len(violations)} WCAG 2.1 AA-brister på {page.url}:\n"
        + format_violations(violations)
    )


def assert_no_page_errors(page: Any) -> None:
    """No console errors (CSP violations show up here) and no uncaught script errors."""
    errors = getattr(page, "insyn_errors", [])
    assert not errors, f"Fel i webbläsarens konsol på {page.url}:\n" + "\n".join(errors)
