"""CSRF is enforced on every POST form: generated from the URL configuration.

* No view anywhere is ``csrf_exempt`` except the machine APIs listed in ``CSRF_EXEMPT`` (with the
  reason each is safe without a CSRF token).
* Every public POST of tests/security/test_rate_limits.py's registry is refused with 403 by a
  client that enforces CSRF checks and sends no token (signed in where the form needs it).
* For the main public forms, the same valid submission that a CSRF-less request cannot make is
  accepted with the token from the form page, and nothing is saved by the refused one.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from insyn.accounts.models import Role
from insyn.dialogue.models import Post as DiscussionPost
from insyn.dialogue.models import Subscription
from insyn.feedback.models import Case, Kind
from tests.factories import MembershipFactory, UserFactory
from tests.feedback.factories import CategoryFactory, RoutingRuleFactory
from tests.security.conftest import Site
from tests.security.test_rate_limits import PUBLIC_POSTS, _url, client_from, public_routes
from tests.test_authz_matrix import walk

pytestmark = pytest.mark.django_db

CSRF_EXEMPT = {
    "open311:": "Open311 GeoReport v2: POSTs authenticate with an api_key parameter, never a "
    "cookie, so a forged cross-site request has no authority",
    "api:": "the read-only open-data API: no cookies, GET only (POST gets 405)",
    "set_language": "the language switch: a forged request can only change the visitor's own "
    "language (no data, no account); without a token on every page, public pages can be cached "
    "(insyn.core.public_cache)",
}


def test_no_view_is_csrf_exempt_except_the_machine_apis():
    problems = []
    for route in walk(get_resolver().url_patterns):
        if not getattr(route.view, "csrf_exempt", False):
            continue
        if route.route.startswith("admin/"):
            continue  # Django's own admin: its views are not exempt (checked below)
        if not any((route.name or "").startswith(prefix) for prefix in CSRF_EXEMPT):
            problems.append(f"/{route.route} ({route.name}) is csrf_exempt")
    assert not problems, "\n".join(problems)
    admin_login = next(r for r in walk(get_resolver().url_patterns) if r.route == "admin/login/")
    assert not getattr(admin_login.view, "csrf_exempt", False)


def test_the_read_only_api_refuses_post(client):
    response = client.post("/api/v1/plans")
    assert response.status_code == 405


@pytest.mark.parametrize(
    "name",
    sorted(n for n, e in PUBLIC_POSTS.items() if not e.api_key and n not in CSRF_EXEMPT),
)
def test_public_post_without_token_is_refused(site, name):
    entry = PUBLIC_POSTS[name]
    route = next(r for r in public_routes() if r.name == name)
    client = client_from("198.51.100.200", site, entry)
    client.handler.enforce_csrf_checks = True
    response = client.post(_url(route, entry.kwargs(site)), entry.data(site, 0))
    assert response.status_code == 403, f"{name}: {response.status_code} without a CSRF token"
    assert "CSRF" in response.content.decode()


def _token(client: Client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, url
    return client.cookies["csrftoken"].value


@pytest.fixture
def idea_category(site: Site) -> Any:
    category = CategoryFactory(code="ovrigt", name="Övrigt", fault_reports=False, feedback=True)
    RoutingRuleFactory(category=category, organisation=site.organisation)
    return category


def _forms(site: Site, idea: Any) -> list[tuple[str, str, dict[str, Any], Any]]:
    """(form page, POST url, valid data, a count that a successful POST raises)."""
    dialogue, discussion = site.dialogue, site.discussion
    return [
        (
            "/synpunkter/lamna/",
            reverse("feedback:give"),
            {"kind": Kind.IDEA, "category": idea.pk, "description": "Fler bänkar vid ån."},
            lambda: Case.objects.count(),
        ),
        (
            f"/synpunkter/felanmalan/?category={site.category.pk}&address_text=Torget",
            reverse("feedback:fault_submit"),
            {
                "category": site.category.pk,
                "address_text": "Torget",
                "description": "Släckt.",
                "antal": "1",
            },
            lambda: Case.objects.count(),
        ),
        (
            dialogue.get_absolute_url(),
            reverse("dialogue:subscribe", args=[dialogue.pk]),
            {"email": "ny@example.org"},
            lambda: Subscription.objects.count(),
        ),
        (
            reverse("dialogue:discussion", args=[dialogue.pk, discussion.pk]),
            reverse("dialogue:discussion", args=[dialogue.pk, discussion.pk]),
            {"body": "Jag håller med om bänkarna."},
            lambda: DiscussionPost.objects.count(),
        ),
    ]


def test_forged_submissions_save_nothing_and_real_ones_work(site, idea_category):
    for page, url, data, count in _forms(site, idea_category):
        strict = Client(enforce_csrf_checks=True, REMOTE_ADDR="198.51.100.201")
        before = count()
        forged = strict.post(url, data)
        assert forged.status_code == 403, url
        assert count() == before, f"{url}: a forged POST saved something"
        token = _token(strict, page)
        real = strict.post(url, {**data, "csrfmiddlewaretoken": token})
        assert real.status_code == 302, (url, real.status_code, real.content.decode()[-1500:])
        assert count() == before + 1, url


def test_staff_forms_enforce_csrf_too(site):
    compiler = MembershipFactory(
        role=Role.COMPILER, organisation=None, user=UserFactory(username="sammanstallare-csrf")
    ).user
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(compiler)
    response = strict.post("/personal/uppfoljning/perioder/ny/", {"label": "Falsk"})
    assert response.status_code == 403
    response = strict.post("/konto/logga-ut/")
    assert response.status_code == 403, "even signing out needs the token (no forced logout)"


def test_the_login_form_enforces_csrf(site):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/konto/logga-in/", {"username": site.staff.username, "password": "lösenord-för-test"}
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in strict.session
