"""load_demo: idempotent, Uppsala routing, a working demo Open311 key."""

from __future__ import annotations

import pytest

from insyn.feedback import demo, services
from insyn.feedback.models import Case, Category, PublicState, RoutingRule, Theme
from insyn.organisations.models import Organisation, OrganisationKind
from tests.factories import AssignmentFactory, GoalFactory, MunicipalityFactory, PlanFactory

pytestmark = pytest.mark.django_db


def test_load_demo_twice(client):
    MunicipalityFactory()
    plan = PlanFactory(year=2023)
    GoalFactory(plan=plan, number="1")
    goal4 = GoalFactory(plan=plan, number="4")
    assignment = AssignmentFactory(goal=goal4, number="20", title="Utforma samhället tillsammans")

    demo.load_demo()
    counts = (Category.objects.count(), RoutingRule.objects.count(), Case.objects.count())
    demo.load_demo()
    assert (Category.objects.count(), RoutingRule.objects.count(), Case.objects.count()) == counts

    trafikverket = Organisation.objects.get(name="Trafikverket")
    assert trafikverket.kind == OrganisationKind.EXTERNAL
    route = services.route(category=Category.objects.get(code="statlig-vag"), lat=59.9, long=17.65)
    assert route.organisation == trafikverket and route.forward
    assert Theme.objects.get().assignment == assignment
    assert Case.objects.filter(public_state=PublicState.PUBLISHED).count() >= 5
    assert Case.objects.filter(merged_into__isnull=False).count() == 1

    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": demo.DEMO_API_KEY,
            "service_code": "klotter",
            "lat": "59.86",
            "long": "17.64",
            "description": "Klotter på elskåpet",
        },
    )
    assert response.status_code == 200, response.content
    for url in (
        "/synpunkter/",
        "/synpunkter/felanmalningar/",
        "/synpunkter/felanmalan/",
        "/open311/v2/services.xml",
    ):
        assert client.get(url).status_code == 200, url


def test_load_demo_without_goals():
    demo.load_demo()
    assert Case.objects.exists() and Theme.objects.get().goal is None
