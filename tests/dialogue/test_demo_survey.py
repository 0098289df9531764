"""The demo's survey page says once that answers are anonymous (issue 11: it said it twice,
once in the demo's intro text and once from the template)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_demo_survey_says_du_svarar_anonymt_once(client):
    from insyn.dialogue.demo import load_demo
    from insyn.dialogue.models import Dialogue

    load_demo()
    walks = Dialogue.objects.get(demo_key="trygghetsvandringar-arsta-stenhagen")
    survey = walks.surveys.get()
    page = client.get(reverse("dialogue:survey", args=[walks.pk, survey.pk]))
    assert page.status_code == 200
    assert page.content.decode().count("Du svarar anonymt.") == 1
