"""Single sign-on end to end against a real OpenID Provider (tests/oidc/provider.mjs, the
certified oidc-provider package, run with Node): Insyn's own sign-in code runs the authorization
code flow through a browser-like session (requests following redirects), exchanges the code at
the provider's token endpoint, checks the ID token's RS256 signature against its JWKS and the
nonce, reads userinfo — nothing mocked.

- Staff: the IdP's `roles` claim becomes memberships (role and organisation), and a change at
  the IdP changes them at the next sign-in.
- Residents: the e-ID broker's personal identity number (the Swedish OIDC profile's claim) makes
  a keyed hash that is the participant's identity; the number itself is stored nowhere.
"""

from __future__ import annotations

import json

import pytest
import requests

from insyn.accounts.models import Membership, Role
from insyn.dialogue import services
from insyn.dialogue.models import Participant
from tests.factories import OrganisationFactory

PNR = "198112289874"


def _sign_in(session: requests.Session, start: str, account: str) -> requests.Response:
    """What a person does in a browser: go to the sign-in link, end up on the provider's login
    form, say who they are, and follow the redirects back."""
    form = session.get(start, timeout=30)
    assert form.status_code == 200 and "/interaction/" in form.url, form.text[:500]
    assert "Logga in hos testleverantören" in form.text
    return session.post(form.url, data={"login": account}, timeout=30)


@pytest.fixture
def staff_sso(settings, openid_provider):
    settings.ROOT_URLCONF = "tests.oidc.urls"
    settings.OIDC_ENABLED = True
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "insyn.accounts.oidc.InsynOIDCBackend",
    ]
    settings.OIDC_RP_CLIENT_ID = "insyn-staff"
    settings.OIDC_RP_CLIENT_SECRET = "insyn-staff-secret"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_RP_SCOPES = "openid email profile roles"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = openid_provider.endpoint("auth")
    settings.OIDC_OP_TOKEN_ENDPOINT = openid_provider.endpoint("token")
    settings.OIDC_OP_USER_ENDPOINT = openid_provider.endpoint("me")
    settings.OIDC_OP_JWKS_ENDPOINT = openid_provider.endpoint("jwks")
    settings.OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_authentication_callback"
    settings.OIDC_ROLES_CLAIM = "roles"
    settings.OIDC_MAP_MEMBERSHIPS = True
    return openid_provider


@pytest.fixture
def eid_broker(settings, openid_provider):
    settings.DIALOGUE_EID_OIDC = {
        "AUTHORIZATION_ENDPOINT": openid_provider.endpoint("auth"),
        "TOKEN_ENDPOINT": openid_provider.endpoint("token"),
        "JWKS_ENDPOINT": openid_provider.endpoint("jwks"),
        "USER_ENDPOINT": openid_provider.endpoint("me"),
        "CLIENT_ID": "insyn-eid",
        "CLIENT_SECRET": "insyn-eid-secret",
        "SIGN_ALGO": "RS256",
        "SCOPES": "openid profile https://id.oidc.se/scope/naturalPersonNumber",
    }
    return openid_provider


def test_staff_sign_in_maps_roles_and_organisation_from_the_providers_claims(
    live_server, staff_sso
):
    social = OrganisationFactory(slug="socialnamnden", name="Socialnämnden")
    OrganisationFactory(slug="kulturnamnden", name="Kulturnämnden")
    session = requests.Session()
    login_page = session.get(f"{live_server.url}/konto/logga-in/", timeout=30).text
    assert "/konto/oidc/authenticate/" in login_page  # the button a person clicks

    landed = _sign_in(session, f"{live_server.url}/konto/oidc/authenticate/", "anna.rapportor")

    assert landed.status_code == 200, landed.text[:500]
    assert landed.url == f"{live_server.url}/personal/"
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(email="anna.rapportor@uppsala.example")
    assert (user.first_name, user.last_name) == ("Anna", "Rapportör")
    assert set(
        Membership.objects.filter(user=user).values_list("role", "organisation", "source")
    ) == {(Role.REPORTER, social.pk, "oidc"), (Role.READER, None, "oidc")}
    assert "Anna" in landed.text  # signed in, on her own home
    # Signed in for real: a staff page answers her, not the sign-in form.
    home = session.get(f"{live_server.url}/personal/", timeout=30)
    assert home.status_code == 200 and "/konto/logga-in/" not in home.url


def test_a_second_staff_member_gets_only_their_own_roles(live_server, staff_sso):
    OrganisationFactory(slug="socialnamnden")
    landed = _sign_in(
        requests.Session(), f"{live_server.url}/konto/oidc/authenticate/", "sven.sammanstallare"
    )
    assert landed.status_code == 200 and landed.url == f"{live_server.url}/personal/"
    assert set(
        Membership.objects.filter(user__email="sven.sammanstallare@uppsala.example").values_list(
            "role", "organisation"
        )
    ) == {(Role.COMPILER, None)}


def test_resident_e_id_sign_in_is_the_personal_number_and_stores_only_its_hash(
    live_server, eid_broker
):
    session = requests.Session()
    landed = _sign_in(
        session, f"{live_server.url}/dialog/e-legitimation/?next=/dialog/", "invanare-bankid"
    )
    assert landed.status_code == 200, landed.text[:500]
    assert landed.url == f"{live_server.url}/dialog/"
    participant = Participant.objects.get()
    assert participant.eid_verified_at is not None
    assert participant.eid_subject == services.eid_identity(PNR)
    stored = json.dumps(list(Participant.objects.values()), default=str)
    assert PNR not in stored and PNR[2:] not in stored
    # Signed in as that participant: their own page answers.
    me = session.get(f"{live_server.url}/dialog/mina-uppgifter/", timeout=30)
    assert me.status_code == 200 and me.url.endswith("/dialog/mina-uppgifter/")

    # The same person again, in a new browser: the same participant, one voter.
    again = _sign_in(
        requests.Session(), f"{live_server.url}/dialog/e-legitimation/", "invanare-bankid"
    )
    assert again.status_code == 200
    assert Participant.objects.count() == 1


def test_a_broker_without_a_personal_number_falls_back_to_its_subject(live_server, eid_broker):
    """An account the provider has no personal number for (a broker that sends only a
    pseudonymous subject): still one participant, identified by issuer and subject."""
    landed = _sign_in(
        requests.Session(),
        f"{live_server.url}/dialog/e-legitimation/?next=/dialog/",
        "sven.sammanstallare",
    )
    assert landed.status_code == 200 and landed.url == f"{live_server.url}/dialog/"
    participant = Participant.objects.get()
    assert participant.eid_subject and participant.eid_subject != services.eid_identity(PNR)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("198112289874", "198112289874"),
        ("19811228-9874", "198112289874"),
        ("198112289875", None),  # wrong check digit
        ("8112289874", None),  # ten digits: the century is not known
        ("", None),
    ],
)
def test_personal_numbers_are_checked_before_they_identify_anyone(value, expected):
    assert services.normalise_personal_number(value) == expected
