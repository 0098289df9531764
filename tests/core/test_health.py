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
