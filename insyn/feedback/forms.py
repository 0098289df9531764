"""Forms for residents and the contact centre. Validation messages are Swedish; rules that
also apply to Open311 and staff live in services (check_location, validate_attributes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from insyn.core import params
from insyn.core.errors import ServiceError
from insyn.core.forms import DATE_INVALID, DateInput, SeenField
from insyn.core.images import ACCEPT, CleanImage, clean_images
from insyn.feedback.alerts import RADII
from insyn.feedback.models import (
    AnswerTemplate,
    Case,
    CaseStatus,
    Category,
    CategoryQuestion,
    Datatype,
    Kind,
    PublicState,
    RoutingRule,
    Source,
    Theme,
)
from insyn.feedback.services import check_location, validate_attributes
from insyn.goals.models import Assignment, Goal
from insyn.organisations.models import District, Organisation
from insyn.organisations.places import exact_place

HONEYPOT = "webbplats"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to three photos; each is re-encoded without metadata (see insyn.core.images)."""

    widget = MultipleFileInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update({"accept": ACCEPT})

    def clean(self, data: Any, initial: Any = None) -> list[CleanImage]:
        return clean_images(data if isinstance(data, (list, tuple)) else [data])


class HoneypotMixin(forms.Form):
    webbplats = forms.CharField(
        label=_("Lämna det här fältet tomt"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_spam(self) -> bool:
        return bool(self.data.get(HONEYPOT))


class ContactMixin(forms.Form):
    contact_name = forms.CharField(
        label=_("Namn"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact_email = forms.EmailField(
        label=_("E-post"),
        required=False,
        help_text=_("Ange e-post om du vill få kvitto och besked när något händer."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    contact_phone = forms.CharField(
        label=_("Telefon"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )


def question_field(q: CategoryQuestion) -> forms.Field:
    common = {
        "label": q.description,
        "required": q.required,
        "help_text": q.datatype_description,
        # Shown after the question itself ("Hur många …?: Svara på frågan."), not Django's
        # generic "Detta fält måste fyllas i.".
        "error_messages": {"required": _("Svara på frågan.")},
    }
    if q.datatype == Datatype.SINGLE:
        choices = q.choices if q.required else [("", _("Inget svar")), *q.choices]
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if q.datatype == Datatype.MULTI:
        return forms.MultipleChoiceField(
            choices=q.choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if q.datatype == Datatype.TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, **common)
    if q.datatype == Datatype.NUMBER:
        return forms.CharField(
            max_length=40, widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common
        )
    if q.datatype == Datatype.DATETIME:
        return forms.CharField(
            max_length=40, widget=forms.TextInput(attrs={"placeholder": _("ÅÅÅÅ-MM-DD")}), **common
        )
    return forms.CharField(max_length=300, **common)


class QuestionsMixin:
    """Adds `q_<code>` fields for the category's questions and validates them as Open311 does."""

    question_category: Category | None = None

    def add_questions(self, category: Category | None) -> None:
        self.question_category = category
        self.questions = list(category.questions.all()) if category else []
        self.info_questions = [q for q in self.questions if not q.variable]
        for q in self.questions:
            if q.variable:
                self.fields[f"q_{q.code}"] = question_field(q)

    @property
    def question_fields(self) -> list[Any]:
        return [self[f"q_{q.code}"] for q in self.questions if q.variable]

    def clean_questions(self, cleaned: dict[str, Any]) -> None:
        if not self.question_category:
            return
        if any(self.has_error(f"q_{q.code}") for q in self.questions if q.variable):
            return  # a question's own field already says what to fix; the service would repeat it
        raw = {q.code: cleaned.get(f"q_{q.code}") for q in self.questions if q.variable}
        try:
            cleaned["attributes"] = validate_attributes(self.question_category, raw, self.questions)
        except ValidationError as exc:
            for err in exc.error_list:
                field = f"q_{err.code}" if err.code and f"q_{err.code}" in self.fields else None
                self.add_error(field, err)


def _float(value: Any) -> float | None:
    if value in (None, ""):
        return None
    return float(value)


class PlaceMixin(forms.Form):
    address_text = forms.CharField(
        label=_("Adress eller platsbeskrivning"),
        required=False,
        max_length=300,
        help_text=_("Till exempel ”Kungsgatan 12” eller ”gångvägen bakom Gottsunda centrum”."),
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    area = forms.ModelChoiceField(
        queryset=District.objects.all(),
        required=False,
        label=_("Område (om du vet)"),
        empty_label=_("Vet inte"),
    )
    lat = forms.FloatField(
        label=_("Latitud"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    long = forms.FloatField(
        label=_("Longitud"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )

    require_place = True

    def clean_place(self, cleaned: dict[str, Any]) -> None:
        lat, long = cleaned.get("lat"), cleaned.get("long")
        try:
            check_location(lat, long)
        except ServiceError as exc:
            self.add_error("lat", exc)
            return
        if lat is None and cleaned.get("address_text"):
            # A place the gazetteer knows by exactly this name gets its point (no JS needed).
            hit = exact_place(cleaned["address_text"])
            if hit is not None:
                cleaned["lat"], cleaned["long"] = hit.lat, hit.long
        if (
            self.require_place
            and lat is None
            and not cleaned.get("address_text")
            and not cleaned.get("area")
            and "address_text" not in self.errors
        ):
            self.add_error(
                "address_text",
                _(
                    "Ange var felet finns: skriv en adress eller platsbeskrivning, välj område "
                    "eller markera en punkt på kartan."
                ),
            )


class FaultPlaceForm(PlaceMixin):
    """Step 1 of a fault report (GET): what and where; nothing personal."""

    category = forms.ModelChoiceField(
        queryset=Category.objects.none(),
        label=_("Vad gäller felet?"),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Välj vad felet gäller."),
            "invalid_choice": _("Välj en av kategorierna."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.for_fault_reports()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.clean_place(cleaned)
        return cleaned


class FaultReportForm(QuestionsMixin, HoneypotMixin, ContactMixin, FaultPlaceForm):
    """Step 2 (POST): the place again (hidden, from step 1) and the rest of the report."""

    description = forms.CharField(
        label=_("Beskriv felet"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Skriv inte personuppgifter om andra. Högst 4 000 tecken."),
        error_messages={"required": _("Skriv några ord om vad som är fel.")},
    )
    photos = PhotosField(
        label=_("Bilder (högst tre)"),
        help_text=_(
            "JPEG, PNG eller HEIC, högst 10 MB per bild. Vi tar bort "
            "platsuppgifter och annan metadata ur bilderna."
        ),
    )

    def __init__(self, *args: Any, category: Category | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("category", "lat", "long", "address_text", "area"):
            self.fields[name].widget = forms.HiddenInput()
        self.add_questions(category)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if (
            cleaned.get("category") is not None
            and self.question_category is not None
            and cleaned["category"].pk != self.question_category.pk
        ):
            self.add_error("category", _("Välj kategori igen."))
        self.clean_questions(cleaned)
        return cleaned


class FeedbackForm(QuestionsMixin, HoneypotMixin, ContactMixin, forms.Form):
    """Synpunkt, idé, beröm or klagomål (one step, POST)."""

    kind = forms.ChoiceField(
        label=_("Vad vill du lämna?"),
        widget=forms.RadioSelect,
        choices=[(k.value, k.label) for k in Kind if k != Kind.FAULT],
        error_messages={"required": _("Välj vad du vill lämna.")},
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(),
        label=_("Vad gäller det?"),
        empty_label=_("Välj ämne"),
        error_messages={
            "required": _("Välj vad det gäller."),
            "invalid_choice": _("Välj ett av ämnena."),
        },
    )
    description = forms.CharField(
        label=_("Din synpunkt"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Skriv inte personuppgifter om andra. Högst 4 000 tecken."),
        error_messages={"required": _("Skriv din synpunkt.")},
    )
    address_text = forms.CharField(
        label=_("Gäller det en särskild plats? (valfritt)"), required=False, max_length=300
    )
    photos = PhotosField(
        label=_("Bilder (högst tre, valfritt)"),
        help_text=_("JPEG, PNG eller HEIC, högst 10 MB per bild."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.for_feedback()
        category = None
        category_id = params.id_or_none(self.data.get("category")) if self.is_bound else None
        if category_id:
            category = (
                Category.objects.for_feedback()
                .filter(pk=category_id)
                .prefetch_related("questions")
                .first()
            )
        self.add_questions(category)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.clean_questions(cleaned)
        return cleaned


class FollowForm(HoneypotMixin, forms.Form):
    email = forms.EmailField(
        label=_("E-post (valfritt)"),
        required=False,
        help_text=_("Om du anger e-post får du besked när något händer i ärendet."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class AlertForm(HoneypotMixin, forms.Form):
    """Subscribe to new public fault reports in a district, or within a radius of a point (the
    point comes from the fault form, the map or the public list as hidden fields)."""

    email = forms.EmailField(
        label=_("Din e-postadress"),
        help_text=_("Vi sparar bara adressen, och raderar den när du avslutar bevakningen."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": _("Ange din e-postadress.")},
    )
    omrade = forms.ModelChoiceField(
        queryset=District.objects.all(),
        required=False,
        label=_("Område"),
        empty_label=_("Inget område (bevaka runt platsen)"),
        error_messages={"invalid_choice": _("Välj ett av områdena i listan.")},
    )
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    long = forms.FloatField(required=False, widget=forms.HiddenInput)
    radie = forms.TypedChoiceField(
        label=_("Avstånd från platsen"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[],
        error_messages={"invalid_choice": _("Välj en av radierna i listan.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["radie"].choices = [(r, _("%(r)s meter") % {"r": r}) for r in RADII]
        self.fields["radie"].initial = 500

    @property
    def has_point(self) -> bool:
        data = self.data if self.is_bound else self.initial
        return bool(data.get("lat")) and bool(data.get("long"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        lat, long = cleaned.get("lat"), cleaned.get("long")
        if cleaned.get("omrade") is None and "omrade" not in self.errors:
            if lat is None or long is None:
                self.add_error("omrade", _("Välj ett område att bevaka."))
            else:
                try:
                    check_location(lat, long)
                except ServiceError as exc:
                    self.add_error("omrade", exc)
                if cleaned.get("radie") is None and "radie" not in self.errors:
                    self.add_error("radie", _("Välj hur långt från platsen du vill bevaka."))
        return cleaned


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Vad är fortfarande fel? (valfritt)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FixedForm(forms.Form):
    fixed = forms.TypedChoiceField(
        label=_("Blev det åtgärdat?"),
        widget=forms.RadioSelect,
        choices=[("yes", _("Ja")), ("no", _("Nej"))],
        coerce=lambda v: v == "yes",
        error_messages={"required": _("Svara ja eller nej.")},
    )


class PublicFilterForm(forms.Form):
    kategori = forms.ModelChoiceField(
        queryset=Category.objects.none(), required=False, label=_("Kategori"), empty_label=_("Alla")
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Alla")), ("open", _("Öppna")), ("closed", _("Avslutade"))],
    )
    # Near a point (a link from a place or the map): same geometry as Open311's lat/long/radius.
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    long = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    radie = forms.IntegerField(
        required=False, widget=forms.HiddenInput, min_value=1, max_value=20_000
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kategori"].queryset = Category.objects.filter(fault_reports=True)


# --- Staff ------------------------------------------------------------------------------------


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Alla")), ("open", _("Alla öppna")), *CaseStatus.choices],
    )
    kategori = forms.ModelChoiceField(
        queryset=Category.objects.all(), required=False, label=_("Kategori"), empty_label=_("Alla")
    )
    organisation = forms.TypedChoiceField(
        label=_("Organisation"), required=False, coerce=int, empty_value=None
    )
    typ = forms.ChoiceField(
        label=_("Typ"), required=False, choices=[("", _("Alla")), *Kind.choices]
    )
    forsenade = forms.BooleanField(label=_("Bara försenade"), required=False)
    nummer = forms.CharField(label=_("Ärendenummer"), required=False, max_length=30)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Organisations in the routing table or holding cases (EXISTS: cheap at any size).
        orgs = Organisation.objects.filter(
            Exists(RoutingRule.objects.filter(organisation=OuterRef("pk")))
            | Exists(Case.objects.filter(organisation=OuterRef("pk")))
        )
        self.fields["organisation"].choices = [
            ("", _("Alla")),
            ("0", _("Ej fördelade")),
            *[(str(o.pk), o.name) for o in orgs.order_by("name").only("name")],
        ]


class StaffCaseForm(PlaceMixin, ContactMixin, forms.Form):
    """A case received by phone, at the desk, by letter or email, registered by staff."""

    source = forms.ChoiceField(
        label=_("Hur kom ärendet in?"),
        choices=[
            (s.value, s.label) for s in (Source.PHONE, Source.DESK, Source.EMAIL, Source.LETTER)
        ],
    )
    kind = forms.ChoiceField(label=_("Typ"), choices=Kind.choices)
    category = forms.ModelChoiceField(queryset=Category.objects.none(), label=_("Kategori"))
    description = forms.CharField(
        label=_("Beskrivning"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )
    photos = PhotosField(label=_("Bilder (högst tre)"))

    require_place = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.active()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.require_place = cleaned.get("kind") == Kind.FAULT
        self.clean_place(cleaned)
        return cleaned


class SeenForm(forms.Form):
    """A case form that remembers when the case was last changed as the page was loaded
    (case.updated_at), so the service can refuse to overwrite someone else's change."""

    seen = SeenField()


class StatusForm(SeenForm):
    status = forms.ChoiceField(label=_("Ny status"), choices=CaseStatus.choices)
    body = forms.CharField(
        label=_("Publik kommentar (valfri)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AnswerForm(SeenForm):
    template = forms.ModelChoiceField(
        queryset=AnswerTemplate.objects.none(),
        required=False,
        label=_("Svarsmall"),
        empty_label=_("Ingen mall"),
    )
    body = forms.CharField(
        label=_("Publikt svar"),
        required=False,
        max_length=4000,
        help_text=_("Lämna tomt för att använda mallens text."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    status = forms.ChoiceField(
        label=_("Sätt status"),
        required=False,
        choices=[("", _("Behåll / enligt mallen")), *CaseStatus.choices],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = AnswerTemplate.objects.filter(active=True)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("body") and not cleaned.get("template"):
            self.add_error("body", _("Skriv ett svar eller välj en mall."))
        return cleaned


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Intern anteckning"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class GoalChoiceField(forms.ModelChoiceField):
    """Goals of every plan year, newest plan first, each named with its year: goal numbers
    repeat from plan to plan ("Fokusmål 1" exists in 2023 and 2024)."""

    def __init__(self, **kwargs: Any) -> None:
        queryset = Goal.objects.select_related("plan").order_by("-plan__year", "order", "number")
        super().__init__(queryset=queryset, **kwargs)

    def label_from_instance(self, obj: Goal) -> str:
        return f"{obj.plan.year}: {obj}"


class AssignmentChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        queryset = Assignment.objects.select_related("goal__plan").order_by(
            "-goal__plan__year", "goal__order", "goal__number", "order", "pk"
        )
        super().__init__(queryset=queryset, **kwargs)

    def label_from_instance(self, obj: Assignment) -> str:
        goal = obj.goal
        return (
            f"{goal.plan.year}: {goal.get_kind_display()} {goal.number}, {obj.heading} – "
            f"{obj.title[:80]}"
        )


def active_organisations() -> Any:
    """Organisations a case can be given to: those active this year (a company that ceased in
    2021 is not offered, and a submitted id of one is refused)."""
    return Organisation.objects.active_in(timezone.localdate().year).order_by("name")


class ReassignForm(SeenForm):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label=_("Ansvarig organisation"),
        empty_label=_("Kontaktcenter (ej fördelat)"),
    )
    note = forms.CharField(label=_("Intern kommentar (valfri)"), required=False, max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = active_organisations()


class TriageForm(SeenForm):
    kind = forms.ChoiceField(label=_("Typ"), choices=Kind.choices)
    category = forms.ModelChoiceField(queryset=Category.objects.active(), label=_("Kategori"))
    reroute = forms.BooleanField(
        label=_("Fördela om enligt fördelningsreglerna"), required=False, initial=True
    )


class MergeForm(SeenForm):
    into = forms.CharField(
        label=_("Slå ihop med ärende (nummer)"),
        max_length=30,
        help_text=_("Det här ärendet stängs; dess bevakare följer sedan det andra ärendet."),
    )

    def clean_into(self) -> str:
        return self.cleaned_data["into"].strip().upper()


class ModerateForm(SeenForm):
    public_description = forms.CharField(
        label=_("Publik beskrivning"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "E-postadresser, telefonnummer och personnummer maskeras automatiskt. "
            "Ta bort namn och andra personuppgifter."
        ),
    )
    public_address = forms.CharField(
        label=_("Publik platsbeskrivning"), required=False, max_length=300
    )
    state = forms.ChoiceField(
        label=_("Publicering"), choices=PublicState.choices, widget=forms.RadioSelect
    )


class BlurForm(forms.Form):
    left = forms.IntegerField(label=_("Vänster (%)"), required=False, min_value=0, max_value=100)
    top = forms.IntegerField(label=_("Överkant (%)"), required=False, min_value=0, max_value=100)
    right = forms.IntegerField(label=_("Höger (%)"), required=False, min_value=0, max_value=100)
    bottom = forms.IntegerField(
        label=_("Nederkant (%)"), required=False, min_value=0, max_value=100
    )

    def box(self) -> tuple[float, float, float, float] | None:
        values = [self.cleaned_data.get(k) for k in ("left", "top", "right", "bottom")]
        if any(v is None for v in values):
            return None
        left, top, right, bottom = (v / 100 for v in values)
        if right <= left or bottom <= top:
            return None
        return left, top, right, bottom


class LinkForm(SeenForm):
    goal = GoalChoiceField(required=False, label=_("Mål"), empty_label=_("Inget"))
    assignment = AssignmentChoiceField(required=False, label=_("Uppdrag"), empty_label=_("Inget"))
    theme = forms.ModelChoiceField(
        queryset=Theme.objects.all(), required=False, label=_("Tema"), empty_label=_("Inget")
    )


class ThemeForm(forms.Form):
    title = forms.CharField(label=_("Rubrik"), max_length=200)
    description = forms.CharField(
        label=_("Beskrivning"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    goal = GoalChoiceField(required=False, label=_("Mål"), empty_label=_("Inget"))
    assignment = AssignmentChoiceField(required=False, label=_("Uppdrag"), empty_label=_("Inget"))


class DialogueLinkForm(forms.Form):
    """Link a dialogue to a theme of cases or to a whole category. The dialogue list comes from
    the app registry (apps.get_model): feedback does not import the dialogue app."""

    dialogue = forms.ModelChoiceField(
        queryset=None, label=_("Dialog"), empty_label=_("– välj dialog –")
    )
    theme = forms.ModelChoiceField(
        queryset=Theme.objects.order_by("title"),
        required=False,
        label=_("Tema"),
        empty_label=_("Inget"),
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.order_by("order", "name"),
        required=False,
        label=_("eller en hel kategori"),
        empty_label=_("Ingen"),
        help_text=_("Välj ett tema eller en kategori, inte båda."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        dialogue_model = apps.get_model("dialogue", "Dialogue")
        # Only public dialogues: a link is shown on public pages, and the contact centre may
        # not know of another board's draft (the privacy crawl found its title here).
        self.fields["dialogue"].queryset = dialogue_model.objects.public().order_by("title")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("theme")) == bool(data.get("category")):
            self.add_error("theme", _("Välj antingen ett tema eller en kategori."))
        return data


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Namn (vem nyckeln är till)"), max_length=200)
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(),
        required=False,
        label=_("Tillhör organisation (valfritt)"),
        empty_label=_("Ingen – en klientapp"),
    )
    rate_per_minute = forms.IntegerField(
        label=_("Anrop per minut"), min_value=1, max_value=100_000, initial=60
    )


class StatisticsForm(forms.Form):
    start = forms.DateField(
        label=_("Från och med"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": DATE_INVALID},
    )
    end = forms.DateField(
        label=_("Till och med"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": DATE_INVALID},
    )

    def period(self) -> tuple[dt.date, dt.date]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or end - dt.timedelta(days=364)
        if start > end:
            start, end = end, start
        return start, end
