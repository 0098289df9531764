"""The organisations app's demo data and the municipality every template gets."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from insyn.organisations import demo
from insyn.organisations.context_processors import site
from insyn.organisations.models import District, Organisation

pytestmark = pytest.mark.django_db


def test_the_demo_loads_uppsalas_organisations_and_districts_once():
    first = demo.load_demo()
    organisations, districts = Organisation.objects.count(), District.objects.count()
    assert organisations > 10 and districts > 0
    assert "Organisationer" in first
    demo.load_demo()
    assert (Organisation.objects.count(), District.objects.count()) == (organisations, districts)


def test_every_template_gets_the_municipality():
    demo.load_demo()
    context = site(RequestFactory().get("/"))
    assert "Uppsala" in str(context["municipality"])
