"""OpenID Connect sign-in (mozilla-django-oidc), on only when OIDC_RP_CLIENT_ID etc. are set.

Claims → memberships. With OIDC_MAP_MEMBERSHIPS=true (default) the claim named by
OIDC_ROLES_CLAIM (default "roles"; a list of strings, e.g. the IdP's groups) decides the user's
memberships with source="oidc" at every sign-in:

    "insyn:admin"                       → administrator
    "insyn:compiler" / "insyn:reader"   → compiler / reader (no organisation)
    "insyn:reporter:socialnamnden"      → reporter for the organisation with slug socialnamnden
    "insyn:dialogue_officer:<slug>"     → dialogue officer for that organisation

Unknown roles or organisations are ignored (logged). Memberships an administrator added by hand
(source="admin") are never touched. With OIDC_MAP_MEMBERSHIPS=false, memberships are left to
administrators entirely. Administrators still pass the TOTP second factor.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from insyn.accounts.models import Membership, Role
from insyn.organisations.models import Organisation

logger = logging.getLogger(__name__)
PREFIX = "insyn:"


def memberships_from_claims(claims: dict[str, Any]) -> set[tuple[str, int | None]]:
    """(role, organisation id or None) pairs that the roles claim asks for."""
    raw = claims.get(getattr(settings, "OIDC_ROLES_CLAIM", "roles")) or []
    if isinstance(raw, str):
        raw = raw.replace(",", " ").split()
    wanted: set[tuple[str, str | None]] = set()
    for value in raw:
        if not isinstance(value, str) or not value.startswith(PREFIX):
            continue
        role, _sep, slug = value[len(PREFIX) :].partition(":")
        if role not in Role.values:
            logger.warning("unknown role in OIDC claim", extra={"event": "oidc_unknown_role"})
            continue
        wanted.add((role, slug or None))
    slugs = {slug for _role, slug in wanted if slug}
    org_ids = dict(Organisation.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    result: set[tuple[str, int | None]] = set()
    for role, slug in wanted:
        if slug is None:
            result.add((role, None))
        elif slug in org_ids:
            result.add((role, org_ids[slug]))
    return result


@transaction.atomic
def sync_memberships(*, user: Any, claims: dict[str, Any]) -> None:
    """Make the user's oidc-sourced memberships equal what the claims say."""
    if not getattr(settings, "OIDC_MAP_MEMBERSHIPS", True):
        return
    wanted = memberships_from_claims(claims)
    current = {
        (m.role, m.organisation_id): m for m in Membership.objects.filter(user=user, source="oidc")
    }
    for key, membership in current.items():
        if key not in wanted:
            membership.delete()
    manual = set(
        Membership.objects.filter(user=user)
        .exclude(source="oidc")
        .values_list("role", "organisation_id")
    )
    for role, org_id in wanted - set(current) - manual:
        Membership.objects.create(user=user, role=role, organisation_id=org_id, source="oidc")


class InsynOIDCBackend(OIDCAuthenticationBackend):
    def create_user(self, claims: dict[str, Any]) -> Any:
        user = super().create_user(claims)
        user.first_name = (claims.get("given_name") or "")[:150]
        user.last_name = (claims.get("family_name") or "")[:150]
        user.save(update_fields=["first_name", "last_name"])
        sync_memberships(user=user, claims=claims)
        return user

    def update_user(self, user: Any, claims: dict[str, Any]) -> Any:
        sync_memberships(user=user, claims=claims)
        return user
