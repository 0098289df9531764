"""The one behaviour of object access, used by every app's `access.py`.

A staff view or an API fetches an object with `access_<thing>(user, id, *, write=False)` from
its app's `access.py`; those helpers decide *who* may see and change the thing and call `grant`
here, which decides *how* a refusal looks — the same everywhere:

- **404** for what the person may not know exists (it does not exist, or they may not see it):
  the answer does not reveal that the object is there;
- **403** for what they may see but not change (`write=True` and they may only read).

Example (insyn/goals/access.py):

    def access_report(user, report_id, *, write=False):
        report = fetch(Report.objects.select_related("period"), pk=report_id)
        return grant(report, see=can_see_report(user, report),
                     change=lambda: can_edit_report(user, report), write=write)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

__all__ = ["fetch", "grant"]


def fetch[M: Model](queryset: QuerySet[M] | type[M], **lookup: Any) -> M:
    """The one object the lookup names, or 404 (also for a malformed id)."""
    qs = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    try:
        return qs.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None


def grant[M: Model](
    obj: M,
    *,
    see: bool | Callable[[], bool] = True,
    change: bool | Callable[[], bool] = True,
    write: bool = False,
    refusal: str = "",
) -> M:
    """`obj` if the person may see it (and, with `write`, change it): else 404 when they may
    not see it, 403 when they may see but not change it. `see`/`change` may be callables so a
    costly check runs only when needed."""
    if not (see() if callable(see) else see):
        raise Http404
    if write and not (change() if callable(change) else change):
        raise PermissionDenied(refusal or _("Du får se men inte ändra det här."))
    return obj
