from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from insyn.organisations.selectors import current_municipality


def site(request: HttpRequest) -> dict[str, Any]:
    """The municipality's identity for every template (one cached query)."""
    return {"municipality": current_municipality()}
