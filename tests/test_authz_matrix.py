"""Authorization matrix: every staff URL × every role × own/foreign organisation objects,
generated from the URL configuration so that a new view cannot be missed.

How it works
------------
* `get_resolver()` is walked; every pattern under ``personal/`` and ``konto/`` and ``api/`` is
  checked (the Django admin has its own staff check and is covered by the OTP tests).
* Who may enter comes from the view itself: ``insyn.accounts.permissions.role_required(...)``
  sets ``view.insyn_roles`` (and ``view.insyn_write_roles`` for POST). Under ``/personal/`` a
  view without ``insyn_roles`` FAILS this test. Under ``/konto/`` a view must have
  ``insyn_roles`` (``()`` = any signed-in user, see ``login_required_view``) or
  ``insyn_public = True`` (``public_view``).
* Roles: anonymous, admin (with a verified second factor), compiler, reporter (of the "own"
  organisation), reporter_foreign (of another organisation), reader, dialogue_officer,
  contact_centre, case_handler (of the "own" organisation's cases), moderator.
* Expectations, per URL and role:
    - anonymous: GET and POST redirect to the login page (or 405 where the method is refused
      before anything else);
    - a role outside ``insyn_roles`` (administrators always pass): GET and POST 403 (or 405);
    - a role inside ``insyn_roles``: GET never 403 and never 5xx;
    - a role inside ``insyn_roles`` but outside ``insyn_write_roles``: POST 403 (or 405);
    - every refused POST leaves the reports exactly as they were;
    - object URLs registered as organisation-scoped: a reporter of another organisation gets
      404 for GET and POST (what a person may not see is as if absent, insyn.core.access),
      and nothing changes.
* API (``/api/``): anonymous GET never 5xx and never shows unpublished text.

Adding your app's object URLs (do this when you add a view with URL parameters)
-------------------------------------------------------------------------------
URL parameters are filled from ``OBJECT_URLS``; a URL with parameters and no entry is still
checked with placeholder values of the right type (so the role guard is proven), but its
own/foreign object access is only proven with an entry. Register a builder:

    OBJECT_URLS["dialogue:survey"] = lambda w: ObjectKwargs(
        own={"pk": make_survey(organisation=w.son).pk},
        foreign={"pk": make_survey(organisation=w.ubn).pk},
        scoped=True)          # True: reporters/officers of other organisations are refused

``w`` is the world from tests/world.py: organisations ``w.son`` (the reporter's own),
``w.ubn`` (foreign), ``w.company``, ``w.ks``; plan, goals, assignments, ``w.period`` (open) and
users. Builders run inside the test's transaction; import your factories inside the lambda or
in a helper function.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from insyn.accounts.models import Role
from insyn.accounts.testing import login_verified
from insyn.goals.models import Report, ReportState
from tests.world import World, make_world, open_period

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "admin",
    "compiler",
    "reporter",
    "reporter_foreign",
    "reader",
    "dialogue_officer",
    "contact_centre",
    "case_handler",
    "moderator",
]
ROLE_OF = {
    "admin": Role.ADMIN,
    "compiler": Role.COMPILER,
    "reporter": Role.REPORTER,
    "reporter_foreign": Role.REPORTER,
    "reader": Role.READER,
    "dialogue_officer": Role.DIALOGUE_OFFICER,
    "contact_centre": Role.CONTACT_CENTRE,
    "case_handler": Role.CASE_HANDLER,
    "moderator": Role.MODERATOR,
}
DRAFT_MARKER = "HEMLIGT-UTKAST-7f3a"
PREFIXES = ("personal/", "konto/", "api/")


@dataclass
class ObjectKwargs:
    own: dict[str, Any]
    foreign: dict[str, Any] | None = None
    scoped: bool = False  # reporters of another organisation must be refused


def _period(w: World, **extra: Any) -> ObjectKwargs:
    return ObjectKwargs(own={"period_id": w.period.pk, **extra})


def _report(w: World) -> ObjectKwargs:
    a3 = w.assignments[2]
    own = Report.objects.get(period=w.period, assignment=a3, organisation=w.son)
    foreign = Report.objects.get(period=w.period, assignment=a3, organisation=w.ubn)
    return ObjectKwargs(own={"report_id": own.pk}, foreign={"report_id": foreign.pk}, scoped=True)


OBJECT_URLS: dict[str, Callable[[World], ObjectKwargs]] = {
    "goals:period": _period,
    "goals:period_open": _period,
    "goals:period_publish": _period,
    "goals:compile_overview": _period,
    "goals:bulk_template": _period,
    "goals:bulk_upload": _period,
    "goals:period_export": lambda w: _period(w, fmt="csv"),
    "goals:compile_assignment": lambda w: _period(w, assignment_id=w.assignments[0].pk),
    "goals:compile_goal": lambda w: _period(w, goal_id=w.goals[0].pk),
    "goals:assignment_history": lambda w: ObjectKwargs(own={"assignment_id": w.assignments[0].pk}),
    "goals:report": _report,
    "goals:report_autosave": _report,
    "goals:report_review": _report,
    "goals:report_history": _report,
}

PLACEHOLDERS = {"int": 987654, "str": "x", "slug": "x", "uuid": uuid.UUID(int=7), "path": "x"}


@dataclass
class Route:
    route: str
    name: str | None
    pattern: URLPattern
    params: dict[str, str]  # name → converter type

    @property
    def view(self) -> Any:
        return self.pattern.callback


def _converter_name(converter: Any) -> str:
    if converter is None:  # a named group of a regular-expression route
        return "str"
    return type(converter).__name__.replace("Converter", "").lower()


def walk(
    patterns: list[Any],
    prefix: str = "",
    namespace: str = "",
    converters: dict[str, Any] | None = None,
) -> Iterator[Route]:
    for item in patterns:
        found = {**(converters or {}), **getattr(item.pattern, "converters", {})}
        if hasattr(item.pattern, "_regex"):  # re_path(): named groups are parameters
            for group in item.pattern.regex.groupindex:
                found.setdefault(group, None)
        if isinstance(item, URLResolver):
            ns = namespace
            if item.namespace:
                ns = f"{namespace}{item.namespace}:"
            yield from walk(item.url_patterns, prefix + str(item.pattern), ns, found)
        elif isinstance(item, URLPattern):
            name = f"{namespace}{item.name}" if item.name else None
            yield Route(
                prefix + str(item.pattern),
                name,
                item,
                {k: _converter_name(v) for k, v in found.items()},
            )


def routes(*prefixes: str) -> list[Route]:
    return [r for r in walk(get_resolver().url_patterns) if r.route.startswith(prefixes)]


def url_for(route: Route, kwargs: dict[str, Any] | None) -> str:
    if not route.params:
        return reverse(route.name)
    values = {name: PLACEHOLDERS.get(kind, "x") for name, kind in route.params.items()}
    values.update(kwargs or {})
    return reverse(route.name, kwargs=values)


@pytest.fixture
def matrix_world(db) -> World:
    world = make_world()
    open_period(world)
    from tests.factories import MembershipFactory, UserFactory

    world.users["case_handler"] = MembershipFactory(
        role=Role.CASE_HANDLER, organisation=world.son, user=UserFactory(username="handler-son")
    ).user
    world.users["moderator"] = MembershipFactory(
        role=Role.MODERATOR, organisation=None, user=UserFactory(username="moderator1")
    ).user
    Report.objects.filter(
        period=world.period,
        assignment=world.assignments[2],
        organisation__in=[world.son, world.ubn],
    ).update(state=ReportState.SUBMITTED, assessment=DRAFT_MARKER)
    return world


def test_it_knows_every_staff_view():
    """A view under /personal/ without role_required, or under /konto/ without a declared
    access level, fails here."""
    problems = []
    for route in routes("personal/"):
        if not getattr(route.view, "insyn_roles", None):
            problems.append(f"/{route.route} ({route.name}): no role_required")
        if route.name is None:
            problems.append(f"/{route.route}: unnamed URL, cannot be tested")
    for route in routes("konto/"):
        if not hasattr(route.view, "insyn_roles") and not getattr(
            route.view, "insyn_public", False
        ):
            if "oidc" in route.route:
                continue  # mozilla-django-oidc's own sign-in endpoints are public by design
            problems.append(f"/{route.route} ({route.name}): neither login nor public declared")
    assert not problems, "\n".join(problems)
    assert any(r.name == "goals:report" for r in routes("personal/"))


def _client_for(client: Any, world: World, role: str) -> Any:
    client.logout()
    if role != "anonymous":
        login_verified(client, world.users[role])
    return client


def _allowed(role: str, roles: tuple[str, ...]) -> bool:
    if role == "anonymous":
        return False
    return role == "admin" or ROLE_OF[role] in roles


def _snapshot() -> list[tuple[Any, ...]]:
    return list(
        Report.objects.order_by("pk").values_list("pk", "state", "status", "assessment", "version")
    )


@pytest.mark.parametrize("role", ROLES)
def test_it_enforces_roles_on_every_staff_url(client, matrix_world, role):
    world = matrix_world
    failures: list[str] = []
    login_url = settings.LOGIN_URL
    for route in routes("personal/", "konto/"):
        view = route.view
        if getattr(view, "insyn_public", False) or "oidc" in route.route:
            continue
        roles = tuple(getattr(view, "insyn_roles", ()) or ())
        write_roles = tuple(getattr(view, "insyn_write_roles", roles) or ())
        login_only = route.route.startswith("konto/") and roles == ()
        builder = OBJECT_URLS.get(route.name)
        objects = builder(world) if builder else ObjectKwargs(own={})
        variants = [("own", objects.own)]
        if objects.foreign is not None:
            variants.append(("foreign", objects.foreign))
        for variant, kwargs in variants:
            url = url_for(route, kwargs)
            where = f"{role} {variant} GET {url} ({route.name})"
            c = _client_for(client, world, role)
            response = c.get(url)
            status = response.status_code
            if role == "anonymous":
                if not (
                    (status == 302 and response["Location"].startswith(login_url)) or status == 405
                ):
                    failures.append(f"{where}: {status}, expected a redirect to log in")
                before = _snapshot()
                post = c.post(url, {})
                if not (
                    (post.status_code == 302 and post["Location"].startswith(login_url))
                    or post.status_code == 405
                ):
                    failures.append(f"{where} POST: {post.status_code}, expected log in")
                if _snapshot() != before:
                    failures.append(f"{where} POST changed data")
                continue
            if login_only:
                if status >= 500 or status == 403:
                    failures.append(f"{where}: {status} for a signed-in user")
                continue
            denied_object = objects.scoped and (
                (role == "reporter_foreign" and variant == "own")
                or (role == "reporter" and variant == "foreign")
            )
            if not _allowed(role, roles):
                if status not in (403, 405):
                    failures.append(f"{where}: {status}, expected 403")
            elif denied_object:
                # insyn.core.access: what a person may not see answers 404, as if absent.
                if status not in (404, 405):
                    failures.append(f"{where}: {status}, expected 404 (other organisation)")
            elif status == 403 or status >= 500:
                failures.append(f"{where}: {status}, expected access")
            may_write = _allowed(role, write_roles)
            if not may_write or denied_object:
                before = _snapshot()
                post = c.post(
                    url,
                    {
                        "status": "completed",
                        "assessment": "Intrång",
                        "version": 1,
                        "action": "approve",
                        "save": "1",
                    },
                )
                # 405: a read-only view refuses every POST before looking at the user.
                # A role without the page is refused first (403); a role with the page
                # gets 404 for an object it may not see (insyn.core.access).
                expected = (404, 405) if denied_object and may_write else (403, 405)
                if post.status_code not in expected:
                    failures.append(f"{where} POST: {post.status_code}, expected {expected}")
                if _snapshot() != before:
                    failures.append(f"{where} POST changed data")
    assert not failures, f"{len(failures)} authorization failures:\n" + "\n".join(failures)


def test_it_never_shows_unpublished_material_through_the_api(client, matrix_world):
    failures = []
    for route in routes("api/"):
        if route.name is None:
            continue
        builder = OBJECT_URLS.get(route.name)
        kwargs = builder(matrix_world).own if builder else None
        try:
            url = url_for(route, kwargs)
        except Exception as exc:  # a route whose placeholders do not fit its regex
            failures.append(f"{route.name}: cannot build a URL ({exc}); register it")
            continue
        response = client.get(url)
        if response.status_code >= 500:
            failures.append(f"GET {url}: {response.status_code}")
        elif DRAFT_MARKER in response.content.decode(errors="replace"):
            failures.append(f"GET {url}: shows unpublished report text")
    assert not failures, "\n".join(failures)
