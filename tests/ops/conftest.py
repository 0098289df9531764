"""Fixtures for operations tests: one migrated template per test session (copied for each new
instance, so a test does not pay for `migrate`), and one STATIC_ROOT shared by every
`insyn serve` (collected once)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ops.instance import Instance


@pytest.fixture(scope="session")
def static_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("insyn-static")


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory, static_root: Path) -> Iterator[Instance]:
    """A migrated, otherwise empty instance; copy it with `Instance.new(..., template=...)`."""
    with Instance.new(
        tmp_path_factory.mktemp("insyn-template"), static_root=static_root
    ) as instance:
        instance.migrate()
        yield instance


@pytest.fixture
def new_instance(tmp_path: Path, static_root: Path) -> Iterator:
    """`new_instance(name, template=...)` → a fresh Instance, cleaned up after the test."""
    made: list[Instance] = []

    def make(name: str = "site", *, template: Instance | None = None) -> Instance:
        instance = Instance.new(tmp_path / name, template=template, static_root=static_root)
        made.append(instance)
        return instance

    yield make
    for instance in made:
        instance.close()
