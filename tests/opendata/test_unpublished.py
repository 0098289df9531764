"""Nothing unpublished and no personal data, anywhere in the API or the CSV.

The `world` fixture writes SECRET into an unpublished period's label, reports and goal
follow-up, and into an organisation's report in a published period that was never handed in.
This test walks every link the API gives, from the index, and reads every response.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.opendata.conftest import SECRET

pytestmark = pytest.mark.django_db

PERSONAL = ["handlaggare", "uppsala.example", "kultur-notiser", "@"]


def _links(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith("url") or key in {"next", "previous", "openapi"}:
                if isinstance(item, str) and "{" not in item:
                    yield item
            else:
                yield from _links(item)
    elif isinstance(value, list):
        for item in value:
            yield from _links(item)


def crawl(client) -> dict[str, bytes]:
    seen: dict[str, bytes] = {}
    queue = ["/api/"]
    while queue:
        url = queue.pop()
        path = url.removeprefix("http://testserver")
        if path in seen or not path.startswith("/api/"):
            continue
        response = client.get(path)
        assert response.status_code == 200, (path, response.content)
        seen[path] = response.content
        if response["Content-Type"] == "application/json":
            queue.extend(_links(json.loads(response.content)))
    return seen


def test_nothing_unpublished_or_personal_is_reachable(client, world):
    pages = crawl(client)
    # The crawl reached every kind of endpoint.
    council = world.assignments[0]
    expected = [
        "/api/v1/organisations",
        "/api/v1/organisations/kulturnamnden",
        "/api/v1/plans",
        "/api/v1/plans/2023",
        "/api/v1/plans/2023/goals",
        "/api/v1/plans/2023/goals/4",
        "/api/v1/plans/2023/goals/4/follow-up.csv",
        f"/api/v1/assignments/{council.pk}",
        "/api/v1/periods",
        f"/api/v1/periods/{world.august.pk}",
        f"/api/v1/periods/{world.august.pk}/reports",
        "/api/openapi.json",
    ]
    assert set(expected) <= set(pages)
    for path, content in pages.items():
        text = content.decode("utf-8")
        assert SECRET not in text, path
        if path != "/api/openapi.json":
            for word in PERSONAL:
                assert word not in text, (path, word)
        assert not re.search(rf"/periods/{world.draft.pk}(?!\d)", text), path


def test_the_unpublished_period_itself_is_404(client, world):
    for path in (f"/api/v1/periods/{world.draft.pk}", f"/api/v1/periods/{world.draft.pk}/reports"):
        response = client.get(path)
        assert response.status_code == 404
        assert SECRET not in response.content.decode()


def test_small_pages_of_reports_never_show_unpublished_reports(client, world):
    url = f"/api/v1/periods/{world.august.pk}/reports"
    for offset in range(6):
        content = client.get(url, {"limit": 1, "offset": offset}).content.decode()
        assert SECRET not in content
