"""Hostile form posts and hostile path arguments on every view of the URL configuration, as
anonymous, as a signed-in resident and as a staff member holding every role but admin: never a
5xx, and a view that refuses every hostile post changes nothing (issue 12, "Make it stay fixed").

The fields come from the forms the views render: each page with path arguments filled from the
small site of tests/security/conftest.py is fetched, and the names of the inputs, selects and
textareas of its POST forms are posted back with each hostile value (every field at once, and
every field twice as an array), plus the parameters of FUZZ_PARAMS that views read from
request.POST directly. The honeypot stays empty and rate limits are off, so the values reach
the forms instead of the bot defences. Row counts of every Insyn model are compared before and
after a view's posts when all of them were refused (4xx).

Path arguments: every route with arguments is also fetched with hostile values in them
(integers past 64 bits, non-ASCII digits, NUL, long strings).
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import NoReverseMatch, get_resolver, reverse

from insyn.accounts.models import Role
from tests.factories import MembershipFactory, UserFactory
from tests.security.conftest import sign_in_resident
from tests.security.test_fuzz import FUZZ_PARAMS
from tests.test_authz_matrix import walk

pytestmark = pytest.mark.django_db

HOSTILE_POST = [
    "²",
    "99999999999999999999999999",
    "-1.5e308",
    "\x00",
    "x" * 10_000,
    "2024-02-30T25:61",
]
HOSTILE_PATH = {
    "int": ["99999999999999999999999999", "0"],
    "str": ["99999999999999999999999999", "²", "%00", "x" * 500, "-1"],
    "slug": ["x" * 500, "-1"],
    "uuid": ["00000000-0000-0000-0000-000000000000"],
    "path": ["%00", "x" * 500],
}
SKIP_PREFIXES = ("admin/", "static/", "media/", "__debug__/", "i18n/")
SKIP_PARTS = ("logga-ut",)  # would end the session for the rest of the loop
HONEYPOTS = {"webbplats"}


class FormFields(HTMLParser):
    """Names of the fields of the page's POST forms."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: set[str] = set()
        self._in_post = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self._in_post = (a.get("method") or "").lower() == "post"
        elif self._in_post and tag in ("input", "select", "textarea", "button") and a.get("name"):
            self.fields.add(a["name"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_post = False


def _kwargs(route: Any, site: Any) -> dict[str, Any] | None:
    """Path arguments from the site's objects, by the argument's and the view's name."""
    name = route.name or ""
    by_name = {
        "survey_pk": site.survey.pk,
        "discussion_pk": site.discussion.pk,
        "post_pk": site.post.pk,
        "budget_pk": site.budget.pk,
        "proposal_pk": site.proposal.pk,
        "meeting_pk": site.meeting.pk,
        "number": site.case.number,
        "period_id": site.period.pk,
        "goal_id": site.goal.pk,
        "year": site.period.plan.year,
        "slug": site.organisation.slug,
        "fmt": "csv",
        "action": "godkann",
    }
    pk_of = [
        ("survey", site.survey),
        ("discussion", site.discussion),
        ("post", site.post),
        ("budget", site.budget),
        ("proposal", site.proposal),
        ("meeting", site.meeting),
        ("dialogue", site.dialogue),
        ("period", site.period),
        ("assignment", site.goal.assignments.first()),
    ]
    kwargs: dict[str, Any] = {}
    for param in route.params:
        if param in by_name:
            kwargs[param] = by_name[param]
        elif param == "token":
            kwargs[param] = (
                site.tracking_token if name.startswith("feedback:") else site.login_token
            )
        elif param in ("pk", "assignment_id", "report_id"):
            obj = next((o for key, o in pk_of if key in name), site.dialogue)
            kwargs[param] = obj.pk if obj is not None else 1
        else:
            kwargs[param] = {"int": 1, "uuid": "00000000-0000-0000-0000-000000000000"}.get(
                route.params[param], "x"
            )
    return kwargs


def _routes() -> list[Any]:
    return [
        r
        for r in walk(get_resolver().url_patterns)
        if r.name
        and not r.route.startswith(SKIP_PREFIXES)
        and not any(part in r.route for part in SKIP_PARTS)
        and "(?P" not in r.route
    ]


def _counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m.__module__.startswith("insyn.") and not m._meta.label.startswith("core.Outgoing")
    }


def _client(who: str, site: Any) -> Client:
    client = Client(raise_request_exception=False)
    if who == "resident":
        sign_in_resident(client, site.participant)
    elif who == "staff":
        user = UserFactory(username="fuzz-post-alla-roller")
        for role in Role.values:
            if role != Role.ADMIN:
                MembershipFactory(role=role, organisation=None, user=user)
        client.force_login(user)
    return client


def _failed(url: str, status: int) -> bool:
    return status >= 500 and not (url.startswith("/health/ready/") and status == 503)


@pytest.mark.parametrize("who", ["anonymous", "resident", "staff"])
def test_no_view_fails_on_hostile_form_posts(site, settings, who):
    settings.RATELIMIT_ENABLE = False
    client = _client(who, site)
    failures: list[str] = []
    changed: list[str] = []
    for route in _routes():
        try:
            url = reverse(route.name, kwargs=_kwargs(route, site) or None)
        except NoReverseMatch:
            continue
        page = client.get(url)
        if _failed(url, page.status_code):
            failures.append(f"GET {url}: {page.status_code}")
            continue
        parser = FormFields()
        if "text/html" in page.get("Content-Type", ""):
            parser.feed(page.content.decode("utf-8", errors="replace"))
        fields = sorted((parser.fields | FUZZ_PARAMS) - HONEYPOTS - {"csrfmiddlewaretoken"})
        before = _counts()
        statuses = []
        for value in HOSTILE_POST:
            data = {name: value for name in fields}
            data.update(dict.fromkeys(HONEYPOTS, ""))
            response = client.post(url, data)
            statuses.append(response.status_code)
            if _failed(url, response.status_code):
                failures.append(f"POST {url} {value[:12]!r}: {response.status_code}")
        arrays = {name: ["1", "²"] for name in fields}
        arrays.update(dict.fromkeys(HONEYPOTS, ""))
        response = client.post(url, arrays)
        statuses.append(response.status_code)
        if _failed(url, response.status_code):
            failures.append(f"POST {url} arrays: {response.status_code}")
        if all(400 <= s < 500 for s in statuses):
            after = _counts()
            diff = {k: (before[k], after[k]) for k in before if before[k] != after.get(k)}
            if diff:
                changed.append(f"POST {url} was refused but changed {diff}")
    assert failures == [], "\n".join(failures)
    assert changed == [], "\n".join(changed)


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_no_object_page_fails_on_hostile_path_arguments(site, who):
    client = _client(who, site)
    failures = []
    for route in _routes():
        if not route.params:
            continue
        good = _kwargs(route, site)
        for param, kind in route.params.items():
            for value in HOSTILE_PATH.get(kind, HOSTILE_PATH["str"]):
                kwargs = {**good, param: value}
                try:
                    url = reverse(route.name, kwargs=kwargs)
                except NoReverseMatch:
                    continue
                response = client.get(url)
                if _failed(url, response.status_code):
                    failures.append(f"GET {url[:120]}: {response.status_code}")
    assert failures == [], "\n".join(failures)
