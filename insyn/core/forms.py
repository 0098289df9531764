"""Forms that belong to no feature app: how often notices come (insyn.core.notices)."""

from __future__ import annotations

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
