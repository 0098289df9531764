"""Indicator staff pages show a service's refusal with insyn.core.errors.add_to_form: a problem
about a field the form does not have goes to the error summary instead of a 500 (Django's
form.add_error raises for an unknown field)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from insyn.accounts.models import Role
from insyn.core.errors import ServiceError
from insyn.indicators import services
from insyn.indicators.models import Indicator
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = MembershipFactory(role=Role.COMPILER, organisation=None).user
    client.force_login(user)
    return user


def test_a_refusal_about_a_field_the_form_lacks_is_summarised_not_a_500(client, staff, monkeypatch):
    def refuse(**kwargs):
        raise ServiceError("Indikatorn sparades inte.", {"kolada_id": "Okänt nyckeltal i Kolada."})

    monkeypatch.setattr(services, "indicator_create", refuse)
    response = client.post(
        reverse("indicators_staff:create"),
        {"source": "own", "title": "Trygghetsvandringar", "unit": "antal", "direction": "none"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Indikatorn sparades inte." in page and "Okänt nyckeltal i Kolada." in page
    assert not Indicator.objects.exists()
