"""A process killed in the middle of an import leaves the database as it was (issue 7 §5)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "insyn" / "importers" / "demo_pages" / "uppsala-2023-08-fokusmal-4.txt"


def generated_pages(directory: Path, count: int) -> list[Path]:
    text = SEED.read_text(encoding="utf-8")
    pages = []
    for n in range(count):
        page = directory / f"sida-{n:04d}.txt"
        # Each page is a different goal of a different plan year, so every page writes rows.
        page.write_text(
            text.replace("Fokusmål 4.", f"Fokusmål {n % 90 + 1}.").replace(
                "augusti 2023", f"augusti {1900 + n // 90}"
            ),
            encoding="utf-8",
        )
        pages.append(page)
    return pages


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="checks the SQLite file directly; PostgreSQL's atomicity is its own",
)
def test_killing_an_import_midway_writes_nothing(tmp_path):
    data_dir = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"INSYN_DATA_DIR": str(data_dir), "INSYN_TESTING": "false"})
    run = [sys.executable, "-m", "insyn"]
    subprocess.run(
        [*run, "migrate", "--noinput"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL
    )
    pages = generated_pages(tmp_path, 120)

    process = subprocess.Popen(
        [*run, "import-followup", "-v", "2", *map(str, pages)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    written = 0
    for line in process.stderr:
        if line.startswith("Skrev "):
            written += 1
            if written == 40:
                process.send_signal(signal.SIGKILL)
                break
    process.wait(timeout=60)
    assert written == 40, "the import finished before it could be killed midway"
    assert process.returncode == -signal.SIGKILL

    with sqlite3.connect(data_dir / "insyn.sqlite3") as db:
        goals = db.execute("SELECT count(*) FROM goals_goal").fetchone()[0]
        reports = db.execute("SELECT count(*) FROM goals_report").fetchone()[0]
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    assert (goals, reports) == (0, 0)
    assert integrity == "ok"
