"""Demo accounts, one per role (documented in the README). Idempotent.

All share the password DEMO_PASSWORD. The administrator's second factor uses a fixed, published
TOTP secret (DEMO_TOTP_SECRET_BASE32): add it to any authenticator app, or run
`oathtool --totp -b <secret>`. These accounts are for demonstration only: never load the demo into
a production database.
"""

from __future__ import annotations

import base64

from django.contrib.auth import get_user_model
from django.db import transaction

from insyn.accounts.models import Membership, Role
from insyn.organisations.models import Organisation, OrganisationKind

DEMO_PASSWORD = "demo-insyn-2025"
DEMO_TOTP_KEY = b"insyn-demo-totp-2025"  # 20 bytes
DEMO_TOTP_SECRET_BASE32 = base64.b32encode(DEMO_TOTP_KEY).decode()

# username, first name, role, organisation (name, or None)
DEMO_ACCOUNTS = [
    ("admin", "Ada Administratör", Role.ADMIN, None),
    ("sammanstallare", "Sam Sammanställare", Role.COMPILER, None),
    ("lasare", "Lisa Läsare", Role.READER, None),
    ("rapportor-son", "Rut Rapportör", Role.REPORTER, "Socialnämnden"),
    ("rapportor-bolag", "Bo Bolag", Role.REPORTER, OrganisationKind.COMPANY),
    ("dialog", "Dia Dialog", Role.DIALOGUE_OFFICER, None),
    ("kontaktcenter", "Kim Kontaktcenter", Role.CONTACT_CENTRE, None),
    ("handlaggare", "Hanna Handläggare", Role.CASE_HANDLER, "Gatu- och samhällsmiljönämnden"),
    ("moderator", "Mo Moderator", Role.MODERATOR, None),
]


def _organisation(spec: str | None) -> Organisation | None:
    if spec is None:
        return None
    if spec == OrganisationKind.COMPANY:
        preferred = Organisation.objects.filter(kind=OrganisationKind.COMPANY, name="Uppsalahem AB")
        return (
            preferred.first()
            or Organisation.objects.filter(kind=OrganisationKind.COMPANY).order_by("name").first()
        )
    return Organisation.objects.filter(name=spec).first()


@transaction.atomic
def load_demo() -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    User = get_user_model()
    for username, full_name, role, org_spec in DEMO_ACCOUNTS:
        first, _sep, last = full_name.partition(" ")
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@demo.insyn.invalid",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        organisation = _organisation(org_spec)
        if org_spec is not None and organisation is None:
            continue  # the registry is not loaded yet
        Membership.objects.get_or_create(user=user, role=role, organisation=organisation)
        if role == Role.ADMIN:
            if not user.is_staff or not user.is_superuser:
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            TOTPDevice.objects.get_or_create(
                user=user, name="Demo", defaults={"key": DEMO_TOTP_KEY.hex(), "confirmed": True}
            )
