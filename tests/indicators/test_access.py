"""indicators/access.py: municipality-wide objects; only what does not exist is 404."""

from __future__ import annotations

import pytest
from django.http import Http404

from insyn.accounts.models import Role
from insyn.indicators.access import access_indicator, access_peer_group
from tests.factories import MembershipFactory, UserFactory
from tests.indicators.factories import IndicatorFactory, PeerGroupFactory

pytestmark = pytest.mark.django_db


def test_compilers_reach_every_indicator_and_a_missing_one_is_404(client):
    user = UserFactory()
    MembershipFactory(user=user, role=Role.COMPILER, organisation=None)
    indicator, group = IndicatorFactory(), PeerGroupFactory()
    assert access_indicator(user, indicator.pk, write=True) == indicator
    assert access_peer_group(user, group.pk, write=True) == group
    with pytest.raises(Http404):
        access_indicator(user, 987654)
    client.force_login(user)
    assert client.get(f"/personal/indikatorer/{indicator.pk}/").status_code == 200
    assert client.get("/personal/indikatorer/987654/").status_code == 404
