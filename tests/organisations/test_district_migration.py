"""The data migrations that made dialogue.District and feedback.Area one model keep every row
and link: dialogue districts keep their ids, areas merge into the district of the same name
(or become new ones) and cases, rules and history follow."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

OLD = [
    ("organisations", "0001_initial"),
    ("dialogue", "0002_participatory_budget_rules_and_delivery"),
    ("feedback", "0001_cases_routing_open311"),
]
NEW = [("dialogue", "0004_districts_in_organisations"), ("feedback", "0004_areas_are_districts")]


@pytest.mark.django_db(transaction=True)
def test_districts_and_areas_become_one_model_with_links_kept():
    executor = MigrationExecutor(connection)
    executor.migrate(OLD)
    apps = executor.loader.project_state(OLD).apps
    Org = apps.get_model("organisations", "Organisation")
    District = apps.get_model("dialogue", "District")
    Area = apps.get_model("feedback", "Area")
    Participant = apps.get_model("dialogue", "Participant")
    Dialogue = apps.get_model("dialogue", "Dialogue")
    Category = apps.get_model("feedback", "Category")
    RoutingRule = apps.get_model("feedback", "RoutingRule")
    Case = apps.get_model("feedback", "Case")

    org = Org.objects.create(name="Gatunämnden", slug="gatunamnden", kind="board")
    District.objects.create(pk=7, name="Luthagen", code="L1", order=2)
    District.objects.create(pk=8, name="Gottsunda", order=3)
    participant = Participant.objects.create(email="a@example.org", district_id=8)
    dialogue = Dialogue.objects.create(title="Parken", responsible_board=org)
    dialogue.districts.add(7, 8)
    # areas: one shares a name with a district, one has a polygon, one is new
    gottsunda = Area.objects.create(
        pk=8,
        name="Gottsunda",
        slug="gottsunda",
        min_lat=59.79,
        max_lat=59.82,
        min_long=17.59,
        max_long=17.64,
    )
    savja = Area.objects.create(
        pk=1,
        name="Sävja",
        slug="savja",
        min_lat=59.81,
        max_lat=59.83,
        min_long=17.69,
        max_long=17.74,
        polygon=[[59.81, 17.69], [59.83, 17.69], [59.83, 17.74]],
    )
    category = Category.objects.create(code="gatubelysning", name="Gatubelysning")
    rule = RoutingRule.objects.create(category=category, area=savja, organisation=org)
    case = Case.objects.create(
        number="2026-1",
        kind="fault",
        category=category,
        description="Lampan",
        area=gottsunda,
        organisation=org,
    )

    executor = MigrationExecutor(connection)
    executor.migrate(NEW)
    apps = executor.loader.project_state(NEW).apps
    New = apps.get_model("organisations", "District")
    by_name = {d.name: d for d in New.objects.all()}
    assert set(by_name) == {"Luthagen", "Gottsunda", "Sävja"}
    assert by_name["Luthagen"].pk == 7 and by_name["Luthagen"].code == "L1"
    assert by_name["Gottsunda"].pk == 8
    # the rectangle became an approximate polygon; the polygon a real one (lon, lat order)
    assert by_name["Gottsunda"].approximate is True
    assert by_name["Gottsunda"].geometry["coordinates"][0][0] == [17.59, 59.79]
    assert by_name["Gottsunda"].min_lat == 59.79
    assert by_name["Sävja"].approximate is False
    assert by_name["Sävja"].geometry["coordinates"][0][0] == [17.69, 59.81]
    assert by_name["Sävja"].geometry["coordinates"][0][-1] == [17.69, 59.81]

    assert apps.get_model("dialogue", "Participant").objects.get(pk=participant.pk).district_id == 8
    d = apps.get_model("dialogue", "Dialogue").objects.get(pk=dialogue.pk)
    assert set(d.districts.values_list("pk", flat=True)) == {7, 8}
    assert apps.get_model("feedback", "RoutingRule").objects.get(pk=rule.pk).area_id == (
        by_name["Sävja"].pk
    )
    assert apps.get_model("feedback", "Case").objects.get(pk=case.pk).area_id == 8

    # a district created after the copy gets a fresh id (the sequence was moved past the copies)
    fresh = New.objects.create(name="Årsta", slug="arsta")
    assert fresh.pk > 8

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
