"""Many pages are parsed by two processes (issue 13: an import's wall time on two cores); the
result and the first error are exactly those of parsing the pages one after the other."""

from __future__ import annotations

import pickle
from dataclasses import fields

import pytest

from bench.followup_pages import generate
from insyn.importers import services
from insyn.importers.followup_parser import Assignment, PageLine
from insyn.importers.services import FollowupImportError, parse_files
from insyn.organisations.registry import Registry
from insyn.organisations.services import DATA_DIR

REGISTRY = Registry.from_file(DATA_DIR / "uppsala.json")


@pytest.fixture
def pages(tmp_path):
    return generate(7, tmp_path / "pages")


def as_json(parses):
    return [p.to_json() for p in parses]


def test_two_processes_give_what_one_gives(pages, monkeypatch):
    called = []
    serial = parse_files(pages, REGISTRY, meanwhile=lambda: called.append("serial"))
    monkeypatch.setattr(services, "PARALLEL_FROM", 2)
    monkeypatch.setattr(services, "_two_cpus", lambda: True)
    parallel = parse_files(pages, REGISTRY, meanwhile=lambda: called.append("parallel"))
    assert called == ["parallel"]  # what waits for the second process, once
    assert [p.source for p in parallel] == [str(p) for p in pages]
    assert as_json(parallel) == as_json(serial)


@pytest.mark.parametrize("broken", [1, 5])  # in the first half, in the second
def test_the_first_bad_page_is_the_error(pages, monkeypatch, broken):
    pages[broken].write_bytes(b"\xff\xfe not utf-8")
    pages[broken + 1].write_bytes(b"\xff also bad")
    with pytest.raises(FollowupImportError) as serial:
        parse_files(pages, REGISTRY)
    monkeypatch.setattr(services, "PARALLEL_FROM", 2)
    monkeypatch.setattr(services, "_two_cpus", lambda: True)
    with pytest.raises(FollowupImportError) as parallel:
        parse_files(pages, REGISTRY)
    assert str(parallel.value) == str(serial.value)
    assert str(pages[broken]) in str(parallel.value)


def test_a_parse_comes_back_from_the_second_process_unchanged(pages):
    """What the second process sends back is each result object's field values (not a dict
    per object): every object, line and part comes back equal, of the same types."""
    parses = parse_files(pages, REGISTRY)
    line = parses[0].lines[0]
    assert line.__reduce__() == (PageLine, tuple(getattr(line, f.name) for f in fields(line)))
    goal = parses[0].goals[0]
    assert goal.__reduce__()[1] == tuple(getattr(goal, f.name) for f in fields(goal))
    again = pickle.loads(pickle.dumps(parses, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == parses
    assert as_json(again) == as_json(parses)
    assert [type(a) for p in again for g in p.goals for a in g.assignments] == [
        Assignment for p in parses for g in p.goals for a in g.assignments
    ]
    # An assignment's line is split into its parts only when the review page asks.
    split = [line for p in again for line in p.lines if line.split_at_labels]
    assert split and all(line.given_parts == [] for line in split)
    assert [line.parts for line in split] == [
        line.parts for p in parses for line in p.lines if line.split_at_labels
    ]
    assert {role for line in split for role, _text in line.parts} >= {"title", "responsible"}
