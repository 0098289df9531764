"""One error type for every service: `ServiceError`.

A service function raises `ServiceError` when a rule refuses the change. Its `message` is one
Swedish sentence for the person who tried; `problems` says exactly what to fix — a list of
sentences, or a dict of form field name → sentence(s). Views catch it in one way
(`add_to_form`, or `summary_errors` for a page without a form) and the page shows it with the one
error summary, `templates/includes/error_summary.html`.

`ServiceError` is a Django `ValidationError`, so forms and `except ValidationError` understand it:
`exc.messages` lists the message and every problem, `form.add_error(None, exc)` works.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

__all__ = ["ServiceError", "add_to_form", "summary_errors"]


class ServiceError(ValidationError):
    """A rule refused the change; nothing was written.

    ServiceError("Perioden är stängd.")
    ServiceError("Dialogen kan inte publiceras ännu.", ["Ange ett syfte.", "Ange en ansvarig."])
    ServiceError({"deadline": "Sista dag har redan passerat."})   # field problems
    ServiceError("Filen sparades inte.", {"file": ["Rad 3: okänt mål."]})
    """

    message: str  # the headline: what was refused
    problems: list[str]  # what to fix, not tied to a field
    top: list[str]  # message and problems: the sentences above the form
    field_problems: dict[str, list[str]]

    def __init__(
        self,
        message: Any = "",
        problems: Sequence[Any] | Mapping[str, Any] = (),
        *,
        code: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        # Django's own forms: ServiceError(["a", "b"]) or ServiceError({"field": "a"}).
        if isinstance(message, Mapping | list | tuple) and not problems:
            message, problems = "", message
        field_problems: dict[str, list[str]] = {}
        loose: list[str] = []
        if isinstance(problems, Mapping):
            for name, value in problems.items():
                texts = _texts(value)
                if name in (None, NON_FIELD_ERRORS):
                    loose.extend(texts)
                else:
                    field_problems[str(name)] = texts
        else:
            loose = [text for value in problems for text in _texts(value)]
        headline = str(message) if message else ""
        if field_problems:
            structure: dict[str, list[str]] = {}
            if headline or loose:
                structure[NON_FIELD_ERRORS] = [t for t in [headline, *loose] if t]
            structure.update(field_problems)
            super().__init__(structure, code=code, params=params)
        elif loose:
            super().__init__([t for t in [headline, *loose] if t], code=code, params=params)
        else:
            super().__init__(message, code=code, params=params)
        self.top = [t for t in [headline, *loose] if t]
        first_field = next((t for texts in field_problems.values() for t in texts), "")
        self.message = self.top[0] if self.top else first_field
        self.problems = self.top[1:]
        self.field_problems = field_problems
        self.code = code
        self.params = params

    def __str__(self) -> str:
        return " ".join(str(m) for m in self.messages)

    def __repr__(self) -> str:
        return f"ServiceError({self.message!r}, problems={self.problems!r}, fields={self.field_problems!r})"


class StaleEdit(ServiceError):
    """Someone else saved the thing after the page was loaded, so nothing was written. `current`
    is the thing as saved now (the page shows it beside what was sent). Each kind of thing says
    it in its own sentence:

    class CaseChanged(StaleEdit):
        sentence = gettext_lazy("Någon annan har ändrat ärendet sedan du öppnade sidan. …")
    """

    sentence: Any = ""

    def __init__(self, current: Any) -> None:
        super().__init__(self.sentence, code="stale")
        self.current = current


def _texts(value: Any) -> list[str]:
    if isinstance(value, ValidationError):
        return [str(m) for m in value.messages]
    if isinstance(value, list | tuple):
        return [t for item in value for t in _texts(item)]
    return [str(value)]


def add_to_form(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's refusal on the form: field problems next to their fields (when the form
    has them), everything else in the error summary at the top."""
    if isinstance(exc, ServiceError):
        top = list(exc.top)
        fields = exc.field_problems
    elif hasattr(exc, "error_dict"):
        top = []
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    else:
        top, fields = [str(m) for m in exc.messages], {}
    for name, texts in fields.items():
        if name in form.fields:
            form.add_error(name, texts)
        elif texts:
            top.extend(t for t in texts if t not in top)
    if top:
        form.add_error(None, top)


def summary_errors(exc: ValidationError) -> list[str]:
    """Every sentence of a refusal, for the error summary of a page without a form."""
    if isinstance(exc, ServiceError):
        return [*exc.top, *(t for texts in exc.field_problems.values() for t in texts)]
    return [str(m) for m in exc.messages]
