from __future__ import annotations

import logging

from django.contrib import messages
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_ratelimit.core import is_ratelimited

logger = logging.getLogger("insyn.health")


@require_GET
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """Liveness, for load balancers: 200 when the database answers, 503 when it does not.

    The body never says why (no host, port or error text): that goes to the log."""
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("health: the database does not answer")
        return JsonResponse({"status": "error", "database": "error"}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


def _database_ok() -> bool:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() is not None


def _cache_ok() -> bool:
    from insyn.core.cache import ping

    ping()
    return True


def _migrations_ok() -> bool:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    return not executor.migration_plan(executor.loader.graph.leaf_nodes())


@require_GET
@never_cache
def ready(request: HttpRequest) -> JsonResponse:
    """Readiness: the database answers, the cache stores and returns a value, and every
    migration this code knows is applied. 503 with which check failed (ok/error, nothing more)."""
    results = {}
    for name, probe in (
        ("database", _database_ok),
        ("cache", _cache_ok),
        ("migrations", _migrations_ok),
    ):
        try:
            results[name] = "ok" if probe() else "error"
        except Exception:
            logger.exception("health/ready: the %s check failed", name)
            results[name] = "error"
    ok = all(value == "ok" for value in results.values())
    return JsonResponse({"status": "ok" if ok else "error", **results}, status=200 if ok else 503)


# --- Error pages in the site's design (handler400/403/404/500 in insyn.urls) -------------------
# Ratelimited (django-ratelimit) is a PermissionDenied: it is answered as 429 with when to try
# again. The 500 page renders without the request context (the database may be what failed).

RETRY_AFTER_SECONDS = 300


def _error(request, template: str, status: int, **context) -> HttpResponse:
    response = render(request, template, context, status=status)
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    from django_ratelimit.exceptions import Ratelimited

    if isinstance(exception, Ratelimited):
        return too_many_requests(request)
    return _error(request, "403.html", 403)


def too_many_requests(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    response = _error(request, "429.html", 429, retry_minutes=RETRY_AFTER_SECONDS // 60)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    from django.template import loader

    try:
        html = loader.get_template("500.html").render({"request": request})
    except Exception:  # the page itself must never fail
        html = "<!doctype html><title>500</title><h1>Något gick fel hos oss</h1>"
    return HttpResponse(html, status=500)


@never_cache
def notice_settings(request: HttpRequest, token: str) -> HttpResponse:
    """A recipient chooses immediate, daily or weekly notices through the signed link in every
    notice (no account). Personal (the address): never cached; POSTs are rate-limited."""
    from insyn.core import notices
    from insyn.core.errors import ServiceError, add_to_form
    from insyn.core.forms import NoticeFrequencyForm

    email = notices.email_from_token(token)
    if email is None:
        return render(
            request,
            "core/bad_request.html",
            {"message": _("Länken är inte giltig. Använd länken i det senaste e-brevet.")},
            status=400,
        )
    if request.method == "POST" and is_ratelimited(
        request, group="core.notice_settings", key="ip", rate="20/m", method="POST", increment=True
    ):
        return render(request, "429.html", status=429)
    form = NoticeFrequencyForm(
        request.POST or None, initial={"frequency": notices.frequency_of(email)}
    )
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data.get("website"):
            return redirect(request.path)  # a robot filled in the honeypot: nothing saved
        try:
            notices.set_frequency(email=email, frequency=form.cleaned_data["frequency"])
        except ServiceError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Ditt val är sparat."))
            return redirect(request.path)
    return render(
        request,
        "core/notice_settings.html",
        {"form": form, "email": email},
        status=400 if request.method == "POST" else 200,
    )
