"""Routing is data: category × area → organisation, with forwarding to others."""

from __future__ import annotations

import pytest

from insyn.core.models import OutgoingEmail
from insyn.feedback import services
from insyn.feedback.models import CaseStatus, Kind
from tests.factories import DistrictFactory
from tests.feedback.conftest import CENTRUM, GOTTSUNDA
from tests.feedback.factories import CategoryFactory, RoutingRuleFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("category", "point", "organisation", "forward"),
    [
        ("lights", CENTRUM, "streets", False),
        ("lights", GOTTSUNDA, "streets", False),  # no area rule: the default
        ("playground", CENTRUM, "streets", False),
        ("playground", GOTTSUNDA, "uppsalahem", True),  # the area rule wins
        ("state_road", CENTRUM, "trafikverket", True),
        ("state_road", GOTTSUNDA, "trafikverket", True),
    ],
)
def test_routing_table(setup, category, point, organisation, forward):
    where = services.route(category=getattr(setup, category), lat=point[0], long=point[1])
    assert where.organisation == getattr(setup, organisation)
    assert where.forward is forward


def test_area_by_name_without_a_point(setup):
    where = services.route(category=setup.playground, area=setup.gottsunda)
    assert where.organisation == setup.uppsalahem


def test_polygon_not_its_bounding_box_decides(setup):
    # A triangle in the south-west half of its box (GeoJSON: longitude first).
    area = DistrictFactory(
        name="Triangeln",
        geometry={
            "type": "Polygon",
            "coordinates": [[[17.0, 59.0], [17.0, 59.2], [17.2, 59.0], [17.0, 59.0]]],
        },
    )
    assert (area.min_lat, area.max_lat, area.min_long, area.max_long) == (59.0, 59.2, 17.0, 17.2)
    assert area.contains(59.05, 17.05)
    assert not area.contains(59.18, 17.18)  # inside the box, outside the polygon


def test_smallest_area_wins(setup):
    inner = DistrictFactory(name="Gottsunda centrum", box=(59.805, 59.808, 17.613, 17.618))
    RoutingRuleFactory(category=setup.lights, area=inner, organisation=setup.uppsalahem)
    where = services.route(category=setup.lights, lat=GOTTSUNDA[0], long=GOTTSUNDA[1])
    assert where.area == inner and where.organisation == setup.uppsalahem


def test_category_without_rules_goes_to_the_contact_centre(setup):
    lonely = CategoryFactory(code="ensam")
    receipt = services.create_case(
        kind=Kind.FAULT, category=lonely, description="Något", address_text="Vaksalagatan 1"
    )
    assert receipt.case.organisation is None
    assert receipt.case.status == CaseStatus.RECEIVED


def test_forwarded_case_tells_the_resident_and_the_organisation(setup):
    receipt = services.create_case(
        kind=Kind.FAULT,
        category=setup.state_road,
        description="Viltstängslet är nere längs E4.",
        lat=59.90,
        long=17.65,
        contact_email="anna@example.org",
    )
    case = receipt.case
    assert case.status == CaseStatus.FORWARDED
    assert case.organisation == setup.trafikverket
    assert case.notice == "Det här sköter Trafikverket. Vi har skickat ärendet dit."
    assert case.due_at is None  # not ours to be late with
    to = set(OutgoingEmail.objects.values_list("to", flat=True))
    assert to == {"anna@example.org", "trafikverket@example.org"}
    org_mail = OutgoingEmail.objects.get(to="trafikverket@example.org")
    assert "anna@example.org" not in org_mail.body  # no contact details forwarded
    assert case.events.filter(kind="forwarded", is_public=True).exists()


def test_target_time_follows_the_category(setup):
    case = services.create_case(
        kind=Kind.FAULT, category=setup.graffiti, description="Tag", address_text="Tunneln"
    ).case
    assert (case.due_at - case.created_at).days == 3


def test_routing_overview_page(cc_client, setup):
    response = cc_client.get("/personal/arenden/fordelning/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Trafikverket" in text and "vidarebefordras" in text and "Gottsunda" in text
