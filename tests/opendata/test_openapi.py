"""The OpenAPI document describes every endpoint, and the API keeps to it (schemathesis)."""

from __future__ import annotations

import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, settings

from insyn.opendata import openapi
from insyn.opendata import urls as api_urls

DOCUMENT = openapi.document()
schema = schemathesis.openapi.from_dict(DOCUMENT)
application = get_wsgi_application()


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """Calling Django's WSGI handler directly fires request_started/finished, whose
    close_old_connections would close the test's database connection (and its transaction)
    on PostgreSQL; Django's own test client disconnects it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def openapi_path(route: str) -> str:
    """Django's "v1/plans/<str:year>" under /api/ → OpenAPI's "/api/v1/plans/{year}"."""
    path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
    return "/api/" + path.replace("{pk}", "{id}")


def api_patterns() -> list[URLPattern]:
    return [p for p in api_urls.urlpatterns if isinstance(p, URLPattern) and p.name != "not-found"]


def test_every_route_is_described_and_nothing_else():
    routes = {openapi_path(str(p.pattern)) for p in api_patterns()}
    assert routes == set(DOCUMENT["paths"])


def test_the_api_is_mounted_at_api():
    [resolver] = [
        p
        for p in get_resolver().url_patterns
        if isinstance(p, URLResolver) and p.namespace == "api"
    ]
    assert str(resolver.pattern) == "api/"


def test_document_is_openapi_3_1_with_resolvable_references():
    assert DOCUMENT["openapi"] == "3.1.0"
    text = repr(DOCUMENT)
    for name in re.findall(r"#/components/schemas/(\w+)", text):
        assert name in DOCUMENT["components"]["schemas"], name
    for path, item in DOCUMENT["paths"].items():
        operation = item["get"]
        assert operation["operationId"] and operation["summary"], path
        for name in re.findall(r"{(\w+)}", path):
            assert any(
                p["name"] == name and p["in"] == "path" for p in operation.get("parameters", [])
            ), (path, name)
        assert "200" in operation["responses"]


@pytest.fixture(autouse=True)
def _uncompressed(settings):
    """schemathesis' WSGI transport asks for brotli but does not decode it; the public cache
    (which answers compressed) is tested in tests/core/test_public_cache.py."""
    settings.INSYN_PUBLIC_CACHE = False


def real_parameters(world) -> dict[str, dict]:
    return {
        "slug": {"slug": world.board.slug},
        "year": {"year": 2023},
        "number": {"number": world.goal.number},
        "id": {},
    }


def test_real_responses_conform_to_the_document(world):
    """Every operation called with parameters that exist, validated by schemathesis."""
    ids = {
        "/api/v1/assignments/{id}": [a.pk for a in world.assignments],
        "/api/v1/periods/{id}": [world.august.pk],
        "/api/v1/periods/{id}/reports": [world.april.pk, world.august.pk],
    }
    called = 0
    for path in DOCUMENT["paths"]:
        operation = schema[path]["GET"]
        names = re.findall(r"{(\w+)}", path)
        values = {
            "slug": [world.board.slug, world.company.slug],
            "year": [2023],
            "number": [world.goal.number],
            "id": ids.get(path, []),
            "fmt": ["rdf", "ttl", "jsonld"],
        }
        combinations = [{}]
        for name in names:
            combinations = [dict(c, **{name: v}) for c in combinations for v in values[name]]
        for parameters in combinations:
            queries = [{}]
            if path.endswith("/reports"):
                queries += [{"limit": 1}, {"limit": 2, "offset": 1}, {"limit": "0"}]
            for query in queries:
                case = operation.Case(path_parameters=parameters, query=query)
                response = case.call_and_validate(app=application)
                assert response.status_code < 500
                called += 1
    assert called >= len(DOCUMENT["paths"])


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_generated_requests_never_fail_and_conform(case, world):
    response = case.call_and_validate(app=application)
    assert response.status_code < 500
