from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def staff(request: HttpRequest) -> dict[str, Any]:
    """Who is signed in, their roles, organisations and menu — computed only when a staff
    template uses it (lazy), so public pages cost no query for it."""
    from django.utils.functional import SimpleLazyObject

    from insyn.accounts.selectors import staff_identity

    return {"staff_identity": SimpleLazyObject(lambda: staff_identity(request.user))}
