"""Upgrading a database of the previous release, with data in it, to this version.

The previous release is the migration state of Insyn 0.1.0 (docs/releases.md). The test takes
the test database back to that schema, writes data with the models as they were then, runs the
migrations forward as `insyn migrate` does on an upgrade, and checks the data came through."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# The last migration of each app in release 0.1.0. Update this at each release (docs/releases.md).
PREVIOUS_RELEASE = [
    ("accounts", "0001_initial"),
    ("core", "0002_outgoing_email"),
    ("dialogue", "0001_register_methods_participants"),
    ("feedback", "0001_cases_routing_open311"),
    ("goals", "0002_correction"),
    ("indicators", "0001_indicators_kolada_peers_budget"),
    ("organisations", "0001_initial"),
    ("search", "0002_fulltext_index_sqlite_fts5_postgresql_gin"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_a_database_of_the_previous_release_upgrades_with_its_data():
    latest = _latest()
    try:
        old = _migrate(PREVIOUS_RELEASE)
        Organisation = old.get_model("organisations", "Organisation")
        Area = old.get_model("feedback", "Area")
        Category = old.get_model("feedback", "Category")
        board = Organisation.objects.create(name="Gatunämnden", slug="gatunamnden", kind="board")
        Area.objects.create(
            name="Centrum",
            slug="centrum",
            min_lat=59.85,
            max_lat=59.87,
            min_long=17.62,
            max_long=17.66,
        )
        Category.objects.create(code="gatubelysning", name="Gatubelysning")

        new = _migrate(latest)

        assert not MigrationExecutor(connection).migration_plan(latest)
        District = new.get_model("organisations", "District")
        centrum = District.objects.get(name="Centrum")
        assert centrum.geometry["type"] == "Polygon"
        assert centrum.approximate  # a bare rectangle never was a real border
        assert new.get_model("organisations", "Organisation").objects.get(pk=board.pk).name == (
            "Gatunämnden"
        )
        assert new.get_model("feedback", "Category").objects.filter(code="gatubelysning").exists()
    finally:
        _migrate(latest)
