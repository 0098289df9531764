"""Sign-in through an e-ID broker over OpenID Connect (BankID, Freja eID … behind the broker).

Configured by environment (or `settings.DIALOGUE_EID_OIDC`, a dict with the same names without
the prefix), separately from staff sign-in:

    DIALOGUE_EID_OIDC_AUTHORIZATION_ENDPOINT  https://broker.example/authorize
    DIALOGUE_EID_OIDC_TOKEN_ENDPOINT          https://broker.example/token
    DIALOGUE_EID_OIDC_JWKS_ENDPOINT           https://broker.example/jwks
    DIALOGUE_EID_OIDC_CLIENT_ID / _CLIENT_SECRET
    DIALOGUE_EID_OIDC_SIGN_ALGO               RS256 (default)
    DIALOGUE_EID_OIDC_SCOPES                  "openid" (default; ask for no personal number)
    DIALOGUE_EID_OIDC_ACR_VALUES              optional, e.g. the broker's level for BankID
    DIALOGUE_EID_OIDC_PERSONAL_NUMBER_CLAIM   the claim with the personal identity number, if
                                              the broker's is none of PERSONAL_NUMBER_CLAIMS

When the broker sends a personal identity number (ask for it with the scope it names, e.g.
"openid https://id.oidc.se/scope/naturalPersonNumber" in the Swedish OIDC profile), a keyed hash
of the number is the resident's identity, so one person is one voter whichever e-ID they use
(services.eid_identity); it is read from the ID token, else from the userinfo endpoint when one
is configured. Otherwise only a hash of issuer and the pseudonymous `sub` is stored. The number
itself is never stored. mozilla-django-oidc does the code
exchange and the signature and nonce checks; it is used here as a library, not as a Django
authentication backend, so residents never become `request.user`.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from insyn.dialogue.models import Participant

PREFIX = "DIALOGUE_EID_OIDC_"
_NAMES = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT": "TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT": "USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT": "JWKS_ENDPOINT",
    "OIDC_RP_CLIENT_ID": "CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET": "CLIENT_SECRET",
    "OIDC_RP_SIGN_ALGO": "SIGN_ALGO",
    "OIDC_RP_IDP_SIGN_KEY": "IDP_SIGN_KEY",
    "OIDC_RP_SCOPES": "SCOPES",
    "OIDC_ACR_VALUES": "ACR_VALUES",
    "OIDC_ISSUER": "ISSUER",
}
_DEFAULTS = {"SIGN_ALGO": "RS256", "SCOPES": "openid", "USER_ENDPOINT": ""}
# How Swedish e-ID brokers name the personal identity number: the Swedish OIDC profile
# (oidc.se), and the plain names other brokers use.
PERSONAL_NUMBER_CLAIMS = (
    "https://id.oidc.se/claim/personalIdentityNumber",
    "personal_number",
    "se.personalnumber",
    "personalNumber",
)


def personal_number(claims: dict[str, Any]) -> str:
    names = (config("PERSONAL_NUMBER_CLAIM") or "", *PERSONAL_NUMBER_CLAIMS)
    for name in names:
        value = claims.get(name) if name else None
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def config(name: str, default: Any = None) -> Any:
    overrides = getattr(settings, "DIALOGUE_EID_OIDC", None) or {}
    if name in overrides:
        return overrides[name]
    value = os.environ.get(PREFIX + name)
    if value:
        return value
    return _DEFAULTS.get(name, default)


def enabled() -> bool:
    return bool(
        config("AUTHORIZATION_ENDPOINT") and config("TOKEN_ENDPOINT") and config("CLIENT_ID")
    )


class EidBroker(OIDCAuthenticationBackend):
    """The code flow against the broker; returns a Participant instead of a user."""

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        fixed = {
            "OIDC_AUTHENTICATION_CALLBACK_URL": "dialogue:eid_callback",
            "OIDC_STORE_ACCESS_TOKEN": False,
            "OIDC_STORE_ID_TOKEN": False,
            "OIDC_USE_NONCE": True,
        }
        if attr in fixed:
            return fixed[attr]
        if attr in _NAMES:
            value = config(_NAMES[attr])
            if value is not None and value != "":
                return value
        if args:
            return args[0]
        value = getattr(settings, attr, None)
        if value is None:
            return None
        return value

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> Participant | None:
        from insyn.dialogue.services import participant_from_eid

        subject = str(payload.get("sub") or "")
        if not subject:
            return None
        issuer = str(payload.get("iss") or config("ISSUER") or "")
        number = personal_number(payload)
        if not number and config("USER_ENDPOINT"):
            number = personal_number(self.get_userinfo(access_token, id_token, payload) or {})
        return participant_from_eid(issuer=issuer, subject=subject, personal_number=number)
