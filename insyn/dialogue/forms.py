"""Forms for dialogue pages. They validate input shape only; the rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from insyn.core import images, params
from insyn.core.forms import EMAIL_ERRORS, DateInput, DecisionSeenField, SeenField
from insyn.dialogue.models import (
    AgeBand,
    Budget,
    CountingRule,
    DeliveryStage,
    Dialogue,
    Discussion,
    District,
    LadderStep,
    Meeting,
    MethodKind,
    QuestionKind,
    Source,
    Survey,
)
from insyn.goals.models import Assignment, Goal
from insyn.organisations.models import Organisation

DATE = DateInput()
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
AGE_CHOICES = [("", _("Vill inte ange")), *AgeBand.choices]


class HoneypotForm(forms.Form):
    """Public forms carry a field people never see (CSS hides it); bots fill it in."""

    webbplats = forms.CharField(
        label=_("Lämna det här fältet tomt"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_webbplats(self) -> str:
        if self.cleaned_data.get("webbplats"):
            raise ValidationError(_("Formuläret kunde inte skickas."))
        return ""


class AboutYouForm(HoneypotForm):
    """The voluntary metadata: district and age band, nothing else."""

    district = forms.ModelChoiceField(
        label=_("Var bor du? (frivilligt)"),
        queryset=District.objects.all(),
        required=False,
        empty_label=_("Vill inte ange"),
        help_text=_("Används bara för att se om alla delar av kommunen kommer till tals."),
    )
    age_band = forms.ChoiceField(label=_("Ålder (frivilligt)"), choices=AGE_CHOICES, required=False)


class SubscribeForm(HoneypotForm):
    email = forms.EmailField(
        label=_("Din e-postadress"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages=EMAIL_ERRORS,
    )


class LoginForm(HoneypotForm):
    email = forms.EmailField(
        label=_("Din e-postadress"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages=EMAIL_ERRORS,
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class ProfileForm(forms.Form):
    district = forms.ModelChoiceField(
        label=_("Område (frivilligt)"),
        queryset=District.objects.all(),
        required=False,
        empty_label=_("Vill inte ange"),
    )
    age_band = forms.ChoiceField(label=_("Ålder (frivilligt)"), choices=AGE_CHOICES, required=False)


class DeleteMeForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Ja, ta bort mina uppgifter. Mina bidrag finns kvar utan koppling till mig.")
    )


class PostForm(AboutYouForm):
    body = forms.CharField(
        label=_("Ditt inlägg"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    author_name = forms.CharField(
        label=_("Namn eller signatur (frivilligt, visas för alla)"), max_length=80, required=False
    )
    parent = forms.IntegerField(
        required=False, widget=forms.HiddenInput, min_value=1, max_value=params.MAX_ID
    )

    field_order = ["body", "author_name", "district", "age_band", "webbplats", "parent"]


class ReportForm(HoneypotForm):
    reason = forms.CharField(label=_("Varför ska inlägget granskas?"), max_length=300)


class ProposalReportForm(HoneypotForm):
    reason = forms.CharField(label=_("Varför ska förslaget granskas?"), max_length=300)


class ProposalForm(AboutYouForm):
    title = forms.CharField(label=_("Rubrik"), max_length=200)
    description = forms.CharField(
        label=_("Beskriv förslaget"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    place = forms.CharField(label=_("Plats (frivilligt)"), max_length=200, required=False)

    field_order = ["title", "description", "place", "district", "age_band", "webbplats"]


class RegistrationForm(AboutYouForm):
    name = forms.CharField(
        label=_("Namn"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("E-post"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    needs = forms.CharField(
        label=_("Behöver du anpassning, till exempel tolk eller hörslinga? (frivilligt)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    field_order = ["name", "email", "needs", "district", "age_band", "webbplats"]


class BallotForm(forms.Form):
    """Approval ballots tick proposals; rankings give each a place (1 = first), points ballots a
    number of points (fields v_<proposal id>)."""

    proposals = forms.MultipleChoiceField(
        label=_("Välj förslag"), widget=forms.CheckboxSelectMultiple, required=False
    )
    keep_informed = forms.BooleanField(
        label=_("Håll mig informerad med e-post om hur de vinnande förslagen genomförs"),
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        choices: list[tuple[str, str]],
        rule: str = "budget",
        limit: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["proposals"].choices = choices
        self.rule = rule
        self.value_fields = []
        if rule == "ranking":
            places = [("", _("Ingen plats"))] + [
                (str(i), str(i)) for i in range(1, (limit or 1) + 1)
            ]
            for pk, title in choices:
                self.fields[f"v_{pk}"] = forms.ChoiceField(
                    label=_("Plats för %(title)s") % {"title": title},
                    choices=places,
                    required=False,
                )
                self.value_fields.append((pk, f"v_{pk}"))
        elif rule == "points":
            for pk, title in choices:
                self.fields[f"v_{pk}"] = forms.IntegerField(
                    label=_("Poäng till %(title)s") % {"title": title},
                    min_value=0,
                    max_value=limit or 0,
                    required=False,
                    error_messages={
                        "invalid": _("Skriv ett heltal."),
                        "min_value": _("Poängen kan inte vara mindre än 0."),
                        "max_value": _("Du har högst %(limit_value)s poäng."),
                    },
                )
                self.value_fields.append((pk, f"v_{pk}"))

    def values(self) -> dict[int, int]:
        """Proposal id → place or points, for ranking and points ballots."""
        result = {}
        for pk, name in self.value_fields:
            raw = self.cleaned_data.get(name)
            if raw not in (None, ""):
                number = int(raw)
                if number > 0:
                    result[int(pk)] = number
        return result


class SurveyForm(AboutYouForm):
    """Built from the survey's questions; each question is one field (ranking: one per option)."""

    def __init__(self, *args: Any, survey: Survey, staff: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(survey.questions.prefetch_related("options"))
        self.layout: list[dict[str, Any]] = []
        about = {name: self.fields.pop(name) for name in ("district", "age_band", "webbplats")}
        for q in self.questions:
            options = [(str(o.pk), o.text) for o in q.options.all()]
            name = f"q_{q.pk}"
            entry: dict[str, Any] = {"question": q, "names": []}
            if q.kind == QuestionKind.SINGLE:
                self.fields[name] = forms.ChoiceField(
                    label=q.text,
                    choices=options,
                    widget=forms.RadioSelect,
                    required=False,
                    help_text=q.help_text,
                )
                entry["names"] = [name]
            elif q.kind == QuestionKind.MULTIPLE:
                self.fields[name] = forms.MultipleChoiceField(
                    label=q.text,
                    choices=options,
                    widget=forms.CheckboxSelectMultiple,
                    required=False,
                    help_text=q.help_text,
                )
                entry["names"] = [name]
            elif q.kind == QuestionKind.SCALE:
                steps = [(str(v), str(v)) for v in range(q.scale_min, q.scale_max + 1)]
                if q.scale_min_label:
                    steps[0] = (steps[0][0], f"{steps[0][1]} – {q.scale_min_label}")
                if q.scale_max_label:
                    steps[-1] = (steps[-1][0], f"{steps[-1][1]} – {q.scale_max_label}")
                self.fields[name] = forms.ChoiceField(
                    label=q.text,
                    choices=steps,
                    widget=forms.RadioSelect,
                    required=False,
                    help_text=q.help_text,
                )
                entry["names"] = [name]
            elif q.kind == QuestionKind.RANKING:
                places = [("", _("Ingen plats"))] + [
                    (str(i), _("Plats %(n)s") % {"n": i}) for i in range(1, len(options) + 1)
                ]
                for option_pk, text in options:
                    option_name = f"r_{q.pk}_{option_pk}"
                    self.fields[option_name] = forms.ChoiceField(
                        label=text, choices=places, required=False
                    )
                    entry["names"].append(option_name)
            else:
                self.fields[name] = forms.CharField(
                    label=q.text,
                    required=False,
                    max_length=5000,
                    help_text=q.help_text,
                    widget=forms.Textarea(attrs={"rows": 4}),
                )
                entry["names"] = [name]
            self.layout.append(entry)
        self.fields.update(about)
        if staff:
            self.fields["source"] = forms.ChoiceField(
                label=_("Hur kom svaret in?"),
                choices=[c for c in Source.choices if c[0] != Source.ONLINE],
            )
            del self.fields["webbplats"]

    def bound_layout(self) -> list[dict[str, Any]]:
        return [
            {"question": e["question"], "fields": [self[name] for name in e["names"]]}
            for e in self.layout
        ]

    def answers(self) -> dict[int, Any]:
        data: dict[int, Any] = {}
        for q in self.questions:
            if q.kind == QuestionKind.RANKING:
                data[q.pk] = {
                    int(name.rsplit("_", 1)[1]): self.cleaned_data.get(name)
                    for name in self.fields
                    if name.startswith(f"r_{q.pk}_")
                }
            else:
                data[q.pk] = self.cleaned_data.get(f"q_{q.pk}")
        return data

    def add_service_errors(self, errors: dict[int, str]) -> None:
        for entry in self.layout:
            message = errors.get(entry["question"].pk)
            if message:
                self.add_error(entry["names"][0], message)
        if 0 in errors:
            self.add_error(None, errors[0])


# --- Staff -------------------------------------------------------------------------------------


class DialogueForm(forms.ModelForm):
    seen = SeenField()  # a stale page: someone else saved the dialogue meanwhile
    ladder_steps = forms.MultipleChoiceField(
        label=_("Matchningspunkter på delaktighetstrappan"),
        choices=LadderStep.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Flera är möjliga, till exempel information och konsultation."),
    )
    methods = forms.MultipleChoiceField(
        label=_("Metoder"),
        choices=MethodKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Dialogue
        fields = [
            "title",
            "question",
            "initiator",
            "responsible_board",
            "affected_organisations",
            "politically_decided",
            "purpose",
            "ladder_steps",
            "result_use",
            "decision_maker",
            "target_groups",
            "methods",
            "districts",
            "whole_municipality",
            "starts_on",
            "ends_on",
            "feedback_on",
            "goals",
            "assignments",
            "earlier_dialogues",
            "earlier_dialogues_note",
            "identity_level",
        ]
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "feedback_on": DATE,
            "districts": forms.CheckboxSelectMultiple,
            "question": forms.Textarea(attrs={"rows": 3}),
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "result_use": forms.Textarea(attrs={"rows": 3}),
            "target_groups": forms.Textarea(attrs={"rows": 2}),
            "earlier_dialogues_note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible_board"].queryset = Organisation.objects.internal()
        self.fields["goals"].queryset = Goal.objects.select_related("plan")
        self.fields["assignments"].queryset = Assignment.objects.select_related("goal__plan")
        qs = Dialogue.objects.all()
        if self.instance.pk:
            qs = qs.exclude(pk=self.instance.pk)
        self.fields["earlier_dialogues"].queryset = qs


class AnchoringForm(forms.Form):
    anchored_with = forms.CharField(
        label=_("Förankrad med (vem)"),
        max_length=200,
        help_text=_("Till exempel nämndens presidium."),
    )
    anchored_body = forms.CharField(
        label=_("Organ"), max_length=200, help_text=_("Till exempel Kulturnämnden.")
    )
    anchored_on = forms.DateField(label=_("Datum"), widget=DATE)
    seen = SeenField()  # a stale page: someone else saved the dialogue meanwhile


class FeedbackForm(forms.Form):
    summary = forms.CharField(
        label=_("Resultatet i sammanfattning"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    usage = forms.CharField(
        label=_("Hur resultatet har använts"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    decision = forms.CharField(
        label=_("Vilket beslut resultatet har varit underlag för"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    seen = SeenField()  # a stale page: someone else saved the dialogue meanwhile


class CommentForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Kommenterar för"), required=False, queryset=Organisation.objects.none()
    )
    body = forms.CharField(label=_("Kommentar"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations


class OutreachForm(forms.Form):
    done_on = forms.DateField(label=_("Datum"), widget=DATE)
    district = forms.ModelChoiceField(
        label=_("Område"),
        queryset=District.objects.all(),
        required=False,
        empty_label=_("Inget särskilt"),
    )
    age_band = forms.ChoiceField(
        label=_("Åldersgrupp"),
        required=False,
        choices=[("", _("Ingen särskild")), *AgeBand.choices],
    )
    description = forms.CharField(label=_("Vad gjordes?"), widget=forms.Textarea(attrs={"rows": 3}))


class SurveyCreateForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title", "intro", "requires_sign_in", "closes_at"]
        widgets = {"closes_at": DATETIME}


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Frågetyp"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("Fråga"), max_length=500)
    help_text = forms.CharField(label=_("Hjälptext"), max_length=500, required=False)
    required = forms.BooleanField(label=_("Obligatorisk"), required=False)
    options = forms.CharField(
        label=_("Svarsalternativ, ett per rad"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    scale_min = forms.IntegerField(
        label=_("Skalans lägsta värde"), initial=1, min_value=-1000, max_value=1000
    )
    scale_max = forms.IntegerField(
        label=_("Skalans högsta värde"), initial=5, min_value=-1000, max_value=1000
    )
    scale_min_label = forms.CharField(
        label=_("Text vid lägsta värdet"), max_length=60, required=False
    )
    scale_max_label = forms.CharField(
        label=_("Text vid högsta värdet"), max_length=60, required=False
    )


class SummaryForm(forms.Form):
    summary = forms.CharField(
        label=_("Sammanfattning av resultatet (publiceras)"),
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class DiscussionCreateForm(forms.ModelForm):
    class Meta:
        model = Discussion
        fields = ["title", "intro", "rules", "premoderation"]


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Skäl (visas i stället för inlägget)"), max_length=300)


class BudgetCreateForm(forms.ModelForm):
    class Meta:
        model = Budget
        fields = ["title", "intro", "amount", "rule", "max_choices", "counting", "premoderation"]
        widgets = {"rule": forms.RadioSelect, "counting": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["counting"].required = False  # default: most votes first

    def clean_counting(self) -> str:
        return self.cleaned_data.get("counting") or CountingRule.GREEDY


class BudgetRulesForm(forms.ModelForm):
    """The ballot and the counting rule, changeable until voting opens."""

    class Meta:
        model = Budget
        fields = ["rule", "max_choices", "counting"]
        widgets = {"rule": forms.RadioSelect, "counting": forms.RadioSelect}


class DeliveryForm(forms.Form):
    stage = forms.ChoiceField(label=_("Skede"), choices=DeliveryStage.choices)
    on = forms.DateField(label=_("Datum"), widget=DateInput())
    note = forms.CharField(
        label=_("Vad som har hänt (visas för alla)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    responsible = forms.ModelChoiceField(
        label=_("Ansvarig organisation"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        empty_label=_("– Ingen ändring –"),
    )
    photo = forms.FileField(
        label=_("Bild (JPEG, PNG eller HEIC; visas för alla)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": images.ACCEPT}),
    )
    photo_alt = forms.CharField(
        label=_("Beskriv bilden för den som inte ser den"),
        required=False,
        max_length=300,
    )

    def clean_photo(self) -> images.CleanImage | None:
        upload = self.cleaned_data.get("photo")
        # Re-encoded here, without metadata: the original bytes are never stored.
        return images.clean_image(upload) if upload else None

    def clean(self) -> dict:
        data = super().clean()
        if data.get("photo") and not (data.get("photo_alt") or "").strip():
            self.add_error("photo_alt", _("Beskriv vad bilden visar, för den som inte kan se den."))
        return data


class PabulibImportForm(forms.Form):
    file = forms.FileField(label=_("Pabulib-fil (.pb)"))
    counting = forms.ChoiceField(
        label=_("Räkna rösterna med"),
        choices=CountingRule.choices,
        widget=forms.RadioSelect,
        initial=CountingRule.MES,
    )


class AssessForm(forms.Form):
    feasible = forms.TypedChoiceField(
        label=_("Bedömning"),
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        choices=[("yes", _("Genomförbart")), ("no", _("Inte genomförbart"))],
    )
    cost = forms.IntegerField(
        label=_("Beräknad kostnad (kronor)"), min_value=0, max_value=2_000_000_000, required=False
    )
    answer = forms.CharField(
        label=_("Kommunens svar (visas för alla)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    # A stale page: someone else assessed the proposal meanwhile (its assessed_at then).
    seen = DecisionSeenField()


class PhaseForm(forms.Form):
    voting_closes_at = forms.DateTimeField(
        label=_("Omröstningen stänger"), required=False, widget=DATETIME
    )


class LinkAssignmentForm(forms.Form):
    assignment = forms.ModelChoiceField(
        label=_("Befintligt uppdrag"), queryset=Assignment.objects.select_related("goal__plan")
    )


class CreateAssignmentForm(forms.Form):
    goal = forms.ModelChoiceField(
        label=_("Mål som det nya uppdraget hör till"), queryset=Goal.objects.select_related("plan")
    )


class MeetingCreateForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["kind", "title", "starts_at", "ends_at", "place", "accessibility", "capacity"]
        widgets = {"starts_at": DATETIME, "ends_at": DATETIME}


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Minnesanteckningar"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    publish = forms.BooleanField(label=_("Publicera anteckningarna"), required=False)


class OfflineInputForm(forms.Form):
    source = forms.ChoiceField(
        label=_("Hur kom synpunkten in?"),
        choices=[c for c in Source.choices if c[0] != Source.ONLINE],
    )
    meeting = forms.ModelChoiceField(
        label=_("Möte (om det gäller ett)"), required=False, queryset=Meeting.objects.none()
    )
    body = forms.CharField(
        label=_("Synpunkt eller anteckning"), widget=forms.Textarea(attrs={"rows": 5})
    )
    people = forms.IntegerField(
        label=_("Antal personer bakom"), min_value=1, max_value=1_000_000, initial=1
    )
    district = forms.ModelChoiceField(
        label=_("Område"),
        queryset=District.objects.all(),
        required=False,
        empty_label=_("Inte angivet"),
    )
    age_band = forms.ChoiceField(
        label=_("Åldersgrupp"), required=False, choices=[("", _("Inte angiven")), *AgeBand.choices]
    )

    def __init__(self, *args: Any, dialogue: Dialogue, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = dialogue.meetings.all()
