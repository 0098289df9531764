"""Staff pages for dialogues (/personal/dialog/…), all behind `role_required`.

Dialogue officers of the responsible board (or with no organisation, or the creator) edit a
dialogue; staff of affected organisations may read it and comment (coordination).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from insyn.accounts.models import Role
from insyn.accounts.permissions import has_role, organisation_ids, role_required
from insyn.core import spreadsheets
from insyn.core.errors import ServiceError, add_to_form
from insyn.core.forms import ModerationSeenForm, both_versions, decision_seen
from insyn.dialogue import pabulib, selectors, services, staff_home
from insyn.dialogue.access import (
    access_dialogue,
    access_part,
    access_post,
    access_proposal,
    can_edit,
)
from insyn.dialogue.forms import (
    AnchoringForm,
    AssessForm,
    BudgetCreateForm,
    BudgetRulesForm,
    CommentForm,
    CreateAssignmentForm,
    DeliveryForm,
    DialogueForm,
    DiscussionCreateForm,
    FeedbackForm,
    HideForm,
    LinkAssignmentForm,
    MeetingCreateForm,
    NotesForm,
    OfflineInputForm,
    OutreachForm,
    PabulibImportForm,
    PhaseForm,
    QuestionForm,
    SummaryForm,
    SurveyCreateForm,
    SurveyForm,
)
from insyn.dialogue.models import (
    Budget,
    BudgetPhase,
    Dialogue,
    Discussion,
    Meeting,
    Proposal,
    Survey,
)
from insyn.organisations.models import Organisation

officer = role_required(Role.DIALOGUE_OFFICER)
coordinator = role_required(Role.DIALOGUE_OFFICER, Role.REPORTER, Role.COMPILER)


def _editable(request: HttpRequest, pk: int) -> Dialogue:
    return access_dialogue(request.user, pk, write=True)


def _child(request: HttpRequest, model: type[Model], pk: int, **lookup: Any) -> Any:
    return access_part(request.user, model, pk, write=True, **lookup)


def _form_page(
    request: HttpRequest,
    form: Any,
    *,
    title: str,
    dialogue: Dialogue | None,
    button: str,
    intro: str = "",
    status: int = 200,
    conflict: Dialogue | None = None,
    versions: list[tuple[str, str, str]] | None = None,
) -> HttpResponse:
    return render(
        request,
        "dialogue/staff/form.html",
        {
            "form": form,
            "title": title,
            "dialogue": dialogue,
            "button": button,
            "intro": intro,
            "conflict": conflict,
            "versions": versions,
        },
        status=status,
    )


def _both(
    form: Any, exc: ServiceError, saved: dict[str, Any], form_class: type, request: HttpRequest
) -> tuple[list[tuple[str, str, str]], Any]:
    """A save refused because the dialogue changed meanwhile (DialogueChanged, raised by the
    service): both versions side by side, and the form again with this person's text, now based
    on the saved version (its `seen`), the refusal in the error summary."""
    versions = both_versions(form, saved)
    data = request.POST.copy()
    data["seen"] = saved["seen"]
    again = form_class(data)
    again.is_valid()
    add_to_form(again, exc)
    return versions, again


def _refused(request: HttpRequest, exc: ServiceError) -> None:
    messages.error(request, " ".join([exc.message, *exc.problems]))


# --- Register ------------------------------------------------------------------------------------


@officer
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "dialogue/staff/index.html",
        {
            "dialogues": selectors.staff_dialogues(state=request.GET.get("lage", "")),
            "overdue": selectors.overdue_feedback(),
        },
    )


@officer
def overdue(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "dialogue/staff/overdue.html",
        {"overdue": selectors.overdue_feedback(), "today": timezone.localdate()},
    )


def _register_values(form: DialogueForm) -> dict[str, Any]:
    """The register's fields and relations from a valid form, as dialogue_save takes them."""
    data = form.cleaned_data
    return {
        "fields": {name: data[name] for name in services.REGISTER_FIELDS if name in data},
        "relations": {name: data[name] for name in services.REGISTER_RELATIONS if name in data},
    }


def _save_dialogue(
    request: HttpRequest, form: DialogueForm, dialogue: Dialogue | None
) -> Dialogue | None:
    try:
        return services.dialogue_save(dialogue=dialogue, by=request.user, **_register_values(form))
    except ServiceError as exc:
        add_to_form(form, exc)
        return None


@officer
def create(request: HttpRequest) -> HttpResponse:
    form = DialogueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        dialogue = _save_dialogue(request, form, None)
        if dialogue is not None:
            messages.success(request, _("Dialogen är registrerad."))
            return redirect("dialogue_staff:detail", dialogue.pk)
    return _form_page(
        request,
        form,
        title=_("Registrera dialog"),
        dialogue=None,
        button=_("Spara"),
        status=400 if request.method == "POST" else 200,
    )


@officer
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    dialogue = _editable(request, pk)
    seen = {"seen": dialogue.updated_at.isoformat()}
    form = DialogueForm(request.POST or None, instance=dialogue, initial=seen)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.dialogue_save(
                dialogue=Dialogue.objects.get(pk=dialogue.pk),
                by=request.user,
                seen=form.cleaned_data.get("seen"),
                **_register_values(form),
            )
        except services.DialogueChanged as exc:
            # Keep what this person wrote; the next save is based on the other version.
            conflict = exc.current
            data = request.POST.copy()
            data["seen"] = conflict.updated_at.isoformat()
            form = DialogueForm(data, instance=Dialogue.objects.get(pk=dialogue.pk))
            form.is_valid()
            add_to_form(form, exc)
        except ServiceError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Ändringarna är sparade."))
            return redirect("dialogue_staff:detail", saved.pk)
    return _form_page(
        request,
        form,
        title=_("Ändra %(t)s") % {"t": dialogue.title},
        dialogue=dialogue,
        button=_("Spara"),
        conflict=conflict,
        status=400 if request.method == "POST" else 200,
    )


@coordinator
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    access_dialogue(request.user, pk)
    dialogue = selectors.staff_dialogue(pk)
    if dialogue is None:
        raise Http404
    editable = can_edit(request.user, dialogue)
    return render(
        request,
        "dialogue/staff/detail.html",
        {
            "dialogue": dialogue,
            "guideline": selectors.guideline_checks([dialogue])[dialogue.pk],
            "editable": editable,
            "blockers": services.publication_blockers(dialogue),
            "feedback_blockers": services.feedback_blockers(dialogue),
            "suggestions": selectors.suggest_earlier_dialogues(dialogue) if editable else [],
            "comment_form": CommentForm(organisations=_comment_orgs(request, dialogue)),
            "history": selectors.dialogue_history(dialogue),
        },
    )


def _comment_orgs(request: HttpRequest, dialogue: Dialogue) -> Any:
    involved = list(dialogue.affected_organisations.values_list("pk", flat=True))
    if dialogue.responsible_board_id:
        involved.append(dialogue.responsible_board_id)
    qs = Organisation.objects.filter(pk__in=involved)
    if not has_role(request.user, Role.ADMIN):
        qs = qs.filter(
            pk__in=organisation_ids(
                request.user, Role.DIALOGUE_OFFICER, Role.REPORTER, Role.COMPILER
            )
        )
    return qs


@coordinator
@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    dialogue = access_dialogue(request.user, pk)
    form = CommentForm(request.POST, organisations=_comment_orgs(request, dialogue))
    if form.is_valid():
        services.coordination_comment_add(
            dialogue=dialogue,
            organisation=form.cleaned_data["organisation"],
            author=request.user,
            body=form.cleaned_data["body"],
        )
        messages.success(request, _("Kommentaren är sparad."))
    else:
        messages.error(request, _("Skriv en kommentar."))
    return redirect("dialogue_staff:detail", pk)


@officer
def anchoring(request: HttpRequest, pk: int) -> HttpResponse:
    dialogue = _editable(request, pk)

    def saved(d: Dialogue) -> dict[str, Any]:
        return {
            "anchored_with": d.anchored_with,
            "anchored_body": d.anchored_body,
            "anchored_on": d.anchored_on,
            "seen": d.updated_at.isoformat(),
        }

    form = AnchoringForm(request.POST or None, initial=saved(dialogue))
    versions = None
    if request.method == "POST" and form.is_valid():
        try:
            services.dialogue_record_anchoring(
                dialogue=dialogue, by=request.user, **form.cleaned_data
            )
        except services.DialogueChanged as exc:
            versions, form = _both(form, exc, saved(exc.current), AnchoringForm, request)
        except ServiceError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Förankringen är registrerad."))
            return redirect("dialogue_staff:detail", pk)
    return _form_page(
        request,
        form,
        title=_("Förankring med förtroendevalda"),
        dialogue=dialogue,
        button=_("Spara"),
        intro=_(
            "Oavsett om dialogen är politiskt beslutad eller inte ska den vara "
            "förankrad med förtroendevalda."
        ),
        versions=versions,
        status=400 if request.method == "POST" else 200,
    )


@officer
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    dialogue = _editable(request, pk)
    try:
        services.dialogue_publish(dialogue=dialogue, by=request.user)
    except ServiceError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Dialogen är publicerad."))
    return redirect("dialogue_staff:detail", pk)


@officer
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    dialogue = _editable(request, pk)

    def saved(d: Dialogue) -> dict[str, Any]:
        return {
            "summary": d.feedback_summary,
            "usage": d.feedback_usage,
            "decision": d.feedback_decision,
            "seen": d.updated_at.isoformat(),
        }

    form = FeedbackForm(request.POST or None, initial=saved(dialogue))
    versions = None
    if request.method == "POST" and form.is_valid():
        try:
            # Save and publish together: a refused publication saves nothing (the text stays
            # in the form).
            with transaction.atomic():
                services.feedback_save(dialogue=dialogue, by=request.user, **form.cleaned_data)
                count = None
                if "publicera" in request.POST:
                    count = services.feedback_publish(dialogue=dialogue, by=request.user)
        except services.DialogueChanged as exc:
            versions, form = _both(form, exc, saved(exc.current), FeedbackForm, request)
        except ServiceError as exc:
            add_to_form(form, exc)
        else:
            if count is None:
                messages.success(request, _("Utkastet är sparat."))
            else:
                messages.success(
                    request,
                    _("Återkopplingen är publicerad; %(n)s e-postmeddelanden ligger i kö.")
                    % {"n": count},
                )
            return redirect("dialogue_staff:detail", pk)
    return render(
        request,
        "dialogue/staff/feedback.html",
        {"form": form, "dialogue": dialogue, "versions": versions},
        status=400 if request.method == "POST" else 200,
    )


@officer
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    dialogue = _editable(request, pk)
    try:
        services.dialogue_close(dialogue=dialogue, by=request.user)
    except ServiceError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Dialogen är avslutad."))
    return redirect("dialogue_staff:detail", pk)


@officer
def representation(request: HttpRequest, pk: int) -> HttpResponse:
    dialogue = access_dialogue(request.user, pk, write=request.method == "POST")
    form = OutreachForm(request.POST or None, initial={"done_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        services.outreach_record(
            dialogue=dialogue,
            by=request.user,
            done_on=form.cleaned_data["done_on"],
            description=form.cleaned_data["description"],
            district=form.cleaned_data["district"],
            age_band=form.cleaned_data["age_band"],
        )
        messages.success(request, _("Det uppsökande arbetet är registrerat."))
        return redirect("dialogue_staff:representation", pk)
    return render(
        request,
        "dialogue/staff/representation.html",
        {
            "dialogue": dialogue,
            "data": selectors.dialogue_representativeness(dialogue),
            "outreach": dialogue.outreach.select_related("district"),
            "form": form,
        },
    )


@officer
def offline(request: HttpRequest, pk: int) -> HttpResponse:
    dialogue = _editable(request, pk)
    form = OfflineInputForm(request.POST or None, dialogue=dialogue)
    if request.method == "POST" and form.is_valid():
        try:
            services.offline_input_add(dialogue=dialogue, by=request.user, **form.cleaned_data)
        except ServiceError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Synpunkten är införd."))
            return redirect("dialogue_staff:offline", pk)
    return render(
        request,
        "dialogue/staff/offline.html",
        {
            "dialogue": dialogue,
            "form": form,
            "inputs": dialogue.offline_inputs.select_related("district", "meeting")[:200],
        },
    )


# --- Methods: create -----------------------------------------------------------------------------


def _method_create(form_class: type, create: Callable[..., Any], title: str) -> Callable:
    @officer
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        dialogue = _editable(request, pk)
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                obj = create(dialogue=dialogue, by=request.user, data=form.cleaned_data)
            except ServiceError as exc:
                add_to_form(form, exc)
            else:
                messages.success(request, _("Sparat."))
                return redirect(obj)
        return _form_page(request, form, title=title, dialogue=dialogue, button=_("Skapa"))

    return view


def _create_survey(*, dialogue: Dialogue, by: Any, data: dict) -> Any:
    survey = services.survey_create(dialogue=dialogue, by=by, **data)
    return _Url("dialogue_staff:survey", survey.pk)


def _create_discussion(*, dialogue: Dialogue, by: Any, data: dict) -> Any:
    discussion = services.discussion_create(dialogue=dialogue, **data)
    return _Url("dialogue_staff:discussion", discussion.pk)


def _create_budget(*, dialogue: Dialogue, by: Any, data: dict) -> Any:
    budget = services.budget_create(dialogue=dialogue, by=by, **data)
    return _Url("dialogue_staff:budget", budget.pk)


def _create_meeting(*, dialogue: Dialogue, by: Any, data: dict) -> Any:
    meeting = services.meeting_create(dialogue=dialogue, by=by, **data)
    return _Url("dialogue_staff:meeting", meeting.pk)


class _Url:
    def __init__(self, name: str, pk: int) -> None:
        from django.urls import reverse

        self.url = reverse(name, args=[pk])

    def get_absolute_url(self) -> str:
        return self.url


survey_create = _method_create(SurveyCreateForm, _create_survey, _("Ny enkät"))
discussion_create = _method_create(DiscussionCreateForm, _create_discussion, _("Ny diskussion"))
budget_create = _method_create(BudgetCreateForm, _create_budget, _("Ny medborgarbudget"))
meeting_create = _method_create(MeetingCreateForm, _create_meeting, _("Nytt möte"))


# --- Survey ------------------------------------------------------------------------------------


@officer
def survey(request: HttpRequest, pk: int) -> HttpResponse:
    item = _child(request, Survey, pk)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.question_add(
                survey=item,
                kind=data["kind"],
                text=data["text"],
                options=data["options"].splitlines(),
                required=data["required"],
                help_text=data["help_text"],
                scale_min=data["scale_min"],
                scale_max=data["scale_max"],
                scale_min_label=data["scale_min_label"],
                scale_max_label=data["scale_max_label"],
            )
        except ServiceError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Frågan är tillagd."))
            return redirect("dialogue_staff:survey", pk)
    total, results = selectors.survey_results(item)
    return render(
        request,
        "dialogue/staff/survey.html",
        {
            "survey": item,
            "dialogue": item.dialogue,
            "form": form,
            "total": total,
            "results": results,
            "summary_form": SummaryForm(initial={"summary": item.summary}),
            "questions": item.questions.prefetch_related("options"),
        },
    )


@officer
@require_POST
def survey_close(request: HttpRequest, pk: int) -> HttpResponse:
    item = _child(request, Survey, pk)
    services.survey_close(survey=item, by=request.user)
    messages.success(request, _("Enkäten är stängd."))
    return redirect("dialogue_staff:survey", pk)


@officer
@require_POST
def survey_summary(request: HttpRequest, pk: int) -> HttpResponse:
    item = _child(request, Survey, pk)
    form = SummaryForm(request.POST)
    if form.is_valid():
        try:
            services.survey_publish_summary(
                survey=item, summary=form.cleaned_data["summary"], by=request.user
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Sammanfattningen är publicerad."))
    return redirect("dialogue_staff:survey", pk)


@officer
def survey_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    item = _child(request, Survey, pk)
    header, rows = selectors.survey_export_rows(item)
    filename = f"enkat-{item.pk}"
    if fmt == "csv":
        return spreadsheets.csv_response(header, rows, f"{filename}.csv", delimiter=";")
    if fmt == "xlsx":
        data = spreadsheets.xlsx_bytes([(_("Svar"), header, rows)])
        return spreadsheets.xlsx_response(data, f"{filename}.xlsx")
    raise Http404


@officer
def survey_paper(request: HttpRequest, pk: int) -> HttpResponse:
    item = _child(request, Survey, pk)
    form = SurveyForm(request.POST or None, survey=item, staff=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_submit(
                survey=item,
                answers=form.answers(),
                district=form.cleaned_data.get("district"),
                age_band=form.cleaned_data.get("age_band") or "",
                source=form.cleaned_data["source"],
                entered_by=request.user,
            )
        except services.SurveyInvalid as exc:
            form.add_service_errors(exc.errors)
        except ServiceError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Pappersvaret är infört."))
            return redirect("dialogue_staff:survey_paper", pk)
    return render(
        request,
        "dialogue/staff/survey_paper.html",
        {"survey": item, "dialogue": item.dialogue, "form": form},
    )


# --- Discussion --------------------------------------------------------------------------------


@officer
def discussion(request: HttpRequest, pk: int) -> HttpResponse:
    item = _child(request, Discussion, pk)
    return render(
        request,
        "dialogue/staff/discussion.html",
        {
            "discussion": item,
            "dialogue": item.dialogue,
            "queue": selectors.moderation_queue(item),
            "hide_form": HideForm(),
        },
    )


@officer
@require_POST
def post_moderate(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    post = access_post(request.user, pk, write=True)
    _moderate_post(request, post, action)
    return redirect("dialogue_staff:discussion", post.discussion_id)


def _moderate_post(request: HttpRequest, post: Any, action: str) -> None:
    """Show ("godkann") or hide ("dolj", with a reason) a post, from the discussion page or the
    moderation page; the outcome is a message."""
    try:
        seen = ModerationSeenForm.seen_of(request.POST)
        if action == "dolj":
            reason = HideForm(request.POST).data.get("reason", "")
            services.post_hide(post=post, reason=reason, by=request.user, seen=seen)
            messages.success(request, _("Inlägget är dolt."))
        elif action == "godkann":
            services.post_approve(post=post, by=request.user, seen=seen)
            messages.success(request, _("Inlägget visas."))
        else:
            raise Http404
    except ServiceError as exc:
        messages.error(request, exc.message)


# --- Budget ------------------------------------------------------------------------------------


@officer
def budget(request: HttpRequest, pk: int) -> HttpResponse:
    item = _child(request, Budget, pk)
    return render(
        request,
        "dialogue/staff/budget.html",
        {
            "budget": item,
            "dialogue": item.dialogue,
            "proposals": item.proposals.select_related("district")
            .prefetch_related("assignments__goal__plan")
            .order_by("-is_winner", "-votes", "pk"),
            "phase_form": PhaseForm(),
            "phases": BudgetPhase.choices,
            "ballots": item.ballots.count(),
            "link_form": LinkAssignmentForm(),
            "create_form": CreateAssignmentForm(),
            "rules_form": BudgetRulesForm(instance=item),
            "rules_locked": item.phase
            in (BudgetPhase.VOTING, BudgetPhase.CLOSED, BudgetPhase.RESULTS),
            "delivery_form": DeliveryForm(),
            "results": selectors.budget_results(item),
        },
    )


@officer
@require_POST
def budget_rules(request: HttpRequest, pk: int) -> HttpResponse:
    item = _child(request, Budget, pk)
    form = BudgetRulesForm(request.POST, instance=Budget(amount=item.amount))
    if not form.is_valid():
        messages.error(request, _("Välj en röstningsregel och ett räknesätt."))
        return redirect("dialogue_staff:budget", pk)
    try:
        services.budget_set_rules(
            budget=item,
            rule=form.cleaned_data["rule"],
            counting=form.cleaned_data["counting"],
            max_choices=form.cleaned_data.get("max_choices"),
            by=request.user,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Reglerna är sparade."))
    return redirect("dialogue_staff:budget", pk)


@officer
@require_POST
def proposal_delivery(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = access_proposal(request.user, pk, write=True)
    form = DeliveryForm(request.POST, request.FILES)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return redirect("dialogue_staff:budget", proposal.budget_id)
    try:
        services.proposal_record_delivery(
            proposal=proposal,
            stage=form.cleaned_data["stage"],
            on=form.cleaned_data["on"],
            note=form.cleaned_data["note"],
            responsible=form.cleaned_data["responsible"],
            photo=form.cleaned_data["photo"],
            photo_alt=form.cleaned_data["photo_alt"],
            by=request.user,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Genomförandet är uppdaterat."))
    return redirect("dialogue_staff:budget", proposal.budget_id)


@officer
def budget_pabulib(request: HttpRequest, pk: int) -> HttpResponse:
    item = _child(request, Budget, pk)
    return pabulib_response(item)


def pabulib_response(item: Budget) -> HttpResponse:
    text = pabulib.write(services.budget_as_pabulib(item))
    response = HttpResponse(text.encode("utf-8"), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="medborgarbudget-{item.pk}.pb"'
    return response


@officer
def budget_import(request: HttpRequest, pk: int) -> HttpResponse:
    dialogue = _editable(request, pk)
    form = PabulibImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > pabulib.MAX_BYTES:
            form.add_error("file", _("Filen är för stor (högst 20 MB)."))
        else:
            try:
                text = upload.read().decode("utf-8")
                budget = services.budget_import_pabulib(
                    dialogue=dialogue,
                    text=text,
                    counting_rule=form.cleaned_data["counting"],
                    by=request.user,
                )
            except UnicodeDecodeError:
                form.add_error("file", _("Filen är inte UTF-8-kodad text."))
            except pabulib.PabulibError as exc:
                form.add_error("file", str(exc))
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, _("Budgeten är inläst och räknad. Jämför räknesätten nedan.")
                )
                return redirect("dialogue_staff:budget", budget.pk)
    return _form_page(
        request,
        form,
        title=_("Läs in en medborgarbudget från Pabulib"),
        dialogue=dialogue,
        button=_("Läs in och räkna"),
        intro=_(
            "Läs in en tidigare medborgarbudget, eller en som en annan kommun har publicerat i "
            "Pabulib, för att se vad olika sätt att räkna rösterna hade gett. Budgeten läggs "
            "till i dialogen som stängd och syns för invånare först när ni publicerar resultatet."
        ),
        status=400 if request.method == "POST" else 200,
    )


@officer
@require_POST
def budget_phase(request: HttpRequest, pk: int) -> HttpResponse:
    item = _child(request, Budget, pk)
    form = PhaseForm(request.POST)
    form.is_valid()
    try:
        services.budget_set_phase(
            budget=item,
            phase=request.POST.get("phase", ""),
            by=request.user,
            voting_closes_at=form.cleaned_data.get("voting_closes_at"),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Fasen är ändrad."))
    return redirect("dialogue_staff:budget", pk)


def _assessment(proposal: Proposal) -> dict[str, Any]:
    """The assess form's starting point: the proposal's assessment now, and when it was made."""
    return {
        "feasible": "yes" if proposal.state == "feasible" else "no",
        "cost": proposal.cost,
        "answer": proposal.answer,
        "seen": decision_seen(proposal.assessed_at),
    }


@officer
def proposal_assess(request: HttpRequest, pk: int) -> HttpResponse:
    item = access_proposal(request.user, pk, write=True)
    form = AssessForm(request.POST or None, initial=_assessment(item))
    versions = None
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_assess(proposal=item, by=request.user, **form.cleaned_data)
        except services.ProposalAssessedMeanwhile as exc:
            # Both versions side by side; the form keeps this person's, based on the new one.
            saved = _assessment(exc.current)
            versions = both_versions(form, saved)
            data = request.POST.copy()
            data["seen"] = saved["seen"]
            form = AssessForm(data)
            form.is_valid()
            add_to_form(form, exc)
        except ServiceError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Bedömningen är sparad och visas för alla."))
            return redirect("dialogue_staff:budget", item.budget_id)
    return _form_page(
        request,
        form,
        title=_("Bedöm: %(t)s") % {"t": item.title},
        dialogue=item.budget.dialogue,
        button=_("Spara bedömning"),
        intro=item.description,
        versions=versions,
        status=400 if request.method == "POST" else 200,
    )


@officer
@require_POST
def proposal_assignment(request: HttpRequest, pk: int) -> HttpResponse:
    item = access_proposal(request.user, pk, write=True)
    try:
        if "goal" in request.POST:
            form = CreateAssignmentForm(request.POST)
            if form.is_valid():
                services.proposal_create_assignment(
                    proposal=item, goal=form.cleaned_data["goal"], by=request.user
                )
                messages.success(request, _("Ett uppdrag är skapat och kopplat till förslaget."))
        else:
            form = LinkAssignmentForm(request.POST)
            if form.is_valid():
                services.proposal_link_assignment(
                    proposal=item, assignment=form.cleaned_data["assignment"], by=request.user
                )
                messages.success(request, _("Förslaget är kopplat till uppdraget."))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("dialogue_staff:budget", item.budget_id)


# --- Meeting -----------------------------------------------------------------------------------


@officer
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    item = _child(request, Meeting, pk)
    form = NotesForm(
        request.POST or None, initial={"notes": item.notes, "publish": item.notes_published}
    )
    if request.method == "POST" and form.is_valid():
        services.meeting_save_notes(meeting=item, by=request.user, **form.cleaned_data)
        messages.success(request, _("Anteckningarna är sparade."))
        return redirect("dialogue_staff:meeting", pk)
    return render(
        request,
        "dialogue/staff/meeting.html",
        {
            "meeting": item,
            "dialogue": item.dialogue,
            "form": form,
            "registrations": item.registrations.select_related("district").order_by("created_at"),
        },
        status=400 if request.method == "POST" else 200,
    )


# --- Moderation (/personal/moderering/, the "staff" namespace: insyn.core.registry) -----------


@role_required(*staff_home.DIALOGUE_MODERATORS)
@require_POST
def moderate_post(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    post = access_post(request.user, pk, write=True)
    _moderate_post(request, post, action)
    return redirect("staff:moderation")


@role_required(*staff_home.DIALOGUE_MODERATORS)
@require_POST
def moderate_proposal(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Let a resident's budget proposal through, or hide it with a reason (issue 12 finding 7)."""
    proposal = access_proposal(request.user, pk, write=True, moderate=True)
    try:
        seen = ModerationSeenForm.seen_of(request.POST)
        if action == "dolj":
            services.proposal_hide(
                proposal=proposal, reason=request.POST.get("reason", ""), by=request.user, seen=seen
            )
            messages.success(request, _("Förslaget är dolt."))
        elif action == "godkann":
            services.proposal_approve(proposal=proposal, by=request.user, seen=seen)
            messages.success(request, _("Förslaget visas."))
        else:
            raise Http404
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("staff:moderation")
