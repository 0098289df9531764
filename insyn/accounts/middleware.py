"""The second factor for administrators.

An administrator (the admin role, a superuser or Django staff) who has signed in with a password
must verify a TOTP code (django-otp) before any page under /personal/ or /admin/. Without a
confirmed device they are sent to set one up; with one, to enter a code. Other roles are not
affected. This runs after django_otp.middleware.OTPMiddleware, which sets user.is_verified().
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

PROTECTED_PREFIXES = ("/personal/", "/admin/")


def needs_second_factor(user) -> bool:
    """True for users whose role demands a verified second factor."""
    from insyn.accounts.models import Role
    from insyn.accounts.permissions import roles_of

    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or user.is_staff or Role.ADMIN in roles_of(user)


def is_verified(user) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(check and check())


class AdminSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path.startswith(PROTECTED_PREFIXES):
            user = request.user
            if needs_second_factor(user) and not is_verified(user):
                from django_otp import user_has_device

                name = "accounts:otp_verify" if user_has_device(user) else "accounts:otp_setup"
                return redirect(f"{reverse(name)}?next={request.get_full_path()}")
        return self.get_response(request)
