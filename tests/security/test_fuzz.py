"""Hostile query strings on every page without path arguments, generated from the URL
configuration, as anonymous and as a signed-in staff member with every role but admin: never a
5xx (issue 12, "Make it stay fixed").

The parameter names come from FUZZ_PARAMS; test_every_parameter_a_view_reads_is_fuzzed scans
insyn/ for request.GET/POST reads and fails when a view reads a name that is not listed, so a new
parameter cannot escape the fuzzing. Every hostile value is sent in every parameter at once:
one request per value and page keeps the run short on two cores.
"""

from __future__ import annotations

import pathlib
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from insyn.accounts.models import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

FUZZ_PARAMS = {
    # read with request.GET/POST.get or insyn.core.params
    *[
        "action",
        "api_key",
        "category",
        "dialog",
        "hidden",
        "jurisdiction_id",
        "lage",
        "mal",
        "metod",
        "next",
        "omrade",
        "organisation",
        "phase",
    ],
    *[
        "public_address",
        "public_description",
        "q",
        "bbox",
        "zoom",
        "radie",
        "reason",
        "state",
        "status",
        "svar",
        "typ",
        "username",
    ],
    *[
        "ar",
        "end",
        "limit",
        "mal",
        "offset",
        "period",
        "start",
        "uppdrag",
        "year",
        "sida",
        "page",
        "page_size",
    ],
    # fields of forms bound to request.GET
    *[
        "kategori",
        "nummer",
        "forsenade",
        "lat",
        "long",
        "address_text",
        "area",
        "andra",
        "service_code",
    ],
    *["start_date", "end_date", "service_request_id", "updated_after", "updated_before", "format"],
}

HOSTILE = [
    "²",
    "٣",
    "99999999999999999999999999",
    "-99999999999999999999",
    "1.5e308",
    "\x00",
    "x" * 10_000,
    "2024-02-30",
    "0000-00-00T25:61",
    "<script>alert(1)</script>",
]

SKIP_PREFIXES = ("/static/", "/media/", "/admin/", "/__debug__/")


def _static_paths(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    """Every URL of the configuration that needs no path argument."""
    resolver = resolver or get_resolver()
    paths = []
    for pattern in resolver.url_patterns:
        route = str(pattern.pattern)
        if "<" in route or "(?P" in route or route.startswith("^"):
            continue
        if isinstance(pattern, URLResolver):
            paths += _static_paths(pattern, prefix + route)
        elif isinstance(pattern, URLPattern):
            paths.append("/" + prefix + route)
    return sorted({p for p in paths if not p.startswith(SKIP_PREFIXES)})


def test_every_parameter_a_view_reads_is_fuzzed():
    root = pathlib.Path(__file__).resolve().parents[2] / "insyn"
    read = set()
    pattern = re.compile(
        r"request\.(?:GET|POST)\.(?:get|getlist)\(\s*\"([a-z_]+)\""
        r"|_param\(\s*request(?:\.GET)?,\s*\"([a-z_]+)\""
    )
    for path in root.rglob("*.py"):
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            read.add(match.group(1) or match.group(2))
    assert read, "the scan found nothing: the pattern is wrong"
    assert read - FUZZ_PARAMS == set(), "add the new request parameters to FUZZ_PARAMS"


def test_the_url_configuration_yields_pages():
    paths = _static_paths()
    assert "/" in paths and "/synpunkter/felanmalningar/" in paths and len(paths) > 30


@pytest.fixture
def staff_client(db):
    user = UserFactory(username="fuzz-alla-roller")
    for role in Role.values:
        if role != Role.ADMIN:  # the admin's second factor is tested elsewhere
            MembershipFactory(role=role, organisation=None, user=user)
    client = Client()
    client.force_login(user)
    return client


def _failed(path: str, status: int) -> bool:
    """A 5xx is a failure, except the readiness probe's own 503 ("not ready": in a test run its
    migrations check or cache may say so), which parameters never cause."""
    return status >= 500 and not (path == "/health/ready/" and status == 503)


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_no_page_fails_on_hostile_query_strings(site, staff_client, who):
    client = Client() if who == "anonymous" else staff_client
    failures = []
    for path in _static_paths():
        if "logga-ut" in path:
            continue  # would end the staff session for the rest of the loop
        for value in HOSTILE:
            response = client.get(path, dict.fromkeys(sorted(FUZZ_PARAMS), value))
            if _failed(path, response.status_code):
                failures.append((path, value[:20], response.status_code))
        # arrays: every parameter twice
        response = client.get(
            path + "?" + "&".join(f"{name}=1&{name}=%C2%B2" for name in sorted(FUZZ_PARAMS))
        )
        if _failed(path, response.status_code):
            failures.append((path, "array", response.status_code))
    assert failures == []
