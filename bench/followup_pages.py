"""Generate follow-up pages in the format Uppsala publishes (seeds 002/003, the demo pages),
for importer and page benchmarks. Each page is one of the two demo pages with its year, goal
number, goal title and texts varied, so that every page imports as a new goal with its own
assignments and reports. The importer reads goal numbers of one or two digits, so 1,000 pages
spread over plan years: 90 goals (10–99) a year from 2024 on.

    python bench/followup_pages.py 1000 OUT_DIR
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted((ROOT / "insyn" / "importers" / "demo_pages").glob("*.txt"))
WORDS = ["hållbart", "tryggt", "jämlikt", "digitalt", "öppet", "effektivt", "grönt", "nära"]
GOALS_PER_YEAR = 90  # goal numbers 10..99


def page(i: int, *, year: int, goal: int) -> str:
    """A page for goal `goal` of plan `year`, from demo page i % 2."""
    text = TEMPLATES[i % len(TEMPLATES)].read_text(encoding="utf-8")
    word = WORDS[i % len(WORDS)]
    text = re.sub(r"\b2022\b", str(year - 1), re.sub(r"\b2023\b", str(year), text))
    text = re.sub(
        r"^(Fokusmål )\d+\. (.+)$",
        lambda m: f"{m.group(1)}{goal}. {m.group(2)} – {word} område {goal}",
        text,
        count=1,
        flags=re.MULTILINE,
    )
    text = text.replace("Beskrivning:", f"Beskrivning: I område {goal} arbetar kommunen {word}.")
    return text.replace(
        f"Rapportering augusti {year}:", f"Rapportering augusti {year}: Område {goal}, {word}."
    )


def generate(
    count: int, directory: Path, *, first_year: int = 2024, first_goal: int = 10
) -> list[Path]:
    """`count` pages: goals first_goal..99 of first_year, then 10..99 of the next year, ..."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    year, goal = first_year, first_goal
    for i in range(count):
        path = directory / f"uppfoljning-{year}-mal-{goal:02d}.txt"
        path.write_text(page(i, year=year, goal=goal), encoding="utf-8")
        paths.append(path)
        goal += 1
        if goal > 99:
            year, goal = year + 1, 10
    return paths


if __name__ == "__main__":
    n, out = int(sys.argv[1]), Path(sys.argv[2])
    print(f"{len(generate(n, out))} pages in {out}")
