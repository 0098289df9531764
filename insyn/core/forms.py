"""Forms that belong to no feature app: how often notices come (insyn.core.notices), and the
hidden field that lets a service see that a page is stale (SeenField)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from insyn.core.models import NoticeFrequency


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
