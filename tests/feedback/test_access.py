"""feedback/access.py: another organisation's case is 404 for a case handler (as if it did not
exist); the contact centre sees every case."""

from __future__ import annotations

import pytest
from django.http import Http404

from insyn.accounts.models import Role
from insyn.feedback import services
from insyn.feedback.access import access_case, handled_organisations
from insyn.feedback.models import Kind
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _user(role, organisation=None):
    user = UserFactory()
    MembershipFactory(user=user, role=role, organisation=organisation)
    return user


def test_case_handlers_see_only_their_organisations_cases(client, setup):
    own, other = setup.streets, OrganisationFactory()
    case = services.create_case(
        kind=Kind.FAULT, category=setup.potholes, description="Hål", lat=59.858, long=17.638
    ).case
    assert case.organisation_id == own.pk
    handler = _user(Role.CASE_HANDLER, own)
    foreign = _user(Role.CASE_HANDLER, other)
    centre = _user(Role.CONTACT_CENTRE)
    assert handled_organisations(centre) is None
    assert access_case(centre, case.number, write=True) == case
    assert access_case(handler, case.number, write=True) == case
    for write in (False, True):
        with pytest.raises(Http404):
            access_case(foreign, case.number, write=write)
    with pytest.raises(Http404):
        access_case(centre, "not-a-number")
    client.force_login(foreign)
    assert client.get(f"/personal/arenden/{case.number}/").status_code == 404
    client.force_login(handler)
    assert client.get(f"/personal/arenden/{case.number}/").status_code == 200
