"""The second factor for administrators.

An administrator (the admin role, a superuser or Django staff) who has signed in with a password
must verify a TOTP code (django-otp) before any page under /personal/ or /admin/. Without a
confirmed device they are sent to set one up; with one, to enter a code. Other roles are not
affected. This runs after django_otp.middleware.OTPMiddleware, which sets user.is_verified().
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control

# The password change is protected too: a stolen password alone must not be enough to lock the
# administrator out by changing it (issue 12 finding 7).
PROTECTED_PREFIXES = ("/personal/", "/admin/", "/konto/losenord/")
STAFF_PREFIXES = ("/personal/", "/admin/", "/konto/")
SIGNED_IN_AT = "insyn_signed_in_at"
LAST_SEEN = "insyn_last_seen"


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


class StaffSessionMiddleware:
    """Staff sessions are short and end when idle (issue 12 finding 7): a signed-in user is
    signed out after ``STAFF_SESSION_IDLE_SECONDS`` without a request or
    ``STAFF_SESSION_MAX_SECONDS`` after signing in, whichever comes first (both settings, from
    the environment variables of the same names). Every answer to a signed-in user, and every
    staff page, is ``Cache-Control: private, no-store``: no browser or proxy keeps a copy.
    Residents' sessions (no Django user) are not affected. Runs after AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        if signed_in:
            now = int(time.time())
            session = request.session
            idle = settings.STAFF_SESSION_IDLE_SECONDS
            started = session.get(SIGNED_IN_AT) or now
            last = session.get(LAST_SEEN) or now
            if now - last > idle or now - started > settings.STAFF_SESSION_MAX_SECONDS:
                logout(request)  # flushes the session; the request goes on as anonymous
                signed_in = False
            else:
                session[SIGNED_IN_AT] = started
                session[LAST_SEEN] = now
                session.set_expiry(idle)
        response = self.get_response(request)
        if signed_in or request.path_info.startswith(STAFF_PREFIXES):
            patch_cache_control(response, private=True, no_store=True, no_cache=True)
            response.headers.pop("Expires", None)
        return response
