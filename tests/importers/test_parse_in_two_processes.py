"""Many pages are parsed by two processes (issue 13: an import's wall time on two cores); the
result and the first error are exactly those of parsing the pages one after the other."""

from __future__ import annotations

import pytest

from bench.followup_pages import generate
from insyn.importers import services
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
    serial = parse_files(pages, REGISTRY)
    monkeypatch.setattr(services, "PARALLEL_FROM", 2)
    monkeypatch.setattr(services, "_two_cpus", lambda: True)
    parallel = parse_files(pages, REGISTRY)
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
