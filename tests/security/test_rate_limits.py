"""Every public POST is rate-limited per client, proven for every URL the site has.

How it works
------------
``get_resolver()`` is walked (the same walk as tests/test_authz_matrix.py). Every URL pattern
outside ``/personal/``, ``/admin/`` and ``/api/`` is a *public* URL. Each one is first probed
with a single POST:

* ``405`` → the view refuses POST (``require_GET``/``require_safe``): nothing more to prove.
* anything else → the view accepts POST, and the URL name MUST have an entry in
  ``PUBLIC_POSTS`` below, or this test fails. A URL with parameters that is not registered is
  probed with placeholder values; if it does not answer 405 it fails too (register it, or
  decorate a read-only view with ``require_GET``).

For a registered URL the test then POSTs, from one client address (``REMOTE_ADDR``), until the
site refuses — status 429, or a page saying "För många …" — and fails if it has not refused
after ``MAX_POSTS`` requests. A POST from another address right after must not be refused: the
limit is per client, not a switch that closes the form for everyone.

Registering your URL (do this when you add a public view that accepts POST)
-----------------------------------------------------------------------------
Add an entry keyed by the namespaced URL name::

    PUBLIC_POSTS["dialogue:petition"] = Post(
        kwargs=lambda s: {"pk": s.dialogue.pk},           # URL kwargs from the Site fixture
        data=lambda s, n: {"text": f"Namn {n}"},          # optional POST body (n = attempt)
        sign_in=resident)                                 # optional: who is signed in

``s`` is the ``Site`` of tests/security/conftest.py (a published period and goal, a published
dialogue with survey, discussion, post, budget, proposal and meeting, a resident, subscription
tokens, a published fault report with its tracking token, a staff user). Add what your view needs
there. An empty body is fine for most forms: the limit is counted before the form is validated.

``Post(exempt="why")`` declares a POST that needs no limit; say why in words a reviewer can
check (it stores nothing, or it is a read-only page that answers POST like GET). ``Post(
api_key=True)`` drives an Open311-style endpoint whose limit is per API key.
"""

from __future__ import annotations

import ipaddress
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from insyn.feedback import services as feedback_services
from tests.dialogue.factories import ParticipantFactory
from tests.factories import UserFactory
from tests.security.conftest import Site, sign_in_resident
from tests.test_authz_matrix import walk

pytestmark = pytest.mark.django_db

NOT_PUBLIC = ("personal/", "admin/", "api/")
MAX_POSTS = 80  # above every limit the site sets (the highest today is 30 per window)


def _notice_token() -> str:
    from insyn.core import notices

    return notices.settings_url("granne@example.org").rstrip("/").rsplit("/", 1)[-1]


PLACEHOLDERS = {"int": 987654, "uuid": "00000000-0000-0000-0000-000000000007"}
PLACEHOLDERS_BY_NAME = {"fmt": "json"}  # so that a format check does not answer 404 first
_addresses = (str(ipaddress.ip_address("198.18.0.1") + n) for n in itertools.count())


def resident(client: Client, s: Site, who: int = 0) -> None:
    """A signed-in resident; ``who`` = 1 is another person (limits may be per person)."""
    sign_in_resident(client, s.participant if who == 0 else ParticipantFactory())


def staff(client: Client, s: Site, who: int = 0) -> None:
    client.force_login(s.staff if who == 0 else UserFactory(username=f"annan-{who}"))


def staff_with_device(client: Client, s: Site, who: int = 0) -> None:
    """Signed in with a password, an authenticator app set up, the code not yet given."""
    user = s.staff if who == 0 else UserFactory(username=f"annan-{who}")
    TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "test"})
    client.force_login(user)


def _no_data(s: Site, n: int) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Post:
    kwargs: Callable[[Site], dict[str, Any]] = lambda s: {}
    data: Callable[[Site, int], dict[str, Any]] = _no_data
    sign_in: Callable[..., None] | None = None
    exempt: str = ""
    api_key: bool = False


def _dialogue(s: Site) -> dict[str, Any]:
    return {"pk": s.dialogue.pk}


PUBLIC_POSTS: dict[str, Post] = {
    # Staff and resident sign-in, the account pages.
    "accounts:login": Post(data=lambda s, n: {"username": f"gissning{n}", "password": "x"}),
    "accounts:logout": Post(exempt="ends the visitor's own session; stores nothing"),
    "accounts:password_change": Post(
        sign_in=staff,
        data=lambda s, n: {"old_password": f"fel{n}", "new_password1": "a", "new_password2": "a"},
    ),
    "accounts:otp_setup": Post(sign_in=staff, data=lambda s, n: {"token": "000000"}),
    "accounts:otp_verify": Post(sign_in=staff_with_device, data=lambda s, n: {"token": "000000"}),
    "set_language": Post(exempt="sets the visitor's own language cookie; stores nothing"),
    # Resident dialogue.
    "dialogue:index": Post(exempt="read-only list: a POST is answered like a GET"),
    "dialogue:detail": Post(
        kwargs=_dialogue, exempt="read-only page: a POST is answered like a GET"
    ),
    "dialogue:subscribe": Post(kwargs=_dialogue),
    "dialogue:subscription_confirm": Post(kwargs=lambda s: {"token": s.subscribe_token}),
    "dialogue:unsubscribe": Post(kwargs=lambda s: {"token": s.unsubscribe_token}),
    "dialogue:survey": Post(kwargs=lambda s: {"pk": s.dialogue.pk, "survey_pk": s.survey.pk}),
    "dialogue:survey_thanks": Post(
        kwargs=lambda s: {"pk": s.dialogue.pk, "survey_pk": s.survey.pk},
        exempt="read-only page: a POST is answered like a GET",
    ),
    "dialogue:discussion": Post(
        kwargs=lambda s: {"pk": s.dialogue.pk, "discussion_pk": s.discussion.pk}
    ),
    "dialogue:post_report": Post(
        kwargs=lambda s: {
            "pk": s.dialogue.pk,
            "discussion_pk": s.discussion.pk,
            "post_pk": s.post.pk,
        }
    ),
    "dialogue:budget": Post(kwargs=lambda s: {"pk": s.dialogue.pk, "budget_pk": s.budget.pk}),
    "dialogue:vote": Post(kwargs=lambda s: {"pk": s.dialogue.pk, "budget_pk": s.budget.pk}),
    "dialogue:proposal": Post(
        kwargs=lambda s: {
            "pk": s.dialogue.pk,
            "budget_pk": s.budget.pk,
            "proposal_pk": s.proposal.pk,
        },
        exempt="read-only page: a POST is answered like a GET",
    ),
    "dialogue:proposal_report": Post(
        kwargs=lambda s: {
            "pk": s.dialogue.pk,
            "budget_pk": s.budget.pk,
            "proposal_pk": s.proposal.pk,
        }
    ),
    "dialogue:meeting": Post(kwargs=lambda s: {"pk": s.dialogue.pk, "meeting_pk": s.meeting.pk}),
    "dialogue:login": Post(data=lambda s, n: {"email": f"invanare{n}@example.org"}),
    "dialogue:login_confirm": Post(kwargs=lambda s: {"token": s.login_token}),
    "dialogue:logout": Post(exempt="ends the resident's own session; stores nothing"),
    "dialogue:me": Post(sign_in=resident),
    "dialogue:me_export": Post(
        sign_in=resident, exempt="read-only download: a POST is answered like a GET"
    ),
    "dialogue:me_delete": Post(sign_in=resident),
    "dialogue:eid_start": Post(exempt="a redirect to the e-ID broker (404 when none is set)"),
    "dialogue:eid_callback": Post(
        exempt="checks the broker's state against the session; stores nothing otherwise"
    ),
    # Feedback and fault reports.
    "feedback:fault_submit": Post(),
    "feedback:give": Post(),
    "feedback:follow": Post(kwargs=lambda s: {"number": s.case.number}),
    "feedback:reopen": Post(kwargs=lambda s: {"token": s.tracking_token}),
    "feedback:fixed": Post(kwargs=lambda s: {"token": s.tracking_token}),
    "notice_settings": Post(
        kwargs=lambda s: {"token": _notice_token()}, data=lambda s, n: {"frequency": "daily"}
    ),
    "feedback:unfollow": Post(kwargs=lambda s: {"token": s.tracking_token}),
    # Area alerts: subscribing (any address), confirming and unsubscribing by a link's token.
    "feedback:alert_subscribe": Post(
        data=lambda s, n: {"email": f"bevakare{n}@example.org", "radie": 500}
    ),
    "feedback:alert_confirm": Post(),
    "feedback:alert_unsubscribe": Post(),
    # Following a goal: asking (any address), confirming and stopping by a link's token.
    "public:goal_follow": Post(
        kwargs=lambda s: {"year": s.goal.plan.year, "number": s.goal.number},
        data=lambda s, n: {"email": f"foljare{n}@example.org", "frequency": "daily"},
    ),
    "public:goal_follow_confirm": Post(),
    "public:goal_unfollow": Post(),
    # Open311: POSTs need an API key and are limited per key (GETs per address).
    "open311:requests": Post(kwargs=lambda s: {"fmt": "json"}, api_key=True),
    "open311:updates": Post(kwargs=lambda s: {"fmt": "json"}, api_key=True),
    # Published exports and indicator pages.
    "goals_export:period": Post(
        kwargs=lambda s: {"period_id": s.period.pk, "fmt": "csv"},
        exempt="read-only download: a POST is answered like a GET",
    ),
    "indicators:index": Post(exempt="read-only page: a POST is answered like a GET"),
    "indicators:budget": Post(exempt="read-only page: a POST is answered like a GET"),
    "indicators:detail": Post(
        kwargs=lambda s: {"pk": 987654}, exempt="read-only page: a POST is answered like a GET"
    ),
}


def public_routes() -> list[Any]:
    return [r for r in walk(get_resolver().url_patterns) if not r.route.startswith(NOT_PUBLIC)]


def _url(route: Any, kwargs: dict[str, Any]) -> str:
    if not route.params:
        return reverse(route.name)
    values = {
        name: PLACEHOLDERS_BY_NAME.get(name, PLACEHOLDERS.get(kind, "x"))
        for name, kind in route.params.items()
    }
    values.update(kwargs)
    return reverse(route.name, kwargs=values)


def refused(response: Any) -> bool:
    if response.status_code == 429:
        return True
    text = response.content.decode(errors="replace").lower()
    return "för många" in text


def client_from(address: str, site: Site, entry: Post, who: int = 0) -> Client:
    client = Client(REMOTE_ADDR=address)
    if entry.sign_in is not None:
        entry.sign_in(client, site, who)
    return client


def test_the_walk_finds_the_public_forms():
    names = {r.name for r in public_routes()}
    for name in (
        "feedback:fault_submit",
        "feedback:give",
        "dialogue:survey",
        "dialogue:vote",
        "dialogue:subscribe",
        "dialogue:login",
        "accounts:login",
        "set_language",
    ):
        assert name in names, name
    assert not any(r.route.startswith(NOT_PUBLIC) for r in public_routes())


def test_every_public_view_that_accepts_post_is_registered(site):
    """A public view that accepts POST and is not in PUBLIC_POSTS fails here, by name."""
    problems = []
    for route in public_routes():
        if route.name in PUBLIC_POSTS:
            continue
        if route.name is None:
            problems.append(f"/{route.route}: unnamed URL (cannot be registered)")
            continue
        try:
            url = _url(route, {})
        except NoReverseMatch as exc:
            problems.append(f"{route.name}: placeholders do not fit ({exc}); register it")
            continue
        response = Client(REMOTE_ADDR=next(_addresses)).post(url, {})
        if response.status_code == 302 and response["Location"].startswith(settings.LOGIN_URL):
            # Behind a sign-in: ask again as a signed-in member of staff.
            signed_in = Client(REMOTE_ADDR=next(_addresses))
            staff(signed_in, site)
            response = signed_in.post(url, {})
        if response.status_code != 405:
            problems.append(
                f"{route.name} (/{route.route}) accepts POST (answered {response.status_code})"
                " but has no entry in PUBLIC_POSTS: register its kwargs so its rate limit is"
                " proven, or make it GET-only"
            )
    stale = set(PUBLIC_POSTS) - {r.name for r in public_routes()}
    problems += [f"{name}: registered but no such public URL" for name in sorted(stale)]
    assert not problems, "\n".join(problems)


def _limited_entries() -> list[str]:
    return sorted(name for name, entry in PUBLIC_POSTS.items() if not entry.exempt)


@pytest.mark.parametrize("name", _limited_entries())
def test_public_post_is_rate_limited_per_client(site, name):
    entry = PUBLIC_POSTS[name]
    route = next(r for r in public_routes() if r.name == name)
    url = _url(route, entry.kwargs(site))
    if entry.api_key:
        _prove_api_key_limit(site, url)
        return
    address = next(_addresses)
    client = client_from(address, site, entry)
    statuses = []
    for n in range(MAX_POSTS):
        response = client.post(url, entry.data(site, n))
        assert response.status_code < 500, f"{name}: POST {n + 1} answered {response.status_code}"
        statuses.append(response.status_code)
        if refused(response):
            break
    else:
        pytest.fail(
            f"{name} ({url}): {MAX_POSTS} POSTs from {address} and never refused "
            f"(statuses {sorted(set(statuses))}): no rate limit"
        )
    assert len(statuses) > 1, f"{name}: the very first POST was refused"
    if response.status_code != 429:
        assert "för många" in response.content.decode().lower()
    other = client_from(next(_addresses), site, entry, who=1)
    fresh = other.post(url, entry.data(site, MAX_POSTS + 1))
    assert not refused(fresh), f"{name}: another client was refused too (not per client)"


def _prove_api_key_limit(site: Site, url: str) -> None:
    _key, raw = feedback_services.issue_api_key(name="Testsystem", rate_per_minute=3)
    client = Client(REMOTE_ADDR=next(_addresses))
    without = client.post(url, {"service_code": site.category.code})
    assert without.status_code == 403, "a POST without an API key must be refused"
    answers = [
        client.post(url, {"api_key": raw, "service_code": site.category.code}).status_code
        for _ in range(6)
    ]
    assert 429 in answers, f"{url}: six POSTs with a key limited to 3/min: {answers}"
    assert all(status < 500 for status in answers), answers
    _other_key, other_raw = feedback_services.issue_api_key(name="Annat system")
    fresh = client.post(url, {"api_key": other_raw, "service_code": site.category.code})
    assert fresh.status_code != 429, "another key must not share the first key's limit"


@pytest.mark.parametrize("name", sorted(n for n, e in PUBLIC_POSTS.items() if e.exempt))
def test_exempt_posts_answer_without_error(site, name):
    """The exemptions are still reachable and never fail with a server error."""
    entry = PUBLIC_POSTS[name]
    route = next(r for r in public_routes() if r.name == name)
    client = client_from(next(_addresses), site, entry)
    response = client.post(_url(route, entry.kwargs(site)), entry.data(site, 0))
    assert response.status_code < 500


def test_behind_a_proxy_each_forwarded_client_has_its_own_limit(site, settings):
    """With BEHIND_PROXY every request comes from the proxy's address; the limit must still be
    per resident (the last X-Forwarded-For entry, which the proxy appends), and entries the
    client wrote itself before that must not let it escape the limit."""
    from insyn.settings import rate_limit_client_ip

    settings.RATELIMIT_IP_META_KEY = rate_limit_client_ip
    settings.FEEDBACK_SUBMIT_RATE = "3/h"
    proxy = "10.0.0.2"
    url = reverse("feedback:give")

    def post(forwarded: str) -> Any:
        return Client(REMOTE_ADDR=proxy, headers={"x-forwarded-for": forwarded}).post(url, {})

    answers = [post("203.0.113.5").status_code for _ in range(3)]
    assert 429 not in answers
    assert post("203.0.113.5").status_code == 429
    assert post("198.51.100.1, 203.0.113.5").status_code == 429, "a spoofed first entry escapes"
    assert post("203.0.113.6").status_code != 429, "another resident behind the same proxy"
    # A header that is not an address falls back to REMOTE_ADDR instead of failing.
    assert post("unknown").status_code < 500
