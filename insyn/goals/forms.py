"""Forms of the staff pages and of following a goal. They only parse input; rules live in
insyn.goals.services and insyn.goals.following."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from insyn.core.forms import DATE_INVALID, EMAIL_ERRORS, DateInput, NoticeFrequencyForm
from insyn.goals.models import (
    FollowUpPeriod,
    Goal,
    GoalStatus,
    PeriodKind,
    Plan,
    Status,
)
from insyn.organisations.models import Organisation, OrganisationGroup

STATUS_CHOICES = [(s.value, s.label) for s in Status]


class PeriodForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("Plan"), queryset=Plan.objects.all(), empty_label=None)
    kind = forms.ChoiceField(label=_("Typ av uppföljning"), choices=PeriodKind.choices)
    label = forms.CharField(
        label=_("Benämning"),
        max_length=200,
        required=False,
        help_text=_("Lämna tomt för typens namn, t.ex. ”Delårsuppföljning per augusti”."),
    )
    deadline = forms.DateField(
        label=_("Sista dag för rapportering"),
        widget=DateInput(),
        error_messages={
            "required": _("Ange sista dag för rapportering."),
            "invalid": DATE_INVALID,
        },
    )


class ReportForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=STATUS_CHOICES,
        error_messages={"invalid_choice": _("Ogiltig status. Välj en status i listan.")},
    )
    assessment = forms.CharField(
        label=_("Bedömning"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2_000_000_000)
    # One random token per page load: lets the Save button follow this page's own autosaves.
    editor = forms.CharField(widget=forms.HiddenInput, required=False, max_length=32)


class ReviewForm(forms.Form):
    action = forms.ChoiceField(choices=[("approve", _("Godkänn")), ("return", _("Återsänd"))])
    comment = forms.CharField(
        label=_("Kommentar till organisationen"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CompiledForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Sammanställd status"),
        choices=STATUS_CHOICES,
        error_messages={"invalid_choice": _("Ogiltig status.")},
    )
    assessment = forms.CharField(
        label=_("Sammanställd bedömning"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    note = forms.CharField(
        label=_("Rättelse: vad ändras och varför"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=2_000_000_000
    )


class GoalFollowUpForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Målets status"),
        choices=[("", _("Välj status")), *GoalStatus.choices],
        required=False,
    )
    assessment = forms.CharField(
        label=_("Bedömning av målet"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    note = forms.CharField(
        label=_("Rättelse: vad ändras och varför"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # What the page saw (the follow-up's version; 0: none saved yet): a stale page is refused.
    version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=2_000_000_000
    )


class AdditionalAssignmentForm(forms.Form):
    goal = forms.ModelChoiceField(
        label=_("Mål"),
        queryset=Goal.objects.select_related("plan").order_by("-plan__year", "order", "number"),
    )
    title = forms.CharField(
        label=_("Uppdragets titel"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    description = forms.CharField(
        label=_("Beskrivning"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    case_number = forms.CharField(
        label=_("Diarienummer"),
        required=False,
        max_length=40,
        help_text=_("Till exempel KSN-2019-03835."),
    )
    paragraph = forms.CharField(
        label=_("Paragraf"), required=False, max_length=20, help_text=_("Till exempel §379.")
    )
    body = forms.CharField(
        label=_("Beslutande organ"), required=False, max_length=100, initial="Kommunfullmäktige"
    )
    decision_date = forms.DateField(
        label=_("Beslutsdatum"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": DATE_INVALID},
    )
    responsible = forms.ModelMultipleChoiceField(
        label=_("Ansvariga organisationer"),
        required=False,
        queryset=Organisation.objects.internal().order_by("name"),
        widget=forms.CheckboxSelectMultiple,
    )
    responsible_groups = forms.ModelMultipleChoiceField(
        label=_("Ansvariga grupper"),
        required=False,
        queryset=OrganisationGroup.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )


class CarryOverForm(forms.Form):
    from_period = forms.ModelChoiceField(
        label=_("Från period (publicerad)"),
        empty_label=None,
        queryset=FollowUpPeriod.objects.published()
        .select_related("plan")
        .order_by("-year", "-month"),
    )
    to_plan = forms.ModelChoiceField(
        label=_("Till plan"), queryset=Plan.objects.all(), empty_label=None
    )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Ifylld mall (.xlsx)"), error_messages={"required": _("Välj en fil att ladda upp.")}
    )


class GoalFollowForm(NoticeFrequencyForm):
    """Follow a goal: the address (a resident) and how often; `website` is the honeypot.
    A signed-in staff member's form drops the address and the honeypot (`for_staff`)."""

    email = forms.EmailField(
        label=_("Din e-postadress"),
        max_length=254,
        help_text=_("Vi skickar en länk dit. Du bekräftar med en knapp på sidan bakom länken."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages=EMAIL_ERRORS,
    )
    field_order = ["email", "frequency", "website"]

    def __init__(self, *args, for_staff: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["frequency"].error_messages["required"] = _("Välj hur ofta du vill få e-post.")
        if for_staff:
            del self.fields["email"]
            del self.fields["website"]

    def is_spam(self) -> bool:
        return bool(self.data.get("website"))
