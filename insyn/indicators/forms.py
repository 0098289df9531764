"""Staff forms for indicators, targets, links, own values, peer groups and budget uploads."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from insyn.core import registry
from insyn.core.forms import SeenField
from insyn.goals.models import Assignment, Goal
from insyn.indicators.models import (
    Area,
    AreaType,
    Direction,
    Gender,
    Kpi,
    KpiSource,
    PeerGroup,
)


class IndicatorForm(forms.Form):
    SOURCE_CHOICES = [
        ("kolada", _("Nyckeltal från Kolada")),
        ("own", _("Kommunens egen indikator (värden matas in här)")),
        ("insyn", _("Invånarnas signaler: beräknas av Insyn ur ärenden och dialoger")),
    ]

    source = forms.ChoiceField(
        label=_("Källa"), choices=SOURCE_CHOICES, widget=forms.RadioSelect, initial="kolada"
    )
    kpi_id = forms.CharField(
        label=_("KPI-id i Kolada"),
        max_length=40,
        required=False,
        help_text=_("Till exempel N00097. Nyckeltalet måste vara inläst med insyn import-kolada."),
    )
    signal = forms.ChoiceField(
        label=_("Signal"),
        required=False,
        help_text=_(
            "Gäller invånarnas signaler. Värdena beräknas varje natt med insyn compute-signals."
        ),
    )
    title = forms.CharField(
        label=_("Rubrik"), max_length=300, required=False, help_text=_("Tomt = Koladas titel.")
    )
    description = forms.CharField(
        label=_("Beskrivning"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    unit = forms.CharField(
        label=_("Enhet"),
        max_length=50,
        required=False,
        help_text=_("Till exempel %, kr/inv eller antal. Tomt = gissas från Koladas titel."),
    )
    direction = forms.ChoiceField(
        label=_("Vad är bättre?"),
        choices=Direction.choices,
        widget=forms.RadioSelect,
        initial=Direction.NONE,
    )
    is_divided_by_gender = forms.BooleanField(
        label=_("Redovisas per kön (gäller egna indikatorer)"), required=False
    )
    is_published = forms.BooleanField(label=_("Publicerad (visas för invånarna)"), required=False)
    # Editing: when the indicator was last saved as the page was loaded (a stale page is refused).
    seen = SeenField()

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            for name in ("source", "kpi_id", "signal", "is_divided_by_gender"):
                del self.fields[name]
        else:
            del self.fields["seen"]
            self.fields["signal"].choices = [("", _("– välj signal –"))] + [
                (signal.key, signal.title) for signal in registry.signals()
            ]

    def clean(self):
        data = super().clean()
        if self.editing:
            return data
        if data.get("source") == "kolada":
            kpi_id = (data.get("kpi_id") or "").strip().upper()
            if not kpi_id:
                self.add_error("kpi_id", _("Ange Koladas KPI-id, till exempel N00097."))
            else:
                kpi = Kpi.objects.filter(pk=kpi_id, source=KpiSource.KOLADA).first()
                if kpi is None:
                    self.add_error(
                        "kpi_id",
                        _(
                            "Nyckeltalet %(id)s finns inte i databasen. Läs "
                            "in det först med insyn import-kolada."
                        )
                        % {"id": kpi_id},
                    )
                data["kpi"] = kpi
        elif data.get("source") == "insyn":
            data["kpi"] = None
            if not data.get("signal"):
                self.add_error("signal", _("Välj vilken signal indikatorn ska visa."))
        else:
            data["kpi"] = None
            data["signal"] = ""
            if not (data.get("title") or "").strip():
                self.add_error("title", _("Ange en rubrik för den egna indikatorn."))
        return data


class LinkForm(forms.Form):
    goal = forms.ModelChoiceField(
        label=_("Mål"), queryset=Goal.objects.none(), required=False, empty_label=_("– välj mål –")
    )
    assignment = forms.ModelChoiceField(
        label=_("Uppdrag (valfritt)"),
        queryset=Assignment.objects.none(),
        required=False,
        empty_label=_("– hela målet –"),
        help_text=_("Välj ett uppdrag om indikatorn bara mäter det uppdraget."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        goals = Goal.objects.select_related("plan").order_by("-plan__year", "order", "number")
        self.fields["goal"].queryset = goals
        self.fields["goal"].label_from_instance = lambda g: (
            f"{g.plan.year} · {g.get_kind_display()} {g.number}. {g.title}"
        )
        assignments = Assignment.objects.select_related("goal__plan").order_by(
            "-goal__plan__year", "goal__order", "order", "pk"
        )
        self.fields["assignment"].queryset = assignments
        self.fields["assignment"].label_from_instance = lambda a: (
            f"{a.goal.plan.year} · {a.goal.number} · {a.heading}: {a.title[:70]}"
        )

    def clean(self):
        data = super().clean()
        goal, assignment = data.get("goal"), data.get("assignment")
        if goal is None and assignment is not None:
            data["goal"] = assignment.goal
        elif goal is None:
            self.add_error("goal", _("Välj ett mål eller ett uppdrag."))
        elif assignment is not None and assignment.goal_id != goal.pk:
            self.add_error("assignment", _("Uppdraget hör inte till det valda målet."))
        return data


class TargetForm(forms.Form):
    year = forms.IntegerField(label=_("År"), min_value=1990, max_value=2100)
    value = forms.FloatField(label=_("Målvärde"), localize=True)
    note = forms.CharField(label=_("Kommentar"), max_length=300, required=False)


class OwnValueForm(forms.Form):
    year = forms.IntegerField(label=_("År"), min_value=1900, max_value=2100)
    gender = forms.ChoiceField(label=_("Kön"), choices=Gender.choices, initial=Gender.TOTAL)
    value = forms.FloatField(label=_("Värde"), localize=True)


class PeerGroupForm(forms.Form):
    title = forms.CharField(label=_("Namn"), max_length=300)
    description = forms.CharField(
        label=_("Beskrivning"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Varför just dessa kommuner?"),
    )
    members_text = forms.CharField(
        label=_("Kommuner"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Kommunkoder eller namn, en per rad eller åtskilda med komma, till exempel "
            "0580 eller Linköping."
        ),
    )
    show_on_pages = forms.BooleanField(
        label=_("Visa gruppens medelvärde i jämförelserna"), required=False
    )
    order = forms.IntegerField(label=_("Ordning"), min_value=0, max_value=999, initial=0)

    def __init__(self, *args, group: PeerGroup | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.group = group
        if group is not None and group.is_kolada:
            for name in ("title", "members_text"):
                del self.fields[name]

    def clean_members_text(self) -> list[Area]:
        text = self.cleaned_data.get("members_text") or ""
        wanted = [part.strip() for part in re.split(r"[,;\n]", text) if part.strip()]
        areas = list(Area.objects.filter(type__in=[AreaType.MUNICIPALITY, AreaType.REGION]))
        by_key = {a.pk: a for a in areas}
        by_key.update({a.title.casefold(): a for a in areas})
        found, unknown = [], []
        for item in wanted:
            area = by_key.get(item) or by_key.get(item.casefold())
            if area is None:
                unknown.append(item)
            elif area not in found:
                found.append(area)
        if unknown:
            raise forms.ValidationError(
                _(
                    "Okända kommuner: %(names)s. Skriv kommunkod eller namn som i Kolada (läs in "
                    "kommunlistan med insyn import-kolada)."
                )
                % {"names": ", ".join(unknown)}
            )
        return found


class BudgetUploadForm(forms.Form):
    year = forms.IntegerField(label=_("Budgetår"), min_value=1990, max_value=2100)
    file = forms.FileField(
        label=_("Fil (Excel .xlsx eller CSV)"),
        help_text=_(
            "Kolumner: Nämnd, Verksamhet (valfri), Nettokostnad "
            "(mnkr). En rad per nämnd eller per verksamhet."
        ),
    )
    note = forms.CharField(label=_("Kommentar"), max_length=300, required=False)
