from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Fel användarnamn eller lösenord. Observera att fälten kan vara skiftlägeskänsliga."
        ),
        "inactive": _("Kontot är inaktiverat."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Användarnamn")
        self.fields["password"].label = _("Lösenord")


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Engångskod (6 siffror)"),
        max_length=8,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
        error_messages={
            "required": _("Skriv koden från din app."),
            "min_length": _("Koden har sex siffror."),
        },
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].replace(" ", "")
        if not (token.isascii() and token.isdecimal()):
            raise forms.ValidationError(_("Koden består bara av siffror."))
        return token
