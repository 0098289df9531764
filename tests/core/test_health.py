"""The health endpoint that load balancers and `insyn serve` checks poll."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_health_is_200_with_the_database_vendor_when_the_database_answers(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": connection.vendor}
    assert "no-cache" in response["Cache-Control"]


def test_health_only_answers_get(client):
    assert client.post("/health/").status_code == 405


def test_ready_is_200_when_database_cache_and_migrations_are_fine(client):
    response = client.get("/health/ready/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "migrations": "ok",
    }
    assert "no-cache" in response["Cache-Control"]


def test_ready_is_503_when_a_migration_is_not_applied(client):
    from django.db.migrations.recorder import MigrationRecorder

    MigrationRecorder.Migration.objects.filter(app="core").order_by("-id")[:1].get().delete()
    response = client.get("/health/ready/")
    assert response.status_code == 503
    assert response.json()["migrations"] == "error"
    assert response.json()["database"] == "ok"


UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "insyn.core.cache.NamespacedRedisCache",
        # Port 1 on this machine: nothing listens there, the connection is refused at once.
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def test_ready_is_503_and_says_nothing_internal_when_the_cache_is_unreachable(client, settings):
    settings.CACHES = UNREACHABLE_REDIS
    response = client.get("/health/ready/")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "ok",
        "cache": "error",
        "migrations": "ok",
    }
    assert b"127.0.0.1" not in response.content
    assert b"6379" not in response.content and b":1" not in response.content


def test_check_fails_when_the_configured_redis_is_unreachable(settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.CACHES = UNREACHABLE_REDIS
    with pytest.raises(SystemCheckError, match=r"insyn\.E101"):
        call_command("check")


def test_health_answers_plain_http_without_redirect_when_https_is_enforced(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/health/").status_code == 200
    assert client.get("/health/ready/").status_code == 200
    assert client.get("/").status_code == 301


def test_health_says_nothing_about_the_database_when_it_fails(client, monkeypatch):
    from insyn.core import views

    class Broken:
        vendor = "postgresql"

        def cursor(self):
            raise OSError('connection to server at "db.internal" (10.0.0.5), port 5432 failed')

    monkeypatch.setattr(views, "connections", {"default": Broken()})
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error"}
