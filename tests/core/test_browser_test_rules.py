"""The suite's own rule: a browser test never waits with a JavaScript string. The pages' CSP
refuses it as eval, so such a test passes alone and fails in the full run."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_no_browser_test_waits_with_a_javascript_string():
    offenders = [
        f"{path.relative_to(TESTS)}:{n}"
        for path in TESTS.rglob("*.py")
        if path.name != Path(__file__).name
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\.wait_for_function\(", line)
    ]
    assert offenders == [], "use expect(locator) or wait_for_selector instead: " + ", ".join(
        offenders
    )
