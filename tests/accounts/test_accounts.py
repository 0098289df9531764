"""Sign-in, throttling, the administrators' second factor, OIDC claim mapping, demo accounts."""

from __future__ import annotations

import base64
import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from insyn.accounts.models import Membership, Role
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "lösenord-för-test"


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_it_logs_in_with_a_password_in_swedish(client):
    MembershipFactory(role=Role.COMPILER, organisation=None, user=UserFactory(username="sam"))
    page = client.get(reverse("accounts:login"))
    assert page.status_code == 200 and "Användarnamn" in page.content.decode()
    wrong = client.post(reverse("accounts:login"), {"username": "sam", "password": "fel"})
    assert "Fel användarnamn eller lösenord" in wrong.content.decode()
    response = client.post(reverse("accounts:login"), {"username": "sam", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("goals:index")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("goals:index")).status_code == 302


def test_it_throttles_login_by_username_for_a_short_window(client):
    UserFactory(username="target")
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "target", "password": "gissning"})
    response = client.post(reverse("accounts:login"), {"username": "target", "password": PASSWORD})
    assert response.status_code == 429
    assert "För många inloggningsförsök" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another user from the same address is not locked out by it.
    UserFactory(username="other")
    response = client.post(reverse("accounts:login"), {"username": "other", "password": PASSWORD})
    assert response.status_code == 302


def test_it_throttles_login_by_address(client):
    for n in range(30):
        client.post(reverse("accounts:login"), {"username": f"u{n}", "password": "x"})
    response = client.post(reverse("accounts:login"), {"username": "new", "password": "x"})
    assert response.status_code == 429


def test_it_makes_administrators_set_up_and_verify_a_second_factor(client):
    admin = MembershipFactory(
        role=Role.ADMIN, organisation=None, user=UserFactory(username="ada")
    ).user
    client.post(reverse("accounts:login"), {"username": "ada", "password": PASSWORD})
    for url in (reverse("goals:index"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:otp_setup"))
    page = client.get(reverse("accounts:otp_setup") + "?next=/personal/uppfoljning/")
    text = page.content.decode()
    assert "<svg" in text and "QR-kod" in text
    secret = re.search(r'<code class="secret">([A-Z2-7=]+)</code>', text).group(1)
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    assert base64.b32decode(secret) == device.bin_key
    wrong = client.post(reverse("accounts:otp_setup"), {"token": "000000"})
    assert "Koden stämmer inte" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp makes the next try wait after a failure
    response = client.post(
        reverse("accounts:otp_setup"),
        {"token": current_code(device), "next": "/personal/uppfoljning/"},
    )
    assert response.status_code == 302 and response["Location"] == "/personal/uppfoljning/"
    assert client.get(reverse("goals:index")).status_code == 200

    # A new session: the password is not enough, the code is asked for.
    client.logout()
    client.post(reverse("accounts:login"), {"username": "ada", "password": PASSWORD})
    response = client.get(reverse("goals:index"))
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    device.refresh_from_db()
    device.last_t = -1
    device.save()
    response = client.post(reverse("accounts:otp_verify"), {"token": current_code(device)})
    assert response.status_code == 302
    assert client.get(reverse("goals:index")).status_code == 200


def test_it_does_not_ask_other_roles_for_a_second_factor(client):
    MembershipFactory(role=Role.REPORTER, user=UserFactory(username="rut"))
    client.post(reverse("accounts:login"), {"username": "rut", "password": PASSWORD})
    assert client.get(reverse("goals:my_reports")).status_code == 200


def test_it_lets_a_user_change_their_password(client):
    user = UserFactory(username="pia")
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "ett-nytt-långt-lösen-9",
            "new_password2": "ett-nytt-långt-lösen-9",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("ett-nytt-långt-lösen-9")


OIDC_SETTINGS = {
    "OIDC_RP_CLIENT_ID": "insyn",
    "OIDC_RP_CLIENT_SECRET": "s",
    "OIDC_OP_TOKEN_ENDPOINT": "https://idp.invalid/token",
    "OIDC_OP_USER_ENDPOINT": "https://idp.invalid/userinfo",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://idp.invalid/auth",
    "OIDC_RP_SIGN_ALGO": "HS256",
    "OIDC_ROLES_CLAIM": "roles",
    "OIDC_MAP_MEMBERSHIPS": True,
}


@override_settings(**OIDC_SETTINGS)
def test_it_maps_oidc_claims_to_memberships():
    from insyn.accounts.oidc import InsynOIDCBackend

    son = OrganisationFactory(name="Socialnämnden", slug="socialnamnden")
    backend = InsynOIDCBackend()
    claims = {
        "email": "eva@uppsala.example",
        "given_name": "Eva",
        "family_name": "Ek",
        "roles": [
            "insyn:reporter:socialnamnden",
            "insyn:reader",
            "insyn:bogus",
            "insyn:reporter:finns-inte",
            "annat",
        ],
    }
    user = backend.create_user(claims)
    assert set(
        Membership.objects.filter(user=user).values_list("role", "organisation_id", "source")
    ) == {(Role.REPORTER, son.pk, "oidc"), (Role.READER, None, "oidc")}
    # A manual membership survives; claims removed at the IdP are removed here.
    Membership.objects.create(user=user, role=Role.COMPILER, source="admin")
    backend.update_user(user, {**claims, "roles": ["insyn:reader"]})
    assert set(Membership.objects.filter(user=user).values_list("role", "source")) == {
        (Role.READER, "oidc"),
        (Role.COMPILER, "admin"),
    }


@override_settings(**{**OIDC_SETTINGS, "OIDC_MAP_MEMBERSHIPS": False})
def test_it_leaves_memberships_to_admins_when_mapping_is_off():
    from insyn.accounts.oidc import InsynOIDCBackend

    user = InsynOIDCBackend().create_user({"email": "a@b.example", "roles": ["insyn:admin"]})
    assert not Membership.objects.filter(user=user).exists()


def test_it_loads_demo_accounts_with_a_documented_totp_secret(client):
    from insyn.accounts import demo

    OrganisationFactory(name="Socialnämnden", slug="socialnamnden")
    OrganisationFactory(name="Uppsalahem AB", slug="uppsalahem-ab", kind="company")
    demo.load_demo()
    demo.load_demo()  # idempotent
    assert (
        Membership.objects.filter(
            user__username="rapportor-son", organisation__name="Socialnämnden"
        ).count()
        == 1
    )
    assert Membership.objects.filter(
        user__username="rapportor-bolag", organisation__name="Uppsalahem AB"
    ).exists()
    device = TOTPDevice.objects.get(user__username="admin")
    assert demo.DEMO_TOTP_SECRET_BASE32 == "NFXHG6LOFVSGK3LPFV2G65DQFUZDAMRV"
    response = client.post(
        reverse("accounts:login"), {"username": "admin", "password": demo.DEMO_PASSWORD}
    )
    assert response.status_code == 302
    response = client.post(reverse("accounts:otp_verify"), {"token": current_code(device)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
