"""Who may do what. Every staff view goes through these helpers (and the authorization matrix
test walks every /personal/ URL with every role to prove it).

- `role_required(*roles)`: signed in and holding one of the roles (administrators always pass).
  Sets `view.insyn_roles`, which tests/test_authz_matrix.py reads.
- `login_required_view`: any signed-in user (own account pages under /konto/); sets
  `insyn_roles = ()`.
- `public_view`: deliberately open (the login page); sets `insyn_public = True`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from insyn.accounts.models import Membership, Role

STAFF_ROLES = tuple(Role.values)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


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
    """Organisations the user acts for in any of the given roles (cached per request)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cache = user.__dict__.setdefault("_insyn_org_ids", {})
    key = tuple(sorted(roles))
    if key not in cache:
        cache[key] = set(
            Membership.objects.filter(
                user=user, role__in=roles, organisation__isnull=False
            ).values_list("organisation_id", flat=True)
        )
    return cache[key]


def role_required(*roles: str, write_roles: tuple[str, ...] | None = None) -> Callable:
    """View decorator: login required, then one of the roles (administrators pass always).

    With `write_roles`, unsafe methods (POST, PUT, ...) need one of those roles instead, so a
    reader can see a page whose form only a compiler may submit.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied(_("Du saknar behörighet för den här sidan."))
            if (
                write_roles is not None
                and request.method not in SAFE_METHODS
                and not has_role(request.user, *write_roles)
            ):
                raise PermissionDenied(_("Du får läsa men inte ändra här."))
            return view(request, *args, **kwargs)

        wrapper.insyn_roles = roles  # read by the authorization matrix test
        wrapper.insyn_write_roles = roles if write_roles is None else write_roles
        return wrapper

    return decorator


def login_required_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Any signed-in user (their own account pages)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapper.insyn_roles = ()
    return wrapper


def public_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Marks a view under /konto/ as deliberately open to everyone (e.g. the login page)."""
    view.insyn_public = True
    return view
