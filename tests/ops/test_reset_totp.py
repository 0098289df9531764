"""`insyn reset-totp`: the documented recovery when an administrator lost their authenticator."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db


def test_removes_the_users_devices_and_only_theirs(django_user_model, capsys):
    lost = django_user_model.objects.create_user("lost", password="x" * 12)
    other = django_user_model.objects.create_user("other", password="x" * 12)
    TOTPDevice.objects.create(user=lost, name="phone", confirmed=True)
    TOTPDevice.objects.create(user=other, name="phone", confirmed=True)
    call_command("reset_totp", "lost")
    assert not list(devices_for_user(lost, confirmed=None))
    assert len(list(devices_for_user(other, confirmed=None))) == 1
    assert "1 enheter" in capsys.readouterr().out


def test_an_unknown_user_is_refused_in_swedish():
    with pytest.raises(CommandError, match="Ingen användare"):
        call_command("reset_totp", "nobody")
