"""An `in` lookup with a number no database integer can hold matches nothing instead of
failing (a posted "99999999999999999999" in a multiple-choice form field was a 500)."""

from __future__ import annotations

import pytest
from django import forms

from insyn.organisations.models import Organisation
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_an_impossible_id_matches_nothing_and_the_others_still_match():
    org = OrganisationFactory()
    assert list(Organisation.objects.filter(pk__in=["99999999999999999999"])) == []
    assert list(Organisation.objects.filter(pk__in=[org.pk, 10**30, -(10**30)])) == [org]


def test_a_multiple_choice_field_says_not_a_choice_instead_of_failing():
    OrganisationFactory()

    class Form(forms.Form):
        organisations = forms.ModelMultipleChoiceField(queryset=Organisation.objects.all())

    form = Form({"organisations": ["99999999999999999999"]})
    assert not form.is_valid()
    assert "organisations" in form.errors
