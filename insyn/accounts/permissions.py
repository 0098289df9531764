"""Who may do what. Every staff view goes through these helpers (and the authorization matrix
test walks every /personal/ URL with every role to prove it)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from insyn.accounts.models import Membership, Role


def roles_of(user: Any) -> set[str]:
    """The roles a user holds (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if not hasattr(user, "_insyn_roles"):
        roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
        if user.is_superuser:
            roles.add(Role.ADMIN)
        user._insyn_roles = roles
    return user._insyn_roles


def has_role(user: Any, *roles: str) -> bool:
    held = roles_of(user)
    return Role.ADMIN in held or any(role in held for role in roles)


def organisation_ids(user: Any, *roles: str) -> set[int]:
    """Organisations the user acts for in any of the given roles."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(
        Membership.objects.filter(user=user, role__in=roles, organisation__isnull=False)
        .values_list("organisation_id", flat=True)
    )


def role_required(*roles: str) -> Callable:
    """View decorator: login required, then one of the roles (administrators pass always)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied("Du saknar behörighet för den här sidan.")
            return view(request, *args, **kwargs)

        wrapper.insyn_roles = roles  # read by the authorization matrix test
        return wrapper

    return decorator
