"""Every public page, built from data rich enough to show every part (period pickers,
filters, groups, history, corrections), is valid HTML by the Nu HTML Checker (0 errors).

The crawler in tests/e2e checks the demo data's pages; this one checks the parts the demo does
not show. Skips when java or node_modules/vnu-jar is missing (make test-e2e installs it)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.world import build_world

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

pytestmark = pytest.mark.django_db


def test_every_public_page_is_valid_html(client, tmp_path):
    if not VNU_JAR.exists() or shutil.which("java") is None:
        pytest.skip("vnu.jar eller java saknas")
    from insyn.goals.indexing import index_period
    from insyn.goals.services import goal_follow_up_save

    world = build_world(goals=2, assignments=6, organisations=4)
    goal_follow_up_save(
        period=world.august,
        goal=world.goals[0],
        status="yellow",
        assessment="Rättad.",
        by=None,
        note="Rättelse.",
    )
    index_period(world.august)
    goal = world.goals[0].get_absolute_url()
    urls = [
        "/",
        "/plan/2023/",
        goal,
        f"{goal}?period={world.april.pk}",
        f"{goal}?status=completed&organisation={world.organisations[1].slug}",
        *(a.get_absolute_url() for a in world.assignments),
        "/organisationer/",
        world.organisations[1].get_absolute_url(),
        f"{world.organisations[1].get_absolute_url()}?ar=2022",
        f"/organisationer/grupper/{world.group.slug}/2023/",
        "/arkiv/",
        world.august.get_absolute_url(),
        "/sok/",
        "/sok/?q=uppdrag",
        "/sok/?q=qqqq",
        "/om/",
        "/om/tillganglighet/",
    ]
    files = {}
    for i, url in enumerate(urls):
        response = client.get(url)
        assert response.status_code == 200, url
        path = tmp_path / f"page{i}.html"
        path.write_bytes(response.content)
        files[path.as_uri()] = url
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    path = tmp_path / "english.html"
    path.write_bytes(client.get(goal).content)
    files[path.as_uri()] = f"{goal} (English)"

    result = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU_JAR),
            "--errors-only",
            "--format",
            "json",
            *map(str, (Path(uri.removeprefix("file:")) for uri in files)),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    messages = json.loads(result.stderr or "{}").get("messages", [])
    errors = [
        f"{files.get(m.get('url'), m.get('url'))}:{m.get('lastLine')}: {m.get('message')}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert not errors, "\n".join(errors)
