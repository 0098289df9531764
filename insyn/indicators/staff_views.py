"""Staff pages under /personal/indikatorer/: indicators and their links and targets, own values,
peer groups, budget uploads, and the Kolada import log. Administrators and compilers only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from insyn.accounts.models import Role
from insyn.accounts.permissions import role_required
from insyn.core.errors import ServiceError, add_to_form, summary_errors
from insyn.core.forms import both_versions
from insyn.indicators import selectors, services
from insyn.indicators.access import (
    access_budget_upload,
    access_indicator,
    access_link,
    access_peer_group,
    access_target,
)
from insyn.indicators.forms import (
    BudgetUploadForm,
    IndicatorForm,
    LinkForm,
    OwnValueForm,
    PeerGroupForm,
    TargetForm,
)
from insyn.indicators.models import (
    BudgetUpload,
    Indicator,
    KpiSource,
    PeerGroup,
)

STAFF_ROLES = (Role.ADMIN, Role.COMPILER)
staff_only = role_required(*STAFF_ROLES)


@staff_only
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "indicators/staff/index.html",
        {
            "indicators": selectors.staff_indicators(),
            "groups": PeerGroup.objects.prefetch_related("members").order_by("order", "title"),
            "uploads": BudgetUpload.objects.select_related("uploaded_by").order_by(
                "-year", "-uploaded_at"
            )[:20],
            "runs": selectors.recent_import_runs(10),
        },
    )


@staff_only
def indicator_create(request: HttpRequest) -> HttpResponse:
    form = IndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            indicator = services.indicator_create(
                kpi=data["kpi"],
                title=data["title"],
                description=data["description"],
                unit=data["unit"],
                direction=data["direction"],
                is_published=data["is_published"],
                is_divided_by_gender=data["is_divided_by_gender"],
                signal_key=data.get("signal") or "",
                by=request.user,
            )
        except ServiceError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Indikatorn har skapats."))
            return redirect("indicators_staff:edit", pk=indicator.pk)
    return render(request, "indicators/staff/indicator_form.html", {"form": form})


def _saved(indicator: Indicator) -> dict[str, Any]:
    """The edit form's starting point: the indicator as saved, and when."""
    return {
        "title": indicator.title,
        "description": indicator.description,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "is_published": indicator.is_published,
        "seen": indicator.updated_at.isoformat(),
    }


def _edit_context(indicator: Indicator, **forms) -> dict:
    return {
        "indicator": indicator,
        "form": forms.get("form") or IndicatorForm(editing=True, initial=_saved(indicator)),
        "versions": forms.get("versions"),
        "link_form": forms.get("link_form") or LinkForm(),
        "target_form": forms.get("target_form") or TargetForm(),
        "value_form": forms.get("value_form") or OwnValueForm(),
        "links": indicator.links.select_related("goal__plan", "assignment"),
        "targets": indicator.targets.order_by("year"),
        "is_own": indicator.kpi.source == KpiSource.OWN,
        "own_values": selectors.own_values(indicator)
        if indicator.kpi.source == KpiSource.OWN
        else [],
    }


@staff_only
def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = access_indicator(request.user, pk, write=request.method == "POST")
    form = IndicatorForm(request.POST or None, editing=True) if request.method == "POST" else None
    versions = None
    if form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            services.indicator_update(
                indicator=indicator,
                title=data["title"],
                description=data["description"],
                unit=data["unit"],
                direction=data["direction"],
                is_published=data["is_published"],
                seen=data.get("seen"),
                by=request.user,
            )
        except services.IndicatorChanged as exc:
            # Both versions side by side; the form keeps this person's, based on the new one.
            saved = _saved(exc.current)
            versions = both_versions(form, saved)
            post = request.POST.copy()
            post["seen"] = saved["seen"]
            form = IndicatorForm(post, editing=True)
            form.is_valid()
            add_to_form(form, exc)
        else:
            messages.success(request, _("Indikatorn har sparats."))
            return redirect("indicators_staff:edit", pk=indicator.pk)
    return render(
        request,
        "indicators/staff/indicator_edit.html",
        _edit_context(indicator, form=form, versions=versions),
        status=400 if request.method == "POST" else 200,
    )


@staff_only
@require_POST
def link_add(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = access_indicator(request.user, pk, write=request.method == "POST")
    form = LinkForm(request.POST)
    if form.is_valid():
        try:
            services.indicator_link(
                indicator=indicator,
                goal=form.cleaned_data["goal"],
                assignment=form.cleaned_data["assignment"],
                by=request.user,
            )
        except ServiceError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Kopplingen har sparats."))
            return redirect("indicators_staff:edit", pk=indicator.pk)
    return render(
        request,
        "indicators/staff/indicator_edit.html",
        _edit_context(indicator, link_form=form),
        status=400,
    )


@staff_only
@require_POST
def link_remove(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    link = access_link(request.user, link_pk, indicator_id=pk, write=True)
    services.indicator_unlink(link=link, by=request.user)
    messages.success(request, _("Kopplingen har tagits bort."))
    return redirect("indicators_staff:edit", pk=pk)


@staff_only
@require_POST
def target_set(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = access_indicator(request.user, pk, write=request.method == "POST")
    form = TargetForm(request.POST)
    if form.is_valid():
        services.target_set(
            indicator=indicator,
            year=form.cleaned_data["year"],
            value=form.cleaned_data["value"],
            note=form.cleaned_data["note"],
            by=request.user,
        )
        messages.success(request, _("Målvärdet har sparats."))
        return redirect("indicators_staff:edit", pk=indicator.pk)
    return render(
        request,
        "indicators/staff/indicator_edit.html",
        _edit_context(indicator, target_form=form),
        status=400,
    )


@staff_only
@require_POST
def target_remove(request: HttpRequest, pk: int, target_pk: int) -> HttpResponse:
    target = access_target(request.user, target_pk, indicator_id=pk, write=True)
    services.target_delete(target=target, by=request.user)
    messages.success(request, _("Målvärdet har tagits bort."))
    return redirect("indicators_staff:edit", pk=pk)


@staff_only
@require_POST
def own_value_set(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = access_indicator(request.user, pk, write=request.method == "POST")
    if indicator.kpi.source != KpiSource.OWN:
        messages.error(
            request, _("Kolada-värden kommer från importen och kan inte matas in för hand.")
        )
        return redirect("indicators_staff:edit", pk=indicator.pk)
    form = OwnValueForm(request.POST)
    if form.is_valid():
        try:
            services.own_value_set(
                indicator=indicator,
                period=form.cleaned_data["year"],
                gender=form.cleaned_data["gender"],
                value=form.cleaned_data["value"],
                by=request.user,
            )
        except ServiceError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Värdet har sparats."))
            return redirect("indicators_staff:edit", pk=indicator.pk)
    return render(
        request,
        "indicators/staff/indicator_edit.html",
        _edit_context(indicator, value_form=form),
        status=400,
    )


@staff_only
@require_POST
def own_value_remove(request: HttpRequest, pk: int, year: int, gender: str) -> HttpResponse:
    indicator = access_indicator(request.user, pk, write=request.method == "POST")
    try:
        services.own_value_delete(indicator=indicator, period=year, gender=gender, by=request.user)
    except ServiceError as exc:
        for message in summary_errors(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("Värdet har tagits bort."))
    return redirect("indicators_staff:edit", pk=pk)


@staff_only
def peer_group_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    group = access_peer_group(request.user, pk, write=request.method == "POST") if pk else None
    initial = {}
    if group is not None:
        initial = {
            "title": group.title,
            "description": group.description,
            "members_text": "\n".join(area.title for area in group.members.order_by("title")),
            "show_on_pages": group.show_on_pages,
            "order": group.order,
        }
    form = PeerGroupForm(request.POST or None, group=group, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            group = services.peer_group_save(
                group=group,
                title=data.get("title", group.title if group else ""),
                description=data["description"],
                members=data.get("members_text"),
                show_on_pages=data["show_on_pages"],
                order=data["order"] or 0,
                by=request.user,
            )
        except ServiceError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Jämförelsegruppen har sparats."))
            return redirect("indicators_staff:index")
    return render(
        request,
        "indicators/staff/peer_group_form.html",
        {"form": form, "group": group, "members": group.members.order_by("title") if group else []},
    )


@staff_only
@require_POST
def peer_group_remove(request: HttpRequest, pk: int) -> HttpResponse:
    group = access_peer_group(request.user, pk, write=request.method == "POST")
    try:
        services.peer_group_delete(group=group, by=request.user)
    except ServiceError as exc:
        for message in summary_errors(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("Jämförelsegruppen har tagits bort."))
    return redirect("indicators_staff:index")


@staff_only
def budget_upload(request: HttpRequest) -> HttpResponse:
    form = BudgetUploadForm(request.POST or None, request.FILES or None)
    row_errors: list[str] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload_file = form.cleaned_data["file"]
            try:
                upload = services.budget_upload(
                    year=form.cleaned_data["year"],
                    file_name=upload_file.name,
                    content=upload_file.read(),
                    note=form.cleaned_data["note"],
                    by=request.user,
                )
            except services.BudgetUploadError as exc:
                row_errors = exc.errors
            else:
                messages.success(
                    request, _("Budgeten har lästs in som utkast. Granska och publicera.")
                )
                return redirect("indicators_staff:budget_detail", pk=upload.pk)
        status = 400
    return render(
        request,
        "indicators/staff/budget_upload.html",
        {"form": form, "row_errors": row_errors},
        status=status,
    )


@staff_only
def budget_detail(request: HttpRequest, pk: int) -> HttpResponse:
    upload = access_budget_upload(request.user, pk, write=request.method == "POST")
    lines = upload.lines.select_related("organisation").order_by("row")
    return render(
        request, "indicators/staff/budget_detail.html", {"upload": upload, "lines": lines}
    )


@staff_only
@require_POST
def budget_publish(request: HttpRequest, pk: int) -> HttpResponse:
    upload = access_budget_upload(request.user, pk, write=request.method == "POST")
    services.budget_publish(upload=upload, by=request.user)
    messages.success(request, _("Budgeten för %(year)s är publicerad.") % {"year": upload.year})
    return redirect("indicators_staff:budget_detail", pk=upload.pk)


@staff_only
@require_POST
def budget_remove(request: HttpRequest, pk: int) -> HttpResponse:
    upload = access_budget_upload(request.user, pk, write=request.method == "POST")
    try:
        services.budget_delete_draft(upload=upload, by=request.user)
    except ServiceError as exc:
        for message in summary_errors(exc):
            messages.error(request, message)
        return redirect("indicators_staff:budget_detail", pk=upload.pk)
    messages.success(request, _("Utkastet har tagits bort."))
    return redirect("indicators_staff:index")


@staff_only
def import_runs(request: HttpRequest) -> HttpResponse:
    return render(
        request, "indicators/staff/import_runs.html", {"runs": selectors.recent_import_runs(100)}
    )
