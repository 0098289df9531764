"""Property test: arbitrary Open311 parameters give a valid answer or a spec error, never a
5xx, and the body always parses in the requested format."""

from __future__ import annotations

import json
import logging
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insyn.feedback import services

pytestmark = pytest.mark.django_db

junk = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "59.85",
            "17.63",
            "1e309",
            "nan",
            "inf",
            "2026-01-01",
            "2026-02-30T25:00",
            "1994-11-05T08:15:30-05:00",
            "open",
            "closed",
            "open,closed",
            "potthal",
            "gatubelysning",
            "x" * 5000,
            "\x00",
            "<tag>",
            "UPP-2026-000001",
            "%",
            "attribute[antal]",
        ]
    ),
)
param_names = st.sampled_from(
    [
        "service_code",
        "lat",
        "long",
        "address_string",
        "address_id",
        "email",
        "description",
        "media_url",
        "start_date",
        "end_date",
        "status",
        "page",
        "page_size",
        "service_request_id",
        "jurisdiction_id",
        "attribute[antal]",
        "attribute[antal][]",
        "attribute[x]",
        "first_name",
        "update_id",
        "updated_datetime",
    ]
)
params = st.dictionaries(param_names, junk, max_size=8)
paths = st.sampled_from(
    [
        "requests",
        "services",
        "services/gatubelysning",
        "services/%00",
        "requests/UPP-2026-000001",
        "tokens/abc",
        "servicerequestupdates",
        "requests/" + "9" * 300,
    ]
)


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def check(response, fmt):
    assert response.status_code < 500, response.content[:500]
    if fmt == "json":
        json.loads(response.content)
    else:
        ET.fromstring(response.content)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    path=paths,
    fmt=st.sampled_from(["xml", "json"]),
    data=params,
    with_key=st.booleans(),
    method=st.sampled_from(["get", "post"]),
)
def test_open311_never_5xx(setup, path, fmt, data, with_key, method):
    from django.core.cache import cache

    cache.clear()  # the rate limits are not what this test is about
    client = Client()
    if with_key:
        data = {**data, "api_key": KEY["raw"]}
    collect = Collect()
    logger = logging.getLogger("insyn.feedback.open311.views")
    logger.addHandler(collect)
    try:
        response = getattr(client, method)(f"/open311/v2/{path}.{fmt}", data)
    finally:
        logger.removeHandler(collect)
    check(response, fmt)
    # The catch-all 400 is a safety net, not where bad input should end up.
    assert not collect.records, collect.records[0].exc_info


KEY: dict[str, str] = {}


@pytest.fixture(autouse=True)
def _key(setup):
    KEY["raw"] = services.issue_api_key(name="Fuzz", rate_per_minute=100_000)[1]
    services.issue_api_key(name="Org", organisation=setup.streets)
