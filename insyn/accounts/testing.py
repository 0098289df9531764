"""Test helpers for any app: sign a test client in as a user, administrators included.

Administrators must have verified a second factor before /personal/ and /admin/ pages, so
`client.force_login(admin)` alone is redirected to the TOTP page. Use:

    from insyn.accounts.testing import login_verified
    login_verified(client, user)   # force_login + a confirmed TOTP device marked verified
"""

from __future__ import annotations

from typing import Any


def login_verified(client: Any, user: Any) -> Any:
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from insyn.accounts.middleware import needs_second_factor

    client.force_login(user)
    if needs_second_factor(user):
        device = TOTPDevice.objects.filter(
            user=user, confirmed=True
        ).first() or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
