"""Login throttling works as an attacker would meet it: while throttled even the right password
is refused; the count survives a fresh session (it lives in the shared cache, not in cookies);
the window ends so the real user is never locked out for long; the second factor and the
resident's e-mail login are throttled too; and there is no side door (the admin's own login)."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from insyn.accounts.models import Role
from insyn.dialogue.models import LoginToken
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "lösenord-för-test"
LOGIN = "/konto/logga-in/"


def fresh(address: str = "203.0.113.20") -> Client:
    """A new browser: no cookies, no session."""
    return Client(REMOTE_ADDR=address)


def test_while_throttled_even_the_right_password_is_refused():
    UserFactory(username="kommunchef")
    for n in range(5):
        assert (
            fresh().post(LOGIN, {"username": "kommunchef", "password": f"gissning{n}"}).status_code
            == 200
        )
    attacker = fresh()
    response = attacker.post(LOGIN, {"username": "kommunchef", "password": PASSWORD})
    assert response.status_code == 429
    assert "För många inloggningsförsök" in response.content.decode()
    assert "_auth_user_id" not in attacker.session


def test_the_count_is_per_username_whatever_the_case_or_spaces():
    UserFactory(username="kommunchef")
    for n, name in enumerate(
        ["kommunchef", "KommunChef", " kommunchef ", "KOMMUNCHEF", "kommunchef"]
    ):
        fresh(f"203.0.113.{30 + n}").post(LOGIN, {"username": name, "password": "x"})
    response = fresh("203.0.113.99").post(LOGIN, {"username": "kommunchef", "password": PASSWORD})
    assert response.status_code == 429, "many addresses must not multiply the guesses"


def test_the_window_ends_and_the_real_user_gets_in(monkeypatch):
    UserFactory(username="kommunchef")
    for _ in range(6):
        fresh().post(LOGIN, {"username": "kommunchef", "password": "fel"})
    assert fresh().post(LOGIN, {"username": "kommunchef", "password": PASSWORD}).status_code == 429
    later = time.time() + 5 * 60 + 10
    monkeypatch.setattr(time, "time", lambda: later)
    user = fresh()
    response = user.post(LOGIN, {"username": "kommunchef", "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in user.session


def test_one_address_cannot_try_many_usernames():
    for n in range(30):
        fresh().post(LOGIN, {"username": f"namn{n}", "password": "x"})
    UserFactory(username="handlaggare")
    assert fresh().post(LOGIN, {"username": "handlaggare", "password": PASSWORD}).status_code == 429
    assert (
        fresh("198.51.100.7")
        .post(LOGIN, {"username": "handlaggare", "password": PASSWORD})
        .status_code
        == 302
    )


def test_the_second_factor_is_throttled_and_then_refuses_the_right_code():
    from django_otp.oath import totp

    admin = MembershipFactory(
        role=Role.ADMIN, organisation=None, user=UserFactory(username="ada")
    ).user
    device = TOTPDevice.objects.create(user=admin, name="telefon", confirmed=True)
    client = fresh()
    client.force_login(admin)
    answers = [
        client.post("/konto/tvastegsverifiering/", {"token": "000000"}).status_code
        for _ in range(12)
    ]
    assert answers[-1] == 429, answers
    device.refresh_from_db()
    device.throttle_reset()
    right = str(totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)).zfill(
        device.digits
    )
    response = client.post("/konto/tvastegsverifiering/", {"token": right})
    assert response.status_code == 429
    assert client.get("/personal/uppfoljning/").status_code == 302, "still not verified"


def test_the_admin_login_is_no_side_door():
    """Django's own admin login has no throttle: anonymous visitors are sent to the throttled
    login, and a signed-in account cannot POST passwords there at all."""
    target = UserFactory(username="chef", is_staff=True, is_superuser=True)
    anonymous = fresh()
    response = anonymous.post("/admin/login/", {"username": "chef", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in anonymous.session

    reporter = MembershipFactory(role=Role.REPORTER, user=UserFactory(username="rep")).user
    insider = fresh()
    insider.force_login(reporter)
    response = insider.post("/admin/login/", {"username": "chef", "password": PASSWORD})
    assert response.status_code == 405
    assert insider.session["_auth_user_id"] == str(reporter.pk) != str(target.pk)


def test_the_residents_email_login_is_throttled():
    answers = [
        fresh().post("/dialog/logga-in/", {"email": f"person{n}@example.org"}).status_code
        for n in range(8)
    ]
    assert 429 in answers, answers
    sent = LoginToken.objects.count()
    assert sent <= 5, f"{sent} login links sent to one address in a minute"
