"""insyn.core.access: the one behaviour of object access (404 unseen, 403 seen but read-only)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from insyn.core.access import fetch, grant
from insyn.organisations.models import Organisation
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_fetch_answers_404_for_a_missing_or_malformed_id():
    org = OrganisationFactory()
    assert fetch(Organisation.objects.all(), pk=org.pk) == org
    assert fetch(Organisation, pk=org.pk) == org
    for bad in (org.pk + 1000, "abc", None):
        with pytest.raises(Http404):
            fetch(Organisation.objects.all(), pk=bad)


def test_grant_hides_what_may_not_be_seen_and_refuses_what_may_not_be_changed():
    org = OrganisationFactory()
    assert grant(org, see=True, change=False) is org  # reading is enough
    with pytest.raises(Http404):
        grant(org, see=False, change=True, write=True)  # unseen wins over unchanged
    with pytest.raises(PermissionDenied):
        grant(org, see=True, change=False, write=True)
    assert grant(org, see=lambda: True, change=lambda: True, write=True) is org


def test_grant_does_not_run_the_change_check_for_a_read():
    def boom() -> bool:
        raise AssertionError("the change check ran for a read")

    grant(OrganisationFactory(), see=True, change=boom)
