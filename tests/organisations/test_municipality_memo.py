"""The municipality's identity is kept in each process while the publication version stands
(every template of a page asks for it), and a saved change is seen at the next request."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from insyn.organisations import selectors
from tests.factories import MunicipalityFactory


@pytest.mark.django_db(transaction=True)
def test_the_process_copy_lasts_until_the_next_public_change():
    municipality = MunicipalityFactory(name="Uppsala kommun")
    assert selectors.current_municipality().name == "Uppsala kommun"
    cache.delete(selectors.MUNICIPALITY_CACHE_KEY)
    assert selectors.current_municipality() is selectors._memo[1]  # no cache, no query

    municipality.name = "Uppsala kommun (nytt namn)"
    municipality.save()  # bumps the publication version after the commit
    cache.delete(selectors.MUNICIPALITY_CACHE_KEY)
    assert selectors.current_municipality().name == "Uppsala kommun (nytt namn)"


@pytest.mark.django_db
def test_what_an_open_transaction_sees_is_not_remembered():
    selectors._memo = None
    MunicipalityFactory(name="Bara i transaktionen")
    assert selectors.current_municipality().name == "Bara i transaktionen"
    assert selectors._memo is None
