"""Fixtures for feedback tests: a small Uppsala routing table, staff clients, media in tmp."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import pytest
from PIL import Image

from insyn.accounts.models import Role
from insyn.accounts.testing import login_verified
from insyn.feedback.models import Category, Datatype
from insyn.organisations.models import District, Organisation, OrganisationKind
from tests.factories import (
    GOTTSUNDA_BOX,
    DistrictFactory,
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.feedback.factories import (
    AnswerTemplateFactory,
    CategoryFactory,
    QuestionFactory,
    RoutingRuleFactory,
)

CENTRUM = (59.8586, 17.6389)
GOTTSUNDA = (59.8066, 17.6151)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "http://testserver"


@dataclass
class Setup:
    streets: Organisation
    trafikverket: Organisation
    uppsalahem: Organisation
    gottsunda: District
    lights: Category
    potholes: Category
    graffiti: Category
    state_road: Category
    playground: Category
    idea: Category
    users: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
def setup(db) -> Setup:
    MunicipalityFactory(contact_email="kontaktcenter@uppsala.se")
    streets = OrganisationFactory(
        name="Gatu- och samhällsmiljönämnden", slug="gsn", email="gsn@example.org"
    )
    trafikverket = OrganisationFactory(
        name="Trafikverket",
        slug="trafikverket",
        kind=OrganisationKind.EXTERNAL,
        email="trafikverket@example.org",
    )
    uppsalahem = OrganisationFactory(
        name="Uppsalahem AB", slug="uppsalahem", kind=OrganisationKind.COMPANY
    )
    gottsunda = DistrictFactory(name="Gottsunda", box=GOTTSUNDA_BOX)
    lights = CategoryFactory(code="gatubelysning", name="Gatubelysning", target_days=7)
    QuestionFactory(category=lights, code="stolpnummer", order=1)
    QuestionFactory(
        category=lights,
        code="antal",
        description="Hur många lampor är släckta?",
        datatype=Datatype.SINGLE,
        required=True,
        order=2,
        values=[{"key": "1", "name": "En"}, {"key": "fler", "name": "Fler"}],
    )
    potholes = CategoryFactory(code="potthal", name="Hål i vägen", target_days=14)
    graffiti = CategoryFactory(code="klotter", name="Klotter", target_days=3)
    state_road = CategoryFactory(code="statlig-vag", name="Statlig väg")
    playground = CategoryFactory(code="lekplats", name="Lekplats")
    idea = CategoryFactory(code="ovrigt", name="Övrigt", fault_reports=False, feedback=True)
    for category in (lights, potholes, graffiti, playground, idea):
        RoutingRuleFactory(category=category, organisation=streets)
    RoutingRuleFactory(
        category=state_road,
        organisation=trafikverket,
        forward=True,
        notice="Det här sköter Trafikverket. Vi har skickat ärendet dit.",
    )
    RoutingRuleFactory(
        category=playground,
        area=gottsunda,
        organisation=uppsalahem,
        forward=True,
        notice="Uppsalahem sköter lekplatsen.",
    )
    AnswerTemplateFactory()
    users = {
        "cc": MembershipFactory(
            role=Role.CONTACT_CENTRE, organisation=None, user=UserFactory(username="kontaktcenter")
        ).user,
        "reporter": MembershipFactory(
            role=Role.REPORTER, user=UserFactory(username="rapportor")
        ).user,
        "admin": UserFactory(username="admin", is_superuser=True, is_staff=True),
    }
    return Setup(
        streets,
        trafikverket,
        uppsalahem,
        gottsunda,
        lights,
        potholes,
        graffiti,
        state_road,
        playground,
        idea,
        users,
    )


@pytest.fixture
def cc_client(client, setup):
    login_verified(client, setup.users["cc"])
    return client


def jpeg_bytes(*, gps: bool = False, size: tuple[int, int] = (64, 48), fmt: str = "JPEG") -> bytes:
    """A small photo; with gps=True it carries EXIF GPS coordinates, a camera model and a
    description — exactly what must never be stored."""
    img = Image.new("RGB", size, (120, 160, 200))
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "Telefonmakaren"  # Make
        exif[0x0110] = "Modell X"  # Model
        exif[0x010E] = "Anna Andersson hemma"  # ImageDescription
        exif[0x0112] = 6  # Orientation: rotate 90° CW
        gps_ifd = {1: "N", 2: (59.0, 51.0, 30.0), 3: "E", 4: (17.0, 38.0, 20.0)}
        exif[0x8825] = gps_ifd
        img.save(out, format=fmt, exif=exif.tobytes())
    else:
        img.save(out, format=fmt)
    return out.getvalue()


# Browser fixtures (Debian Chromium via Playwright, axe-core) are shared from tests/browser.
from tests.browser.conftest import (  # noqa: E402
    CHROMIUM_ARGS,  # noqa: F401
    assert_accessible,  # noqa: F401
    browser,  # noqa: F401
    browser_context,  # noqa: F401
    page,  # noqa: F401
)


@pytest.fixture
def cc_client_factory(setup):
    """A fresh test client signed in as the contact centre (for tests that also need an
    anonymous `client`)."""
    from django.test import Client

    def make() -> Client:
        staff = Client()
        login_verified(staff, setup.users["cc"])
        return staff

    return make
