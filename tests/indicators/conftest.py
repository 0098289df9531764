from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

# The shared browser fixtures (Debian's Chromium through Playwright), for test_browser.py.
from tests.browser.conftest import browser, browser_context, page  # noqa: F401

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

FIXTURES = Path(__file__).parent / "fixtures"


def write_page(path: Path, values: list[Any], *, next_url: str | None = None, **extra: Any) -> Path:
    """One Kolada v3 page as a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"values": values, "count": len(values), "next_url": next_url, "previous_url": None}
    body.update(extra)
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return path


def data_item(
    kpi: str,
    area: str,
    period: int | str,
    *values: tuple[str, Any],
    deleted: bool = False,
    count: int = 1,
) -> dict[str, Any]:
    return {
        "kpi": kpi,
        "municipality": area,
        "period": period,
        "values": [
            {"gender": g, "count": count, "status": "", "value": v, "isdeleted": deleted}
            for g, v in values
        ],
    }


@pytest.fixture
def v3_dir() -> Path:
    return FIXTURES / "v3"
