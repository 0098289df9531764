"""Every public change to fault reports makes the cached public pages stale at once."""

from __future__ import annotations

import pytest

from insyn.core.publication import publication_version
from insyn.feedback import services
from insyn.feedback.models import CaseStatus, Kind
from tests.feedback.test_public_views import published

pytestmark = pytest.mark.django_db

LIST = "/synpunkter/felanmalningar/"


def test_a_moderated_report_appears_on_the_cached_list(setup, client):
    client.get(LIST)
    assert client.get(LIST)["X-Insyn-Cache"] == "hit"
    published(setup, text="Trasig gatlykta vid Vaksala torg")
    response = client.get(LIST)
    assert response["X-Insyn-Cache"] == "miss"
    assert "Trasig gatlykta vid Vaksala torg" in response.content.decode()


def test_status_changes_and_anonymising_bump_the_version(setup):
    case = published(setup)
    before = publication_version()
    services.change_status(case=case, status=CaseStatus.RESOLVED, by=setup.users["cc"])
    after = publication_version()
    assert after != before
    services.anonymise_case(case=case)
    assert publication_version() != after


def test_a_new_report_bumps_the_version(setup):
    before = publication_version()
    services.create_case(
        kind=Kind.FAULT,
        category=setup.potholes,
        description="Hål i vägen",
        lat=59.8586,
        long=17.6389,
        address_text="Kungsgatan 1",
    )
    assert publication_version() != before
