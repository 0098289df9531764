"""Every endpoint of the open-data API: content, links, errors, CORS."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PlanFactory

pytestmark = pytest.mark.django_db


def get(client, path, status=200, **params):
    response = client.get(path, params)
    assert response.status_code == status, response.content
    assert response["Access-Control-Allow-Origin"] == "*"
    if path.endswith(".csv") and status == 200:
        return response
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_index_describes_the_open_data_in_swedish(client, world):
    data = get(client, "/api/")
    assert data["name"] == "Insyn – öppna data"
    assert "publicerat" in data["description"]
    assert data["openapi"] == "http://testserver/api/openapi.json"
    assert data["municipality"] == {"name": "Uppsala kommun", "code": "0380"}
    assert data["status_codes"]["assignment"]["delayed"] == "Försenat"
    assert data["status_codes"]["goal"] == {"green": "Grön", "yellow": "Gul", "red": "Röd"}
    assert any(e["url"].endswith("/api/v1/organisations") for e in data["endpoints"])


def test_openapi_document_is_served(client, db):
    data = get(client, "/api/openapi.json")
    assert data["openapi"] == "3.1.0"
    assert "/api/v1/periods/{id}/reports" in data["paths"]


def test_organisations(client, world):
    data = get(client, "/api/v1/organisations")
    by_slug = {o["slug"]: o for o in data["results"]}
    assert list(by_slug) == ["kulturnamnden", "uppsalahem-ab"]  # by name
    culture = by_slug["kulturnamnden"]
    assert culture == {
        "slug": "kulturnamnden",
        "name": "Kulturnämnden",
        "short_name": "KTN",
        "kind": "board",
        "kind_label": "Nämnd",
        "aliases": [{"alias": "Kulturnämnd", "kind": "alias"}],
        "active_from": 2019,
        "active_until": None,
        "successor": None,
        "website": "",
        "url": "http://testserver/api/v1/organisations/kulturnamnden",
        "html_url": "http://testserver/organisationer/kulturnamnden/",
    }


def test_organisation_detail(client, world):
    data = get(client, "/api/v1/organisations/kulturnamnden")
    assert data["name"] == "Kulturnämnden"
    assert data["groups"] == [{"slug": "alla-namnder-och-bolag", "name": "Alla nämnder och bolag"}]
    council, _remaining, _additional, board_goal = world.assignments
    assert [a["id"] for a in data["responsible_for"]] == [council.pk, board_goal.pk]
    assert data["responsible_for"][0] == {
        "id": council.pk,
        "plan_year": 2023,
        "goal_number": "4",
        "heading": "Uppdrag 20",
        "number": "20",
        "kind": "council",
        "title": "Förebygga brott",
        "url": f"http://testserver/api/v1/assignments/{council.pk}",
    }
    company = get(client, "/api/v1/organisations/uppsalahem-ab")
    assert [a["id"] for a in company["affected_by"]] == [council.pk]


def test_plans(client, world):
    PlanFactory(year=2024)
    data = get(client, "/api/v1/plans")
    assert [p["year"] for p in data["results"]] == [2024, 2023]
    plan = data["results"][1]
    assert plan["title"] == "Mål och budget 2023 med plan för 2024–2025"
    assert plan["decision_case_number"] == "KSN-2022-01202"
    assert plan["decision_date"] == "2022-06-13"
    assert plan["goal_count"] == 1
    assert [p["id"] for p in plan["periods"]] == [world.april.pk, world.august.pk]
    assert plan["goals_url"] == "http://testserver/api/v1/plans/2023/goals"
    assert data["results"][0]["periods"] == []


def test_plan_detail_lists_goals_with_latest_follow_up(client, world):
    data = get(client, "/api/v1/plans/2023")
    assert [p["label"] for p in data["periods"]] == [
        "Uppföljning per april",
        "Delårsuppföljning per augusti",
    ]
    [goal] = data["goals"]
    assert goal["number"] == "4"
    assert goal["latest_follow_up"]["period"]["id"] == world.august.pk
    assert goal["latest_follow_up"]["status"] == "yellow"
    assert goal["csv_url"] == "http://testserver/api/v1/plans/2023/goals/4/follow-up.csv"


def test_goals(client, world):
    data = get(client, "/api/v1/plans/2023/goals")
    assert [g["number"] for g in data["results"]] == ["4"]
    assert data["results"][0]["html_url"] == "http://testserver/plan/2023/mal/4/"


def test_goal_detail(client, world):
    data = get(client, "/api/v1/plans/2023/goals/4")
    assert data["title"] == "Uppsala ska bli tryggare"
    assert data["kind"] == "fokusmal"
    assert data["sections"] == [{"heading": "Målbeskrivning", "body": "Trygghet för alla."}]
    april, august = data["follow_ups"]
    assert april["period"]["id"] == world.april.pk
    assert april["status"] == "red" and april["status_label"] == "Röd"
    # No earlier period to compare with: the trend as the municipality stated it.
    assert april["trend"] == "worsened" and april["trend_computed"] is False
    assert april["counts"] == {
        "assignments": 1,
        "completed": 0,
        "on_track": 1,
        "delayed": 0,
        "not_done": 0,
        "unknown": 0,
    }
    assert august["status"] == "yellow"
    assert august["trend"] == "improved" and august["trend_computed"] is True
    assert august["trend_label"] == "Förbättrad"
    # The board goal is not counted.
    assert august["counts"] == {
        "assignments": 3,
        "completed": 1,
        "on_track": 1,
        "delayed": 1,
        "not_done": 0,
        "unknown": 0,
    }
    assert august["summary"] == (
        "Ett av kommunfullmäktiges tre uppdrag inom fokusmålet är klart. Ett uppdrag pågår "
        "enligt plan och ett uppdrag är försenat."
    )
    assert august["assessment"] == "Målet bedöms bli delvis uppfyllt."

    headings = [a["heading"] for a in data["assignments"]]
    assert headings == [
        "Uppdrag 20",
        "Kvarvarande från 2022 uppdrag 19",
        "Tillkommande uppdrag",
        "Gemensamt nämnd-/bolagsmål NB 1.1",
    ]
    council = data["assignments"][0]
    assert council["latest_status"]["status"] == "completed"
    assert council["latest_status"]["period"]["id"] == world.august.pk
    assert council["responsible_organisations"][0]["slug"] == "kulturnamnden"
    assert data["assignments"][1]["responsible_groups"] == [
        {"slug": "alla-namnder-och-bolag", "name": "Alla nämnder och bolag"}
    ]
    assert data["assignments"][3]["counts_in_summary"] is False


def test_goal_without_published_period_has_no_follow_ups(client, world):
    PlanFactory(year=2024)
    from tests.factories import GoalFactory

    GoalFactory(plan=PlanFactory(year=2024), number="1")
    data = get(client, "/api/v1/plans/2024/goals/1")
    assert data["follow_ups"] == [] and data["latest_follow_up"] is None


def test_assignment_detail(client, world):
    council, remaining, additional, board_goal = world.assignments
    data = get(client, f"/api/v1/assignments/{council.pk}")
    assert data["goal"]["url"] == "http://testserver/api/v1/plans/2023/goals/4"
    assert data["responsible_organisations"] == [
        {
            "slug": "kulturnamnden",
            "name": "Kulturnämnden",
            "url": "http://testserver/api/v1/organisations/kulturnamnden",
        }
    ]
    assert [o["slug"] for o in data["affected_organisations"]] == ["uppsalahem-ab"]
    reports = data["reports"]
    assert [
        (r["period"]["id"], r["compiled"], (r["organisation"] or {}).get("slug")) for r in reports
    ] == [
        (world.april.pk, True, None),
        (world.august.pk, True, None),
        (world.august.pk, False, "kulturnamnden"),
    ]
    assert reports[1]["status"] == "completed" and reports[1]["status_label"] == "Slutfört"
    assert data["html_url"] == "http://testserver/plan/2023/mal/4/uppdrag/20/"

    data = get(client, f"/api/v1/assignments/{remaining.pk}")
    assert data["origin"] == {"year": 2022, "number": "19", "carried_over_from": None}
    [group] = data["responsible_groups"]
    assert group["name"] == "Alla nämnder och bolag"
    assert [m["slug"] for m in group["members"]] == ["kulturnamnden", "uppsalahem-ab"]

    data = get(client, f"/api/v1/assignments/{additional.pk}")
    assert data["decision"] == {
        "case_number": "KSN-2019-03835",
        "paragraph": "§379",
        "body": "KF",
        "date": "2019-12-09",
        "reference": "KF 2019-12-09 §379, KSN-2019-03835",
    }
    assert data["number"] is None

    data = get(client, f"/api/v1/assignments/{board_goal.pk}")
    assert data["board_goal_code"] == "NB 1.1" and data["counts_in_summary"] is False


def test_carried_over_assignments_link_both_ways(client, world):
    from tests.factories import AssignmentFactory, GoalFactory

    later = AssignmentFactory(
        goal=GoalFactory(plan=PlanFactory(year=2024), number="4"),
        carried_over_from=world.assignments[0],
    )
    data = get(client, f"/api/v1/assignments/{later.pk}")
    assert data["origin"]["carried_over_from"]["id"] == world.assignments[0].pk
    data = get(client, f"/api/v1/assignments/{world.assignments[0].pk}")
    assert [a["id"] for a in data["carried_into"]] == [later.pk]


def test_periods_are_published_only(client, world):
    data = get(client, "/api/v1/periods")
    assert [p["id"] for p in data["results"]] == [world.april.pk, world.august.pk]
    august = data["results"][1]
    assert august["plan_year"] == 2023 and august["kind"] == "august"
    assert august["reports_url"] == f"http://testserver/api/v1/periods/{world.august.pk}/reports"
    assert august["published_at"]


def test_period_detail(client, world):
    data = get(client, f"/api/v1/periods/{world.august.pk}")
    assert data["label"] == "Delårsuppföljning per augusti"
    assert data["report_count"] == 5  # four compiled and one handed-in organisation report
    get(client, f"/api/v1/periods/{world.draft.pk}", status=404)


def test_period_reports_are_paginated(client, world):
    url = f"/api/v1/periods/{world.august.pk}/reports"
    data = get(client, url)
    assert data["count"] == 5 and data["limit"] == 100 and data["offset"] == 0
    assert data["next"] is None and data["previous"] is None
    first = data["results"][0]
    assert first["compiled"] is True and first["organisation"] is None
    assert first["assignment"]["heading"] == "Uppdrag 20"
    assert "period" not in first
    assert data["results"][1]["organisation"]["slug"] == "kulturnamnden"

    page1 = get(client, url, limit=2)
    assert len(page1["results"]) == 2
    assert page1["next"] == f"http://testserver{url}?limit=2&offset=2"
    page2 = get(client, page1["next"].removeprefix("http://testserver"))
    assert page2["previous"] == f"http://testserver{url}?limit=2&offset=0"
    page3 = get(client, page2["next"].removeprefix("http://testserver"))
    assert page3["next"] is None and len(page3["results"]) == 1
    ids = [r["id"] for p in (page1, page2, page3) for r in p["results"]]
    assert ids == [r["id"] for r in data["results"]]
    assert get(client, url, offset=50)["results"] == []


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "-1"},
        {"limit": "abc"},
        {"limit": "1001"},
        {"limit": "1.5"},
        {"limit": "١٠"},
        {"offset": "-1"},
        {"offset": "x"},
        {"limit": "10", "offset": "ett"},
    ],
)
def test_bad_pagination_parameters_are_400(client, world, params):
    data = get(client, f"/api/v1/periods/{world.august.pk}/reports", status=400, **params)
    assert data["error"]["status"] == 400
    assert "måste vara ett heltal" in data["error"]["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/organisations/finns-inte",
        "/api/v1/plans/1999",
        "/api/v1/plans/abc",
        "/api/v1/plans/99999999999999999999",
        "/api/v1/plans/1999/goals",
        "/api/v1/plans/2023/goals/99",
        "/api/v1/plans/1999/goals/4",
        "/api/v1/plans/2023/goals/99/follow-up.csv",
        "/api/v1/assignments/999999",
        "/api/v1/assignments/abc",
        "/api/v1/assignments/99999999999999999999999",
        "/api/v1/periods/999999",
        "/api/v1/periods/999999/reports",
        "/api/v1/finns-inte",
        "/api/v2/plans",
        "/api/v1/organisations/%00",
        "/api/v1/plans/2023/goals/%00",
    ],
)
def test_unknown_things_are_json_404(client, world, path):
    data = get(client, path, status=404)
    assert data == {"error": {"status": 404, "message": data["error"]["message"]}}
    assert data["error"]["message"]


def test_only_reading_is_allowed(client, world):
    for method in (client.post, client.put, client.patch, client.delete):
        response = method("/api/v1/plans")
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD, OPTIONS"
        assert response["Access-Control-Allow-Origin"] == "*"
        assert response.json()["error"]["status"] == 405
    assert client.head("/api/v1/plans").status_code == 200
    options = client.options("/api/v1/plans")
    assert options.status_code == 204
    assert options["Access-Control-Allow-Origin"] == "*"
    assert "GET" in options["Access-Control-Allow-Methods"]


def test_labels_stay_swedish_whatever_the_browser_asks(client, world):
    data = client.get("/api/v1/plans/2023/goals/4", HTTP_ACCEPT_LANGUAGE="en").json()
    assert data["kind_label"] == "Fokusmål"
    assert data["follow_ups"][1]["status_label"] == "Gul"


def test_reverse_names_used_by_other_apps(world):
    assert (
        reverse("api:goal-follow-up-csv", args=[2023, "4"])
        == "/api/v1/plans/2023/goals/4/follow-up.csv"
    )
    assert reverse("api:index") == "/api/"
