"""The shared browser fixtures themselves: axe finds a real problem and passes a clean page."""

from __future__ import annotations

import pytest

from tests.browser.conftest import assert_accessible

CLEAN = (
    '<!doctype html><html lang="sv"><head><title>Prov</title></head>'
    "<body><main><h1>Rubrik</h1><p>Text.</p></main></body></html>"
)
BROKEN = (
    '<!doctype html><html lang="sv"><head><title>Prov</title></head>'
    '<body><main><h1>Rubrik</h1><img src="data:,"></main></body></html>'
)


def test_it_passes_a_clean_page(page):
    page.set_content(CLEAN)
    assert_accessible(page)


def test_it_reports_violations_readably(page):
    page.set_content(BROKEN)
    with pytest.raises(AssertionError) as excinfo:
        assert_accessible(page)
    assert "image-alt" in str(excinfo.value)
