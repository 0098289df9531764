"""Public views of the goals app: the downloads of a published period's follow-up, mounted at
/export/ (insyn/goals/export_urls.py). The public goal pages themselves are in insyn.public; the
staff pages of the reporting workflow are in staff_views.py.
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from insyn.goals.exports import EXPORT_TYPES, export_response
from insyn.goals.models import FollowUpPeriod


def public_export(request: HttpRequest, period_id: int, fmt: str) -> HttpResponse:
    """Published periods only; anything else is 404 for everyone."""
    period = get_object_or_404(
        FollowUpPeriod.objects.published().select_related("plan"), pk=period_id
    )
    if fmt not in EXPORT_TYPES:
        raise Http404
    # A published period changes only through corrections: cache each file per version (a
    # PDF of a large period takes many seconds to lay out).
    version = period.corrections.count() + 1
    stamp = int(period.published_at.timestamp()) if period.published_at else 0
    key = f"insyn:export:{period.pk}:{stamp}:{version}:{fmt}"
    cached = cache.get(key)
    if cached is None:
        response = export_response(request, period, fmt)
        cache.set(key, (response.content, response["Content-Disposition"]), 24 * 3600)
    else:
        response = HttpResponse(cached[0], content_type=EXPORT_TYPES[fmt][0])
        response["Content-Disposition"] = cached[1]
    response["Cache-Control"] = "public, max-age=300"
    return response
