from __future__ import annotations

import os

import pytest

from insyn.accounts.models import Role
from insyn.dialogue.identity import SESSION_KEY
from tests.factories import MembershipFactory, UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def officer(db):
    user = UserFactory(username="dialogansvarig")
    MembershipFactory(user=user, role=Role.DIALOGUE_OFFICER, organisation=None)
    return user


@pytest.fixture
def staff_client(client, officer):
    client.force_login(officer)
    return client


def sign_in_participant(client, participant) -> None:
    """Put a participant in the client's session the way the one-time link does."""
    session = client.session
    session[SESSION_KEY] = participant.pk
    session.save()
