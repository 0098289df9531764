"""Hardening of staff accounts (issue 12 finding 7): no password change without the second
factor, short idle-limited sessions, no-store on staff pages."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from insyn.accounts.middleware import LAST_SEEN, SIGNED_IN_AT
from insyn.accounts.models import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "lösenord-för-test"


def test_an_admin_without_the_second_factor_cannot_change_the_password(client):
    admin = MembershipFactory(
        role=Role.ADMIN, organisation=None, user=UserFactory(username="ada")
    ).user
    client.post(reverse("accounts:login"), {"username": "ada", "password": PASSWORD})
    url = reverse("accounts:password_change")
    assert client.get(url).status_code == 302
    response = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "Nytt-lång-lösen-42",
            "new_password2": "Nytt-lång-lösen-42",
        },
    )
    assert response.status_code == 302 and "tvastegsverifiering" in response["Location"]
    admin.refresh_from_db()
    assert admin.check_password(PASSWORD)


def sign_in(client, username="sam"):
    MembershipFactory(role=Role.COMPILER, organisation=None, user=UserFactory(username=username))
    assert client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert client.get(reverse("goals:index")).status_code == 200


def test_staff_pages_are_never_stored(client):
    sign_in(client)
    response = client.get(reverse("goals:index"))
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    # a public page seen by a signed-in user carries their name in the header
    assert "no-store" in client.get("/").get("Cache-Control", "")


def test_a_staff_session_ends_when_idle(client, settings):
    sign_in(client)
    session = client.session
    session[LAST_SEEN] = int(time.time()) - settings.STAFF_SESSION_IDLE_SECONDS - 5
    session.save()
    assert client.get(reverse("goals:index")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_staff_session_ends_after_its_longest_time(client, settings):
    sign_in(client)
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - settings.STAFF_SESSION_MAX_SECONDS - 5
    session.save()
    assert client.get(reverse("goals:index")).status_code == 302


def test_the_session_cookie_lives_only_as_long_as_the_idle_limit(client, settings):
    settings.STAFF_SESSION_IDLE_SECONDS = 600
    sign_in(client)
    cookie = client.get(reverse("goals:index")).cookies.get("sessionid")
    assert cookie is not None and int(cookie["max-age"]) == 600
