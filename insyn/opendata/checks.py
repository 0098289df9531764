"""`insyn check --deploy`: warn when the open-data catalogue lacks what DCAT-AP-SE requires
(publisher, contact point, licence); the catalogue leaves out what is missing meanwhile."""

from __future__ import annotations

from typing import Any

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError


@register(Tags.compatibility, deploy=True)
def catalogue_configuration(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    from insyn.opendata import catalogue

    try:
        problems = list(catalogue.problems())
    except DatabaseError:  # before migrate: nothing to say yet
        return []
    return [
        Warning(
            message,
            hint="Katalogen utelämnar uppgiften tills den är inställd (se docs/deployment.md).",
            id=f"insyn.opendata.{code}",
        )
        for code, message in problems
    ]
