"""Forms that belong to no feature app: how often notices come (insyn.core.notices), and the
hidden field that lets a service see that a page is stale (SeenField)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from insyn.core.errors import ServiceError
from insyn.core.models import NoticeFrequency


class DateInput(forms.DateInput):
    """The browser's date picker; the value as ISO 8601, the one format it reads."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


# A date typed by hand that is not one (a browser without a date picker).
DATE_INVALID = _("Skriv datumet som ÅÅÅÅ-MM-DD.")

# What a resident is told about the e-mail address they typed, in plain words (not Django's
# generic "Detta fält måste fyllas i." / "Ange en giltig e-postadress.").
EMAIL_REQUIRED = _("Ange din e-postadress.")
EMAIL_INVALID = _("Skriv e-postadressen som namn@exempel.se.")
EMAIL_ERRORS = {"required": EMAIL_REQUIRED, "invalid": EMAIL_INVALID}


class NoticeFrequencyForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("Hur ofta vill du få e-post om det du följer?"),
        choices=NoticeFrequency.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Gäller ärenden, dialoger, områden och mål du följer. En sammanfattning samlar allt "
            "sedan förra gången i ett e-brev."
        ),
    )
    # Honeypot: people leave it empty; the field is hidden from sight (visually-hidden).
    website = forms.CharField(
        required=False,
        label=_("Lämna tomt"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


class SeenField(forms.CharField):
    """Hidden: when the thing on the page was last changed as the page was loaded (its
    updated_at, ISO 8601). A service compares it and refuses to overwrite someone else's change
    (a stale page). Cleans to an aware datetime, or None when the page sent nothing."""

    default_error_messages = {
        "invalid": _("Sidan är inte aktuell. Ladda om sidan och försök igen."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> dt.datetime | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            seen = dt.datetime.fromisoformat(text)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if seen.tzinfo is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return seen


def shown_value(field: forms.Field, value: Any) -> str:
    """A field's value as a person reads it: a choice's label, an object's name, Ja/Nej."""
    if value is None or value == "" or value == [] or value == ():
        return "–"
    if isinstance(field, forms.BooleanField):
        return str(_("Ja") if value else _("Nej"))
    if isinstance(field, forms.ModelChoiceField):
        if not isinstance(value, Model):
            value = field.queryset.filter(pk=value).first()
            if value is None:
                return "–"
        return str(field.label_from_instance(value))
    if isinstance(field, forms.ChoiceField):
        for key, label in field.choices:
            if isinstance(label, (list, tuple)):  # a group of choices
                for inner_key, inner_label in label:
                    if str(inner_key) == str(value):
                        return str(inner_label)
            elif str(key) == str(value):
                return str(label)
    return str(value)


def both_versions(form: forms.Form, current: dict[str, Any]) -> list[tuple[str, str, str]]:
    """For a valid form whose save was refused because the page was stale (SeenField): each
    visible field as (label, the value saved now, the value this person sent), so the page can
    show both versions side by side and nothing this person wrote is lost."""
    return [
        (
            str(field.label),
            shown_value(field, current.get(name)),
            shown_value(field, form.cleaned_data.get(name)),
        )
        for name, field in form.fields.items()
        if not field.widget.is_hidden
    ]


UNMODERATED = "ny"  # a page's `seen` for a decision nobody had made yet (DecisionSeenField)


class DecisionSeenField(forms.CharField):
    """Hidden: when a decision on the thing on the page (a moderation, an assessment) was last
    made as the page was loaded, or UNMODERATED if nobody had decided yet. A service refuses a
    decision when someone else has decided since, so nothing is applied twice. Cleans to None
    (not sent), UNMODERATED or an aware datetime."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> dt.datetime | str | None:
        text = super().clean(value)
        if text == UNMODERATED:
            return UNMODERATED
        return SeenField().clean(text)


def decision_seen(when: dt.datetime | None) -> str:
    """The value of a DecisionSeenField for a page showing a decision made `when`."""
    return when.isoformat() if when else UNMODERATED


class ModerationSeenForm(forms.Form):
    """The hidden `seen` of a moderation decision on a post or a proposal (DecisionSeenField:
    its moderated_at when the page was loaded)."""

    seen = DecisionSeenField()

    @classmethod
    def seen_of(cls, data: Any) -> dt.datetime | str | None:
        """The cleaned `seen` of a posted decision; a ServiceError (Swedish) if it is broken."""
        form = cls(data)
        if not form.is_valid():
            raise ServiceError(" ".join(form.errors["seen"]), code="seen")
        return form.cleaned_data["seen"]
