"""The goal summary sentence, for every combination of 0–30 assignments in each status."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insyn.goals.summary import NUMBER_WORDS, StatusCounts, number_text, summary_sentence

WORD_VALUES = {word: n for n, word in enumerate(NUMBER_WORDS)}
PHRASES = {
    "completed": ("är klart", "är klara"),
    "on_track": ("pågår enligt plan",),
    "delayed": ("är försenat", "är försenade"),
    "not_done": ("genomförs inte",),
    "unknown": ("saknar rapporterad status",),
}


def test_it_writes_seed_002_exactly():
    counts = StatusCounts(completed=1, on_track=9, delayed=2)
    assert summary_sentence(counts) == (
        "Ett av kommunfullmäktiges tolv uppdrag inom fokusmålet är klart. "
        "Nio uppdrag pågår enligt plan och två uppdrag är försenade."
    )


def test_it_writes_seed_003_with_digits_over_twelve():
    counts = StatusCounts(completed=1, on_track=14, delayed=3)
    assert summary_sentence(counts) == (
        "Ett av kommunfullmäktiges 18 uppdrag inom fokusmålet är klart. "
        "14 uppdrag pågår enligt plan och tre uppdrag är försenade."
    )


def test_it_uses_the_goal_kind():
    counts = StatusCounts(on_track=2, delayed=1)
    assert summary_sentence(counts, "inriktningsmålet") == (
        "Två av kommunfullmäktiges tre uppdrag inom inriktningsmålet pågår enligt plan. "
        "Ett uppdrag är försenat."
    )


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        (StatusCounts(), "Kommunfullmäktige har inte gett några uppdrag inom fokusmålet."),
        (StatusCounts(delayed=1), "Kommunfullmäktiges enda uppdrag inom fokusmålet är försenat."),
        (
            StatusCounts(completed=5),
            "Alla kommunfullmäktiges fem uppdrag inom fokusmålet är klara.",
        ),
        (
            StatusCounts(completed=2, on_track=1, delayed=1, not_done=1),
            "Två av kommunfullmäktiges fem uppdrag inom fokusmålet är klara. Ett uppdrag pågår "
            "enligt plan, ett uppdrag är försenat och ett uppdrag genomförs inte.",
        ),
    ],
)
def test_it_handles_edge_cases(counts, expected):
    assert summary_sentence(counts) == expected


def read_number(token: str) -> int:
    token = token.lower()
    return WORD_VALUES[token] if token in WORD_VALUES else int(token)


def parse_back(sentence: str) -> dict[str, int]:
    """An independent reading of the sentence: which count goes with which phrase."""
    found: dict[str, int] = {}
    clauses = re.split(r"\. |, | och (?=\w+ uppdrag)", sentence.rstrip("."))
    for clause in clauses:
        for code, phrases in PHRASES.items():
            if any(clause.endswith(p) for p in phrases):
                first = clause.split()[0]
                if first == "Alla":
                    found[code] = read_number(clause.split()[2])
                elif first == "Kommunfullmäktiges":
                    found[code] = 1
                else:
                    found[code] = read_number(first)
    return found


@given(*(st.integers(min_value=0, max_value=30) for _ in range(5)))
def test_every_count_from_0_to_30_reads_back(completed, on_track, delayed, not_done, unknown):
    counts = StatusCounts(completed, on_track, delayed, not_done, unknown)
    sentence = summary_sentence(counts)
    if counts.total == 0:
        assert "inte gett några uppdrag" in sentence
        return
    expected = {k: v for k, v in counts.as_dict().items() if k != "assignments" and v}
    assert parse_back(sentence) == expected
    # Every sentence starts with a capital letter; no number over twelve is spelled out,
    # none up to twelve is in digits; zero is never mentioned.
    for part in sentence.split(". "):
        assert part[0].isupper() or part[0].isdigit()
    assert "noll" not in sentence
    for digits in re.findall(r"\d+", sentence):
        assert int(digits) > 12
    if counts.total == 1:
        assert "Kommunfullmäktiges enda uppdrag" in sentence
    elif counts.total > 12:
        assert str(counts.total) in sentence
    else:
        assert number_text(counts.total) in sentence.lower()
