"""insyn.core.errors: the one ServiceError and the one way a form shows it."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string

from insyn.core.errors import ServiceError, add_to_form, summary_errors


class PeriodForm(forms.Form):
    deadline = forms.DateField(label="Sista dag")
    kind = forms.ChoiceField(
        label="Typ", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect
    )


def test_message_and_problems_are_kept_and_it_is_a_validation_error():
    exc = ServiceError(
        "Dialogen kan inte publiceras ännu.", ["Ange ett syfte.", "Ange en ansvarig."]
    )
    assert isinstance(exc, ValidationError)
    assert exc.message == "Dialogen kan inte publiceras ännu."
    assert exc.problems == ["Ange ett syfte.", "Ange en ansvarig."]
    assert exc.messages == [exc.message, *exc.problems]
    assert str(exc) == "Dialogen kan inte publiceras ännu. Ange ett syfte. Ange en ansvarig."
    with pytest.raises(ValidationError, match="Ange en ansvarig"):
        raise exc


def test_code_is_kept():
    assert ServiceError("Nyckeln får inte.", code="forbidden").code == "forbidden"


def test_field_problems_go_next_to_their_fields_and_the_rest_on_top():
    form = PeriodForm({"deadline": "2026-01-01", "kind": "a"})
    assert form.is_valid()
    add_to_form(
        form,
        ServiceError("Perioden sparades inte.", {"deadline": "Har passerat.", "okänt": "Annat."}),
    )
    assert form.errors["deadline"] == ["Har passerat."]
    assert form.non_field_errors() == ["Perioden sparades inte.", "Annat."]


def test_django_style_arguments_still_work():
    assert ServiceError({"deadline": "Har passerat."}).field_problems == {
        "deadline": ["Har passerat."]
    }
    rows = ServiceError(["Rad 2: fel.", "Rad 3: fel."])
    assert summary_errors(rows) == ["Rad 2: fel.", "Rad 3: fel."]


def test_the_one_summary_links_field_errors_and_lists_sentences():
    form = PeriodForm({})
    assert not form.is_valid()
    html = render_to_string(
        "includes/error_summary.html", {"form": form, "summary_errors": ["Filen är tom."]}
    )
    assert 'class="error-summary"' in html and 'role="alert"' in html
    assert "Filen är tom." in html
    assert 'href="#id_deadline"' in html
    assert 'href="#id_kind_0"' in html  # a radio group links to its first choice
    assert render_to_string("includes/error_summary.html", {"form": PeriodForm()}).strip() == ""


def test_there_is_one_error_name():
    """No per-app aliases (DialogueError, FeedbackError): every caller names ServiceError."""
    import pathlib
    import re

    from insyn.dialogue import services as dialogue_services
    from insyn.feedback import services as feedback_services

    assert not hasattr(dialogue_services, "DialogueError")
    assert not hasattr(feedback_services, "FeedbackError")
    root = pathlib.Path(__file__).resolve().parents[2] / "insyn"
    aliases = re.compile(r"^\s*\w+Error\s*=\s*ServiceError\b", re.M)
    assert not [p for p in root.rglob("*.py") if aliases.search(p.read_text(encoding="utf-8"))]
