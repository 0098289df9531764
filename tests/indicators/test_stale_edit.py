"""Two compilers edit the same indicator: the second, whose page is stale, is told that someone
else saved it, sees the saved version beside their own, and nothing of theirs is written until
they save again from the page that showed both."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from insyn.accounts.models import Role
from insyn.indicators.models import Indicator
from tests.factories import MembershipFactory
from tests.indicators.factories import IndicatorFactory

pytestmark = pytest.mark.django_db


def _compiler() -> Client:
    c = Client()
    c.force_login(MembershipFactory(role=Role.COMPILER, organisation=None).user)
    return c


def _seen(page: str) -> str:
    match = re.search(r'type="hidden" name="seen" value="([^"]+)"', page)
    assert match, "the edit form remembers when the indicator was loaded"
    return match.group(1)


def test_a_stale_indicator_edit_is_told_and_overwrites_nothing():
    indicator = IndicatorFactory(title="Andel som cyklar", is_published=False)
    url = reverse("indicators_staff:edit", args=[indicator.pk])
    a, b = _compiler(), _compiler()
    seen_a = _seen(a.get(url).content.decode())
    base = {"description": "", "unit": "%", "direction": "none"}
    theirs = {**base, "title": "Andel resor med cykel"}
    assert b.post(url, {**theirs, "seen": _seen(b.get(url).content.decode())}).status_code == 302
    saved = Indicator.objects.get(pk=indicator.pk)
    versions = saved.history.count()

    mine = {**base, "title": "Cyklister per 1000 invånare"}
    response = a.post(url, {**mine, "seen": seen_a})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Någon annan har sparat indikatorn sedan du öppnade sidan" in html
    assert "Andel resor med cykel" in html and "Cyklister per 1000 invånare" in html
    now = Indicator.objects.get(pk=indicator.pk)
    assert now.title == "Andel resor med cykel" and now.history.count() == versions

    again = a.post(url, {**mine, "seen": _seen(html)})
    assert again.status_code == 302
    assert Indicator.objects.get(pk=indicator.pk).title == "Cyklister per 1000 invånare"
