"""Contact-centre pages under /personal/arenden/ (role Kontaktcenter; administrators pass)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from insyn.accounts.models import Role
from insyn.accounts.permissions import SAFE_METHODS, has_role, role_required
from insyn.core import params, spreadsheets
from insyn.core.errors import ServiceError, add_to_form
from insyn.core.forms import ModerationSeenForm, both_versions
from insyn.feedback import selectors, services, staff_home
from insyn.feedback.access import access_api_key, access_case, access_photo, handled_organisations
from insyn.feedback.forms import (
    AnswerForm,
    ApiKeyForm,
    BlurForm,
    DialogueLinkForm,
    InboxFilterForm,
    LinkForm,
    MergeForm,
    ModerateForm,
    NoteForm,
    ReassignForm,
    StaffCaseForm,
    StatisticsForm,
    StatusForm,
    ThemeForm,
    TriageForm,
)
from insyn.feedback.models import (
    AnswerTemplate,
    Case,
    CasePhoto,
    Category,
    DialogueLink,
    Open311ApiKey,
    PublicState,
    RoutingRule,
    Theme,
)
from insyn.organisations.models import District

contact_centre = role_required(Role.CONTACT_CENTRE)
# Case handlers (a board's or company's own staff) read, answer and change the status of the
# cases routed to their organisation; routing, triage, merging and publishing stay with the
# contact centre.
case_staff = role_required(Role.CONTACT_CENTRE, Role.CASE_HANDLER)
admin_only = role_required(Role.ADMIN)


def _case(request: HttpRequest, number: str) -> Case:
    return access_case(request.user, number, write=request.method not in SAFE_METHODS)


# --- Inbox --------------------------------------------------------------------------------


@case_staff
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    form, filters = _inbox_filters(request)
    allowed = handled_organisations(request.user)
    page = selectors.inbox(filters, organisation_ids=allowed)
    map_query = filters.querystring()
    return render(
        request,
        "feedback/staff/inbox.html",
        {
            "form": form,
            "page": page,
            "query": map_query,
            "now": timezone.now(),
            "last_updated": timezone.now(),
            "map_points_url": reverse("feedback_staff:inbox_map_data")
            + (f"?{map_query}" if map_query else ""),
            "map_count": selectors.inbox_map_count(filters, organisation_ids=allowed),
            "map_count_limit": selectors.INBOX_MAP_COUNT_LIMIT,
        },
    )


@case_staff
@require_GET
def inbox_map_data(request: HttpRequest) -> JsonResponse:
    """The inbox's map for one viewport (`bbox`, `zoom`, as the public map asks): located cases
    matching the same filters, limited like the inbox; points up to a limit, clusters above."""
    _form, filters = _inbox_filters(request)
    try:
        bbox = params.bbox_param(request.GET)
    except params.BadParameter as error:
        return JsonResponse({"error": error.message}, status=400)
    zoom = params.int_param(request.GET, "zoom", low=0, high=22, ignore=True)
    response = JsonResponse(
        selectors.inbox_map_points(
            filters, bbox=bbox, zoom=zoom, organisation_ids=handled_organisations(request.user)
        )
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _inbox_filters(request: HttpRequest) -> tuple[InboxFilterForm, selectors.InboxFilters]:
    form = InboxFilterForm(request.GET or None)
    filters = selectors.InboxFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters.status = data.get("status") or ""
        filters.category = data["kategori"].pk if data.get("kategori") else None
        filters.organisation = data.get("organisation")
        filters.kind = data.get("typ") or ""
        filters.overdue = bool(data.get("forsenade"))
        filters.number = data.get("nummer") or ""
    filters.page = params.page_param(request.GET)
    return form, filters


@contact_centre
@require_http_methods(["GET", "POST"])
def new_case(request: HttpRequest) -> HttpResponse:
    """Register a case received by phone, at the desk, by letter or email."""
    form = StaffCaseForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            receipt = services.register_on_behalf(
                by=request.user,
                source=data["source"],
                kind=data["kind"],
                category=data["category"],
                description=data["description"],
                lat=data.get("lat"),
                long=data.get("long"),
                address_text=data.get("address_text", ""),
                area=data.get("area"),
                photos=data.get("photos", []),
                contact_name=data.get("contact_name", ""),
                contact_email=data.get("contact_email", ""),
                contact_phone=data.get("contact_phone", ""),
            )
        except ValidationError as exc:  # a ServiceError, or validate_email's refusal
            add_to_form(form, exc)
        else:
            # The link is shown once so it can be read out to the resident (it is also emailed).
            request.session["feedback_staff_receipt"] = {
                "number": receipt.case.number,
                "url": receipt.tracking_url,
            }
            return redirect("feedback_staff:case", number=receipt.case.number)
    return render(
        request,
        "feedback/staff/new_case.html",
        {"form": form, "last_updated": timezone.now()},
        status=400 if request.method == "POST" else 200,
    )


# --- One case -------------------------------------------------------------------------------

# Several forms on the case page share field names (status, body): their ids get a prefix.
AUTO_IDS = {
    "status_form": "status_%s",
    "answer_form": "answer_%s",
    "note_form": "note_%s",
    "reassign_form": "reassign_%s",
    "triage_form": "triage_%s",
    "merge_form": "merge_%s",
    "moderate_form": "moderate_%s",
    "link_form": "link_%s",
}


def _initials(case: Case) -> dict[str, dict[str, Any]]:
    """What each form on the case page starts from: the case as it is now, and when it was
    last changed (seen: a stale page is refused, see services.CaseChanged)."""
    seen = case.updated_at.isoformat()
    return {
        "status_form": {"status": case.status, "seen": seen},
        "answer_form": {"seen": seen},
        "note_form": {},
        "reassign_form": {"organisation": case.organisation_id, "seen": seen},
        "triage_form": {
            "kind": case.kind,
            "category": case.category_id,
            "reroute": False,
            "seen": seen,
        },
        "merge_form": {"seen": seen},
        "moderate_form": {
            "public_description": case.public_description,
            "public_address": case.public_address,
            "state": case.public_state,
            "seen": seen,
        },
        "link_form": {
            "goal": case.goal_id,
            "assignment": case.assignment_id,
            "theme": case.theme_id,
            "seen": seen,
        },
    }


FORM_CLASSES: dict[str, type] = {
    "status_form": StatusForm,
    "answer_form": AnswerForm,
    "note_form": NoteForm,
    "reassign_form": ReassignForm,
    "triage_form": TriageForm,
    "merge_form": MergeForm,
    "moderate_form": ModerateForm,
    "link_form": LinkForm,
}


def _case_page(
    request: HttpRequest,
    case: Case,
    status: int = 200,
    conflict: dict[str, Any] | None = None,
    **forms: Any,
) -> HttpResponse:
    initials = _initials(case)
    defaults: dict[str, Any] = {
        name: form_class(initial=initials[name], auto_id=AUTO_IDS[name])
        for name, form_class in FORM_CLASSES.items()
    }
    defaults["blur_form"] = BlurForm()
    defaults.update(forms)
    fresh = request.session.get("feedback_staff_receipt")
    if fresh and fresh.get("number") == case.number:
        del request.session["feedback_staff_receipt"]
    else:
        fresh = None
    return render(
        request,
        "feedback/staff/case.html",
        {
            "case": case,
            **selectors.case_detail(case),
            **defaults,
            "fresh_receipt": fresh,
            "is_contact_centre": has_role(request.user, Role.CONTACT_CENTRE),
            "templates": AnswerTemplate.objects.filter(active=True),
            "governance": selectors.governance_link(case),
            "conflict": conflict,
            "last_updated": case.updated_at,
        },
        status=status,
    )


@case_staff
@require_GET
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _case_page(request, _case(request, number))


def _action(
    request: HttpRequest, number: str, form_class: type, form_name: str, do: Any, success: str
) -> HttpResponse:
    case = _case(request, number)
    form = form_class(request.POST, auto_id=AUTO_IDS[form_name])
    conflict = None
    if form.is_valid():
        try:
            do(case, form.cleaned_data)
        except services.CaseChanged as exc:
            # Keep what this person wrote, next to the case as it is now; sending again is
            # based on the new version.
            conflict = {"rows": both_versions(form, _initials(exc.current)[form_name])}
            data = request.POST.copy()
            data["seen"] = exc.current.updated_at.isoformat()
            form = form_class(data, auto_id=AUTO_IDS[form_name])
            form.is_valid()
            add_to_form(form, exc)
        except ValidationError as exc:  # a ServiceError, or validate_email's refusal
            add_to_form(form, exc)
        else:
            messages.success(request, success)
            return redirect("feedback_staff:case", number=case.number)
    return _case_page(
        request, _case(request, number), status=400, conflict=conflict, **{form_name: form}
    )


@case_staff
@require_POST
def case_status(request: HttpRequest, number: str) -> HttpResponse:
    return _action(
        request,
        number,
        StatusForm,
        "status_form",
        lambda case, d: services.change_status(
            case=case, status=d["status"], body=d.get("body", ""), by=request.user, seen=d["seen"]
        ),
        _("Statusen är ändrad och bevakarna har fått besked."),
    )


@case_staff
@require_POST
def case_answer(request: HttpRequest, number: str) -> HttpResponse:
    return _action(
        request,
        number,
        AnswerForm,
        "answer_form",
        lambda case, d: services.answer(
            case=case,
            body=d.get("body", ""),
            template=d.get("template"),
            status=d.get("status", ""),
            by=request.user,
            seen=d["seen"],
        ),
        _("Svaret är publicerat och bevakarna har fått besked."),
    )


@case_staff
@require_POST
def case_note(request: HttpRequest, number: str) -> HttpResponse:
    return _action(
        request,
        number,
        NoteForm,
        "note_form",
        lambda case, d: services.add_note(case=case, body=d["body"], by=request.user),
        _("Anteckningen är sparad."),
    )


@contact_centre
@require_POST
def case_reassign(request: HttpRequest, number: str) -> HttpResponse:
    return _action(
        request,
        number,
        ReassignForm,
        "reassign_form",
        lambda case, d: services.reassign(
            case=case,
            organisation=d["organisation"],
            note=d.get("note", ""),
            seen=d["seen"],
            by=request.user,
        ),
        _("Ärendet är fördelat."),
    )


@contact_centre
@require_POST
def case_triage(request: HttpRequest, number: str) -> HttpResponse:
    return _action(
        request,
        number,
        TriageForm,
        "triage_form",
        lambda case, d: services.triage(
            case=case,
            kind=d["kind"],
            category=d["category"],
            reroute=d.get("reroute", False),
            seen=d["seen"],
            by=request.user,
        ),
        _("Typ och kategori är sparade."),
    )


@contact_centre
@require_POST
def case_merge(request: HttpRequest, number: str) -> HttpResponse:
    def do(case: Case, data: dict[str, Any]) -> None:
        into = Case.objects.filter(number=data["into"]).first()
        if into is None:
            raise ValidationError(
                _("Det finns inget ärende med numret %(n)s.") % {"n": data["into"]}
            )
        services.merge(duplicate=case, into=into, by=request.user, seen=data["seen"])

    return _action(
        request,
        number,
        MergeForm,
        "merge_form",
        do,
        _("Ärendena är sammanslagna; alla bevakare följer nu det kvarvarande."),
    )


@contact_centre
@require_POST
def case_moderate(request: HttpRequest, number: str) -> HttpResponse:
    return _action(
        request,
        number,
        ModerateForm,
        "moderate_form",
        lambda case, d: services.moderate(
            case=case,
            public_description=d.get("public_description", ""),
            public_address=d.get("public_address", ""),
            state=d["state"],
            seen=d["seen"],
            by=request.user,
        ),
        _("Publiceringen är sparad."),
    )


@contact_centre
@require_POST
def case_link(request: HttpRequest, number: str) -> HttpResponse:
    return _action(
        request,
        number,
        LinkForm,
        "link_form",
        lambda case, d: services.link_governance(
            case=case,
            goal=d.get("goal"),
            assignment=d.get("assignment"),
            theme=d.get("theme"),
            seen=d["seen"],
            by=request.user,
        ),
        _("Kopplingen är sparad."),
    )


# --- Photos ------------------------------------------------------------------------------


def _photo(request: HttpRequest, uuid: Any) -> CasePhoto:
    return access_photo(request.user, uuid, write=request.method not in SAFE_METHODS)


@case_staff
@require_GET
def photo(request: HttpRequest, uuid: Any) -> FileResponse:
    item = _photo(request, uuid)
    if not item.image:
        raise Http404
    response = FileResponse(item.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


@case_staff
@require_GET
def photo_public(request: HttpRequest, uuid: Any) -> FileResponse:
    item = _photo(request, uuid)
    if not item.public_image:
        raise Http404
    response = FileResponse(item.public_image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


@contact_centre
@require_POST
def photo_blur(request: HttpRequest, uuid: Any) -> HttpResponse:
    item = _photo(request, uuid)
    form = BlurForm(request.POST)
    if form.is_valid() and item.image:
        services.blur_photo(photo=item, by=request.user, box=form.box())
        messages.success(request, _("Bilden är suddad i den publika versionen."))
    else:
        messages.error(request, _("Bilden kunde inte suddas."))
    return redirect("feedback_staff:case", number=item.case.number)


@contact_centre
@require_POST
def photo_hide(request: HttpRequest, uuid: Any) -> HttpResponse:
    item = _photo(request, uuid)
    hidden = request.POST.get("hidden") == "1"
    services.set_photo_hidden(photo=item, hidden=hidden, by=request.user)
    messages.success(
        request, _("Bilden visas inte publikt.") if hidden else _("Bilden visas publikt.")
    )
    return redirect("feedback_staff:case", number=item.case.number)


# --- Statistics ------------------------------------------------------------------------------

STATS_CACHE_SECONDS = 120


def _stats(request: HttpRequest) -> tuple[StatisticsForm, selectors.Statistics]:
    """A year of a million cases takes seconds to count: the page and its CSV share a result
    for two minutes."""
    form = StatisticsForm(request.GET or None)
    start, end = form.period()
    if not form.is_bound or form.is_valid():
        # The fields show the period the figures are for: a year up to today when none is
        # given, the dates put in order. A date that is not one keeps its field and its error.
        form = StatisticsForm({"start": f"{start:%Y-%m-%d}", "end": f"{end:%Y-%m-%d}"})
    stats = cache.get_or_set(
        f"feedback:statistics:{start}:{end}",
        lambda: selectors.statistics(start=start, end=end),
        STATS_CACHE_SECONDS,
    )
    return form, stats


@contact_centre
@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    form, stats = _stats(request)
    return render(
        request,
        "feedback/staff/statistics.html",
        {
            "form": form,
            "stats": stats,
            "query": request.GET.urlencode(),
            "last_updated": timezone.now(),
        },
    )


def _hours(value: Any) -> str:
    return "" if value is None else f"{value.total_seconds() / 3600:.1f}"


@contact_centre
@require_GET
def statistics_csv(request: HttpRequest) -> HttpResponse:
    _form, stats = _stats(request)
    rows: list[list[Any]] = [
        ["period", f"{stats.start}–{stats.end}", ""],
        ["antal", "totalt", stats.total],
    ]
    for section, group in (
        ("typ", stats.by_kind),
        ("kategori", stats.by_category),
        ("organisation", stats.by_organisation),
        ("månad", stats.by_month),
    ):
        for label, n in group:
            rows.append([section, label, n])
    rate = stats.on_time_rate
    rows += [
        ["median tid till första svar (timmar)", "", _hours(stats.median_first_answer)],
        ["median tid till åtgärd (timmar)", "", _hours(stats.median_resolution)],
        ["åtgärdade", "totalt", stats.resolved],
        ["åtgärdade", "i tid", stats.resolved_on_time],
        ["andel i tid", "", "" if rate is None else f"{rate:.3f}"],
        ["invånarens svar: åtgärdat", "ja", stats.fixed_yes],
        ["invånarens svar: åtgärdat", "nej", stats.fixed_no],
    ]
    return spreadsheets.csv_response(
        ["mått", "grupp", "värde"],
        rows,
        f"synpunkter-statistik-{stats.start}-{stats.end}.csv",
        delimiter=";",
    )


# --- Routing overview, themes, API keys ---------------------------------------------------


@contact_centre
@require_GET
def routing(request: HttpRequest) -> HttpResponse:
    categories = list(
        Category.objects.prefetch_related(
            "questions",
            Prefetch(
                "routing_rules", queryset=RoutingRule.objects.select_related("area", "organisation")
            ),
        )
    )
    return render(
        request,
        "feedback/staff/routing.html",
        {
            "categories": categories,
            "areas": list(District.objects.all()),
            "areas_approximate": District.objects.filter(approximate=True).exists(),
            "templates": list(AnswerTemplate.objects.all()),
            "last_updated": timezone.now(),
        },
    )


@contact_centre
@require_http_methods(["GET", "POST"])
def themes(request: HttpRequest) -> HttpResponse:
    form = ThemeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_theme(
                title=data["title"],
                description=data.get("description", ""),
                goal=data.get("goal"),
                assignment=data.get("assignment"),
                by=request.user,
            )
        except ServiceError as exc:
            form.add_error("title", exc)  # both of save_theme's refusals are about the title
        else:
            messages.success(request, _("Temat är sparat."))
            return redirect("feedback_staff:themes")
    items = (
        Theme.objects.select_related("goal", "goal__plan", "assignment")
        .annotate(n=Count("cases"))
        .order_by("title")
    )
    return render(
        request,
        "feedback/staff/themes.html",
        {"form": form, "themes": items, "last_updated": timezone.now()},
        status=400 if request.method == "POST" else 200,
    )


link_editors = role_required(Role.CONTACT_CENTRE, Role.DIALOGUE_OFFICER)


@link_editors
@require_http_methods(["GET", "POST"])
def dialogue_links(request: HttpRequest) -> HttpResponse:
    """Link dialogues and themes of cases, from either side: the dialogue's staff page and the
    themes page both lead here (?dialog=ID narrows the list and preselects the dialogue)."""
    dialogue_id = params.int_param(request.GET, "dialog", ignore=True)
    initial = {"dialogue": dialogue_id} if dialogue_id else {}
    form = DialogueLinkForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.dialogue_link_add(
                dialogue=data["dialogue"],
                theme=data.get("theme"),
                category=data.get("category"),
                by=request.user,
            )
        except ServiceError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Kopplingen är sparad."))
            return redirect(request.get_full_path())
    return render(
        request,
        "feedback/staff/dialogue_links.html",
        {
            "form": form,
            "links": selectors.dialogue_links(dialogue_id=dialogue_id),
            "dialogue_id": dialogue_id,
            "last_updated": timezone.now(),
        },
        status=400 if request.method == "POST" else 200,
    )


@link_editors
@require_POST
def dialogue_link_remove(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(DialogueLink, pk=pk)
    services.dialogue_link_remove(link=link, by=request.user)
    messages.success(request, _("Kopplingen är borttagen."))
    return redirect("feedback_staff:dialogue_links")


@admin_only
@require_http_methods(["GET", "POST"])
def api_keys(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _key, new_key = services.issue_api_key(
            name=data["name"],
            organisation=data.get("organisation"),
            rate_per_minute=data["rate_per_minute"],
            by=request.user,
        )
        form = ApiKeyForm()
    keys = Open311ApiKey.objects.select_related("organisation").order_by("name")
    response = render(
        request,
        "feedback/staff/api_keys.html",
        {"form": form, "keys": keys, "new_key": new_key, "last_updated": timezone.now()},
        status=400 if request.method == "POST" and new_key is None else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


@admin_only
@require_POST
def api_key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    key = access_api_key(request.user, pk, write=True)
    services.revoke_api_key(key=key, by=request.user)
    messages.success(request, _("Nyckeln %(name)s är spärrad.") % {"name": key.name})
    return redirect("feedback_staff:api_keys")


# --- Moderation (/personal/moderering/, the "staff" namespace: insyn.core.registry) -----------


@role_required(*staff_home.CASE_MODERATORS)
@require_POST
def moderate_case(request: HttpRequest, number: str) -> HttpResponse:
    case = selectors.case_for_staff(number)
    if case is None:
        raise Http404
    state = request.POST.get("state", "")
    if state not in (PublicState.PUBLISHED, PublicState.HIDDEN):
        messages.error(request, _("Välj om felanmälan ska publiceras eller inte."))
        return redirect("staff:moderation")
    try:
        seen = ModerationSeenForm.seen_of(request.POST)
        services.moderate(
            case=case,
            public_description=request.POST.get("public_description", ""),
            public_address=request.POST.get("public_address", ""),
            state=state,
            by=request.user,
            seen=seen if isinstance(seen, dt.datetime) else None,
        )
    except services.CaseChanged as exc:
        # Both versions: the case as someone else left it, and what this person asked for.
        messages.error(
            request,
            _("%(refused)s Publicering nu: %(now)s. Ditt val: %(mine)s.")
            % {
                "refused": exc.message,
                "now": exc.current.get_public_state_display(),
                "mine": PublicState(state).label,
            },
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Felanmälan %(number)s är publicerad.") % {"number": case.number}
            if state == PublicState.PUBLISHED
            else _("Felanmälan %(number)s visas inte publikt.") % {"number": case.number},
        )
    return redirect("staff:moderation")
