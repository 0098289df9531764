"""Public dialogue pages (/dialog/…): thin views over selectors and services.

Every public POST is rate-limited (django-ratelimit over the shared cache) and carries a honeypot
field; CSRF is Django's. Pages work without JavaScript.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe
from django_ratelimit.core import is_ratelimited

from insyn.core import params
from insyn.core.errors import ServiceError, add_to_form
from insyn.dialogue import eid, pabulib, selectors, services
from insyn.dialogue.forms import (
    BallotForm,
    DeleteMeForm,
    LoginForm,
    PostForm,
    ProfileForm,
    ProposalForm,
    ProposalReportForm,
    RegistrationForm,
    ReportForm,
    SubscribeForm,
    SurveyForm,
)
from insyn.dialogue.identity import current_participant, participant_id, sign_in, sign_out
from insyn.dialogue.models import (
    Budget,
    BudgetPhase,
    Dialogue,
    Discussion,
    IdentityLevel,
    Meeting,
    Post,
    PostState,
    Survey,
    VotingRule,
)
from insyn.dialogue.texts import LADDER_NOTE, expectations

DEFAULT_RATES = {"form": "20/m", "login": "5/m", "ballot": "30/m"}


def _rate(name: str) -> str:
    return getattr(settings, "DIALOGUE_RATES", {}).get(name, DEFAULT_RATES[name])


def _participant_key(group: str, request: HttpRequest) -> str:
    pk = participant_id(request)  # no query: the vote POST reads the person with the budget
    return f"p:{pk}" if pk is not None else request.META.get("REMOTE_ADDR", "")


def limited(name: str, key: Any = "ip") -> Callable:
    """Rate-limit POSTs; over the limit the visitor gets a Swedish 429 page, nothing is saved."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST" and is_ratelimited(
                request,
                group=f"dialogue.{name}",
                key=key,
                rate=_rate(name),
                method="POST",
                increment=True,
            ):
                return render(request, "dialogue/limited.html", status=429)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _dialogue(pk: int) -> Dialogue:
    dialogue = selectors.public_dialogue(pk)
    if dialogue is None:
        raise Http404
    return dialogue


def _login_url(request: HttpRequest) -> str:
    return f"{reverse('dialogue:login')}?{urlencode({'next': request.get_full_path()})}"


# --- List and detail ---------------------------------------------------------------------------


def _int(value: str | None) -> int | None:
    """A filter id: anything that is not one is ignored (insyn.core.params)."""
    return params.id_or_none(value)


def index(request: HttpRequest) -> HttpResponse:
    filters = selectors.DialogueFilters(
        status=request.GET.get("status", "")
        if request.GET.get("status") in ("open", "closed")
        else "",
        district=_int(request.GET.get("omrade")),
        goal=_int(request.GET.get("mal")),
        method=request.GET.get("metod", ""),
        q=request.GET.get("q", "")[:200],
    )
    dialogues = selectors.dialogue_list(filters)
    updated = max((d.updated_at for d in dialogues), default=None)
    return render(
        request,
        "dialogue/index.html",
        {
            "dialogues": dialogues,
            "filters": filters,
            "choices": selectors.filter_choices(),
            "last_updated": updated,
        },
    )


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    dialogue = _dialogue(pk)
    return render(
        request,
        "dialogue/detail.html",
        {
            "dialogue": dialogue,
            "expectations": expectations(dialogue.ladder_steps),
            "guideline": selectors.guideline_checks([dialogue])[dialogue.pk],
            "ladder_note": LADDER_NOTE,
            "subscribe_form": SubscribeForm(),
            "participant": current_participant(request),
            "last_updated": dialogue.updated_at,
        },
    )


@require_POST
@limited("form")
def subscribe(request: HttpRequest, pk: int) -> HttpResponse:
    dialogue = _dialogue(pk)
    form = SubscribeForm(request.POST)
    if form.is_valid():
        try:
            services.subscribe(dialogue=dialogue, email=form.cleaned_data["email"])
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _(
                    "Tack! Vi har skickat ett e-postmeddelande med en länk. Klicka på den för att "
                    "bekräfta att du vill få återkopplingen."
                ),
            )
        return redirect(dialogue)
    return render(
        request,
        "dialogue/detail.html",
        {
            "dialogue": dialogue,
            "expectations": expectations(dialogue.ladder_steps),
            "guideline": selectors.guideline_checks([dialogue])[dialogue.pk],
            "ladder_note": LADDER_NOTE,
            "subscribe_form": form,
            "participant": current_participant(request),
            "last_updated": dialogue.updated_at,
        },
        status=400,
    )


@limited("form")
def subscription_confirm(request: HttpRequest, token: str) -> HttpResponse:
    sub = services.subscription_from_token(token, unsubscribe=False)
    if sub is None:
        return render(
            request,
            "dialogue/message.html",
            {
                "title": _("Länken fungerar inte"),
                "text": _(
                    "Länken är för gammal eller felaktig. Prenumerera igen från dialogens sida."
                ),
            },
            status=400,
        )
    if request.method == "POST":
        services.subscription_confirm(token=token)
        messages.success(request, _("Klart! Du får återkopplingen med e-post när den publiceras."))
        return redirect(sub.dialogue)
    return render(
        request,
        "dialogue/confirm.html",
        {
            "title": _("Bekräfta prenumeration"),
            "dialogue": sub.dialogue,
            "text": _("Vill du få återkopplingen från dialogen med e-post?"),
            "button": _("Ja, skicka återkopplingen till mig"),
        },
    )


@limited("form")
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    sub = services.subscription_from_token(token, unsubscribe=True)
    if sub is None:
        return render(
            request,
            "dialogue/message.html",
            {
                "title": _("Prenumerationen är avslutad"),
                "text": _("Det finns ingen prenumeration för den här länken."),
            },
        )
    if request.method == "POST":
        dialogue = services.subscription_cancel(token=token)
        messages.success(
            request, _("Prenumerationen är avslutad och din e-postadress är borttagen.")
        )
        return redirect(dialogue)
    return render(
        request,
        "dialogue/confirm.html",
        {
            "title": _("Avsluta prenumeration"),
            "dialogue": sub.dialogue,
            "text": _("Vill du sluta få e-post om dialogen?"),
            "button": _("Avsluta"),
        },
    )


# --- Survey ------------------------------------------------------------------------------------


@limited("form")
def survey(request: HttpRequest, pk: int, survey_pk: int) -> HttpResponse:
    dialogue = _dialogue(pk)
    survey = get_object_or_404(Survey, pk=survey_pk, dialogue=dialogue)
    participant = current_participant(request)
    needs_login = survey.requires_sign_in and (
        participant is None or not participant.meets(dialogue.identity_level)
    )
    form = SurveyForm(
        request.POST or None,
        survey=survey,
        initial={
            "district": participant.district_id if participant else None,
            "age_band": participant.age_band if participant else "",
        },
    )
    if request.method == "POST" and survey.accepting and not needs_login and form.is_valid():
        try:
            services.survey_submit(
                survey=survey,
                answers=form.answers(),
                participant=participant,
                district=form.cleaned_data.get("district"),
                age_band=form.cleaned_data.get("age_band") or "",
            )
        except services.SurveyInvalid as exc:
            form.add_service_errors(exc.errors)
        except ServiceError as exc:
            add_to_form(form, exc)
        else:
            return redirect("dialogue:survey_thanks", pk, survey.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "dialogue/survey.html",
        {
            "dialogue": dialogue,
            "survey": survey,
            "form": form,
            "needs_login": needs_login,
            "login_url": _login_url(request),
            "last_updated": dialogue.updated_at,
        },
        status=status,
    )


def survey_thanks(request: HttpRequest, pk: int, survey_pk: int) -> HttpResponse:
    dialogue = _dialogue(pk)
    survey = get_object_or_404(Survey, pk=survey_pk, dialogue=dialogue)
    return render(
        request,
        "dialogue/survey_thanks.html",
        {
            "dialogue": dialogue,
            "survey": survey,
            "subscribe_form": SubscribeForm(),
            "last_updated": dialogue.updated_at,
        },
    )


# --- Discussion --------------------------------------------------------------------------------


@limited("form")
def discussion(request: HttpRequest, pk: int, discussion_pk: int) -> HttpResponse:
    dialogue = _dialogue(pk)
    discussion = get_object_or_404(Discussion, pk=discussion_pk, dialogue=dialogue)
    participant = current_participant(request)
    form = PostForm(request.POST or None, initial={"parent": request.GET.get("svar")})
    if request.method == "POST" and form.is_valid():
        parent = None
        if form.cleaned_data.get("parent"):
            parent = Post.objects.filter(
                pk=form.cleaned_data["parent"], discussion=discussion
            ).first()
        try:
            post = services.post_submit(
                discussion=discussion,
                body=form.cleaned_data["body"],
                author_name=form.cleaned_data["author_name"],
                parent=parent,
                participant=participant,
                district=form.cleaned_data.get("district"),
                age_band=form.cleaned_data.get("age_band") or "",
            )
        except ServiceError as exc:
            add_to_form(form, exc)
        else:
            if post.state == PostState.PENDING:
                messages.success(request, _("Tack! Ditt inlägg visas när det har granskats."))
            else:
                messages.success(request, _("Tack! Ditt inlägg är publicerat."))
            return redirect("dialogue:discussion", pk, discussion.pk)
    replying_to = None
    if request.method == "GET" and request.GET.get("svar"):
        replying_to = (
            Post.objects.visible()
            .filter(pk=_int(request.GET.get("svar")), discussion=discussion)
            .first()
        )
    return render(
        request,
        "dialogue/discussion.html",
        {
            "dialogue": dialogue,
            "discussion": discussion,
            "form": form,
            "posts": selectors.visible_posts(discussion),
            "replying_to": replying_to,
            "last_updated": dialogue.updated_at,
        },
        status=400 if request.method == "POST" else 200,
    )


@limited("form")
def post_report(request: HttpRequest, pk: int, discussion_pk: int, post_pk: int) -> HttpResponse:
    dialogue = _dialogue(pk)
    post = get_object_or_404(
        Post.objects.visible(),
        pk=post_pk,
        discussion_id=discussion_pk,
        discussion__dialogue=dialogue,
    )
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.post_report(post=post, reason=form.cleaned_data["reason"])
        messages.success(request, _("Tack! Inlägget granskas av en moderator."))
        return redirect("dialogue:discussion", pk, discussion_pk)
    return render(
        request,
        "dialogue/report.html",
        {
            "dialogue": dialogue,
            "discussion": post.discussion,
            "post": post,
            "form": form,
            "last_updated": dialogue.updated_at,
        },
    )


# --- Proposals and budget ----------------------------------------------------------------------


@limited("form")
def budget(request: HttpRequest, pk: int, budget_pk: int) -> HttpResponse:
    dialogue = _dialogue(pk)
    budget = get_object_or_404(Budget, pk=budget_pk, dialogue=dialogue)
    participant = current_participant(request)
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_submit(
                budget=budget,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                place=form.cleaned_data["place"],
                participant=participant,
                district=form.cleaned_data.get("district"),
                age_band=form.cleaned_data.get("age_band") or "",
            )
        except ServiceError as exc:
            add_to_form(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Tack! Ditt förslag är inskickat. Det visas här när en moderator har "
                    "granskat det. Kommunen bedömer om det går att genomföra och svarar här."
                )
                if budget.premoderation
                else _(
                    "Tack! Ditt förslag är inskickat. Kommunen bedömer om "
                    "det går att genomföra och svarar här."
                ),
            )
            return redirect("dialogue:budget", pk, budget.pk)
    return render(
        request,
        "dialogue/budget.html",
        {
            "dialogue": dialogue,
            "budget": budget,
            "form": form,
            "proposals": selectors.public_proposals(budget),
            "participant": participant,
            "my_choices": selectors.ballot_of(budget, participant),
            "show_results": budget.phase == BudgetPhase.RESULTS,
            "results": selectors.budget_results(budget)
            if budget.phase == BudgetPhase.RESULTS
            else None,
            "identity_note": ONE_VOTE[dialogue.identity_level],
            "last_updated": dialogue.updated_at,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_safe
def guideline(request: HttpRequest) -> HttpResponse:
    from insyn.dialogue.guideline import PRINCIPLES

    rows = selectors.guideline_overview()
    for row in rows:
        row.values = [row.met[key] for key, _title in PRINCIPLES]
    return render(
        request,
        "dialogue/guideline.html",
        {"rows": rows, "principles": [(k, str(t)) for k, t in PRINCIPLES]},
    )


# What "one vote per person" means at each identity level, said on the budget page.
ONE_VOTE = {
    IdentityLevel.EID: gettext_lazy(
        "Du loggar in med e-legitimation för att rösta, så att varje person kan rösta en gång."
    ),
    IdentityLevel.EMAIL: gettext_lazy(
        "Du loggar in med en länk till din e-post för att rösta. Det blir en röst per "
        "e-postadress; kommunen kan inte se om någon har flera adresser."
    ),
}


@require_safe
def budget_pabulib(request: HttpRequest, pk: int, budget_pk: int) -> HttpResponse:
    """The budget as a Pabulib file, once its results are published."""
    dialogue = _dialogue(pk)
    budget = get_object_or_404(Budget, pk=budget_pk, dialogue=dialogue, phase=BudgetPhase.RESULTS)
    text = pabulib.write(services.budget_as_pabulib(budget))
    response = HttpResponse(text.encode("utf-8"), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="medborgarbudget-{budget.pk}.pb"'
    return response


def _cast(request: HttpRequest, pk: int, budget_pk: int) -> HttpResponse | str | None:
    """A vote POST on the lean path: the form's choices from the kept ballot sheet, then the
    service, which reads the budget, the person (by the id in the session) and the chosen
    proposals in one statement, then the redirect. Returns the redirect, or the service's
    refusal, or None when the page must be drawn (nobody signed in, no such public budget, a
    form with errors); `vote` then reads the page whole and shows why (the sign-in page for a
    person who is gone or below the identity level)."""
    person = participant_id(request)
    if person is None:
        return None
    sheet = selectors.ballot_sheet(pk, budget_pk)
    if not sheet:
        return None
    budget = sheet[0].budget
    form = BallotForm(
        request.POST,
        choices=[(str(p.pk), p.title) for p in sheet],
        rule=budget.rule,
        limit=budget.max_choices,
    )
    if not form.is_valid():
        return None
    try:
        services.cast_ballot(
            budget=budget,
            participant=person,
            proposal_ids=[int(i) for i in form.cleaned_data["proposals"]]
            if budget.rule in (VotingRule.WITHIN_BUDGET, VotingRule.CHOOSE_N)
            else [],
            values=form.values(),
            keep_informed=form.cleaned_data["keep_informed"],
        )
    except services.BallotRefused as exc:
        return exc.message
    messages.success(request, _("Din röst är sparad. Du kan ändra den tills omröstningen stänger."))
    return redirect("dialogue:budget", pk, budget_pk)


@limited("ballot", key=_participant_key)
def vote(request: HttpRequest, pk: int, budget_pk: int) -> HttpResponse:
    error = None
    if request.method == "POST":
        outcome = _cast(request, pk, budget_pk)
        if isinstance(outcome, HttpResponse):
            return outcome
        error = outcome
    participant = current_participant(request)
    budget = get_object_or_404(
        Budget.objects.select_related("dialogue"),
        pk=budget_pk,
        dialogue_id=pk,
        dialogue__in=selectors.public_dialogues(),
    )
    dialogue = budget.dialogue
    if participant is None or not participant.meets(dialogue.identity_level):
        return render(
            request,
            "dialogue/vote_login.html",
            {
                "dialogue": dialogue,
                "budget": budget,
                "login_url": _login_url(request),
                "eid_url": (
                    f"{reverse('dialogue:eid_start')}?"
                    f"{urlencode({'next': request.get_full_path()})}"
                ),
                "eid_enabled": eid.enabled(),
                "needs_eid": dialogue.identity_level == IdentityLevel.EID,
                "last_updated": dialogue.updated_at,
            },
        )
    proposals = selectors.feasible_proposals(budget)
    choices = [(str(p.pk), p.title) for p in proposals]
    mine = {} if request.method == "POST" else selectors.ballot_values(budget, participant)
    initial: dict[str, Any] = {"proposals": [str(i) for i in mine]}
    initial |= {f"v_{pk}": value for pk, value in mine.items()}
    if request.method != "POST":  # a bound form shows what was posted, never its initial
        initial["keep_informed"] = selectors.keeps_informed(budget, participant)
    form = BallotForm(
        request.POST or None,
        choices=choices,
        rule=budget.rule,
        limit=budget.max_choices,
        initial=initial,
    )
    if request.method == "POST":
        mine = selectors.ballot_of(budget, participant)
    # The boxes ticked in the post, compared as text: never parsed (a hostile value was a 500).
    ticked = {str(v) for v in (form["proposals"].value() or [])}
    selected = {p.pk for p in proposals if str(p.pk) in ticked}
    total = sum(p.cost or 0 for p in proposals if p.pk in selected)
    return render(
        request,
        "dialogue/vote.html",
        {
            "dialogue": dialogue,
            "budget": budget,
            "form": form,
            "proposals": proposals,
            "selected": selected,
            "total": total,
            "error": error,
            "has_ballot": bool(mine),
            "within_budget": budget.rule == VotingRule.WITHIN_BUDGET,
            "value_fields": [
                (p, form[f"v_{p.pk}"]) for p in proposals if f"v_{p.pk}" in form.fields
            ],
            "last_updated": dialogue.updated_at,
        },
        status=400 if request.method == "POST" else 200,
    )


def proposal(request: HttpRequest, pk: int, budget_pk: int, proposal_pk: int) -> HttpResponse:
    dialogue = _dialogue(pk)
    budget = get_object_or_404(Budget, pk=budget_pk, dialogue=dialogue)
    item = get_object_or_404(selectors.public_proposal_with_delivery(budget), pk=proposal_pk)
    return render(
        request,
        "dialogue/proposal.html",
        {
            "dialogue": dialogue,
            "budget": budget,
            "proposal": item,
            "delivery": item.is_winner and budget.phase == BudgetPhase.RESULTS,
            "assignments": item.assignments.all(),
            "feasible": item.is_feasible,
            "last_updated": dialogue.updated_at,
        },
    )


@require_safe
def delivery_photo(request: HttpRequest, uuid: str) -> FileResponse:
    """A winning project's delivery photo (re-encoded without metadata when it was uploaded)."""
    item = selectors.public_delivery_photo(uuid)
    if item is None:
        raise Http404
    response = FileResponse(item.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=300"
    return response


@limited("form")
def proposal_report(
    request: HttpRequest, pk: int, budget_pk: int, proposal_pk: int
) -> HttpResponse:
    """Anyone may report a public proposal as abusive (rate-limited, honeypot), as for posts."""
    dialogue = _dialogue(pk)
    budget = get_object_or_404(Budget, pk=budget_pk, dialogue=dialogue)
    item = get_object_or_404(budget.proposals.public(), pk=proposal_pk)
    form = ProposalReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.proposal_report(proposal=item, reason=form.cleaned_data["reason"])
        messages.success(request, _("Tack! Förslaget granskas av en moderator."))
        return redirect("dialogue:proposal", pk, budget.pk, item.pk)
    return render(
        request,
        "dialogue/proposal_report.html",
        {
            "dialogue": dialogue,
            "budget": budget,
            "proposal": item,
            "form": form,
            "last_updated": dialogue.updated_at,
        },
        status=400 if request.method == "POST" else 200,
    )


# --- Meetings ------------------------------------------------------------------------------------


@limited("form")
def meeting(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    dialogue = _dialogue(pk)
    item = get_object_or_404(Meeting, pk=meeting_pk, dialogue=dialogue)
    participant = current_participant(request)
    form = RegistrationForm(
        request.POST or None, initial={"email": participant.email if participant else ""}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_register(
                meeting=item,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                needs=form.cleaned_data["needs"],
                participant=participant,
                district=form.cleaned_data.get("district"),
                age_band=form.cleaned_data.get("age_band") or "",
            )
        except ServiceError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Du är anmäld. En bekräftelse kommer med e-post."))
            return redirect("dialogue:meeting", pk, item.pk)
    registered = item.registrations.count()
    places_left = None if item.capacity is None else max(0, item.capacity - registered)
    return render(
        request,
        "dialogue/meeting.html",
        {
            "dialogue": dialogue,
            "meeting": item,
            "form": form,
            "places_left": places_left,
            "can_register": (
                item.registration_open
                and dialogue.is_open
                and item.starts_at > timezone.now()
                and places_left != 0
            ),
            "last_updated": dialogue.updated_at,
        },
        status=400 if request.method == "POST" else 200,
    )


# --- Resident sign-in and own data --------------------------------------------------------------


def _safe_next(request: HttpRequest, url: str | None) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("dialogue:me")


@limited("login")
def login(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    if request.method == "POST" and form.is_valid():
        services.participant_request_login(
            email=form.cleaned_data["email"],
            next_url=_safe_next(request, form.cleaned_data.get("next")),
        )
        return render(
            request,
            "dialogue/message.html",
            {
                "title": _("Kolla din e-post"),
                "text": _(
                    "Vi har skickat en inloggningslänk till adressen du angav. Den gäller i "
                    "30 minuter och kan bara användas en gång."
                ),
            },
        )
    return render(
        request,
        "dialogue/login.html",
        {
            "form": form,
            "eid_enabled": eid.enabled(),
            "eid_url": f"{reverse('dialogue:eid_start')}?"
            f"{urlencode({'next': request.GET.get('next', '')})}",
        },
        status=400 if request.method == "POST" else 200,
    )


@limited("login")
def login_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (link scanners in mail systems must not use the token up)."""
    if request.method == "POST":
        result = services.participant_consume_login(raw_token=token)
        if result is not None:
            participant, next_url = result
            sign_in(request, participant)
            messages.success(request, _("Du är inloggad."))
            return HttpResponseRedirect(_safe_next(request, next_url))
    elif services.login_token_valid(token):
        return render(
            request,
            "dialogue/confirm.html",
            {
                "title": _("Logga in"),
                "text": _("Klicka för att logga in."),
                "button": _("Logga in"),
            },
        )
    return render(
        request,
        "dialogue/message.html",
        {
            "title": _("Länken fungerar inte"),
            "text": _("Inloggningslänken är redan använd eller för gammal. Be om en ny."),
        },
        status=400,
    )


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    sign_out(request)
    messages.success(request, _("Du är utloggad."))
    return redirect("dialogue:index")


@limited("form")
def me(request: HttpRequest) -> HttpResponse:
    participant = current_participant(request)
    if participant is None:
        return redirect(_login_url(request))
    form = ProfileForm(
        request.POST or None,
        initial={"district": participant.district_id, "age_band": participant.age_band},
    )
    if request.method == "POST" and form.is_valid():
        services.participant_update_profile(
            participant=participant,
            district=form.cleaned_data["district"],
            age_band=form.cleaned_data["age_band"] or "",
        )
        messages.success(request, _("Sparat."))
        return redirect("dialogue:me")
    return render(
        request,
        "dialogue/me.html",
        {"participant": participant, "form": form, "delete_form": DeleteMeForm()},
    )


def me_export(request: HttpRequest) -> HttpResponse:
    participant = current_participant(request)
    if participant is None:
        return redirect(_login_url(request))
    data = selectors.participant_export(participant)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="mina-uppgifter-insyn.json"'
    return response


@require_POST
@limited("form")
def me_delete(request: HttpRequest) -> HttpResponse:
    participant = current_participant(request)
    if participant is None:
        return redirect(_login_url(request))
    form = DeleteMeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Kryssa i rutan för att bekräfta."))
        return redirect("dialogue:me")
    services.participant_delete(participant=participant)
    sign_out(request)
    messages.success(
        request, _("Dina uppgifter är borttagna. Dina bidrag finns kvar utan koppling till dig.")
    )
    return redirect("dialogue:index")


# --- e-ID through an OpenID Connect broker ------------------------------------------------------

EID_SESSION = "insyn_dialogue_eid"


def eid_start(request: HttpRequest) -> HttpResponse:
    if not eid.enabled():
        raise Http404
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    request.session[EID_SESSION] = {
        "state": state,
        "nonce": nonce,
        "next": _safe_next(request, request.GET.get("next")),
    }
    params = {
        "response_type": "code",
        "client_id": eid.config("CLIENT_ID"),
        "redirect_uri": request.build_absolute_uri(reverse("dialogue:eid_callback")),
        "scope": eid.config("SCOPES"),
        "state": state,
        "nonce": nonce,
    }
    if eid.config("ACR_VALUES"):
        params["acr_values"] = eid.config("ACR_VALUES")
    return HttpResponseRedirect(f"{eid.config('AUTHORIZATION_ENDPOINT')}?{urlencode(params)}")


def eid_callback(request: HttpRequest) -> HttpResponse:
    pending = request.session.pop(EID_SESSION, None)
    if not eid.enabled() or not pending or request.GET.get("state") != pending.get("state"):
        return render(
            request,
            "dialogue/message.html",
            {
                "title": _("Inloggningen misslyckades"),
                "text": _("Inloggningen med e-legitimation kunde inte slutföras. Försök igen."),
            },
            status=400,
        )
    try:
        participant = eid.EidBroker().authenticate(request, nonce=pending["nonce"])
    except Exception:  # the broker said no, or answered something we cannot verify
        participant = None
    if participant is None:
        return render(
            request,
            "dialogue/message.html",
            {
                "title": _("Inloggningen misslyckades"),
                "text": _("Inloggningen med e-legitimation kunde inte slutföras. Försök igen."),
            },
            status=400,
        )
    sign_in(request, participant)
    messages.success(request, _("Du är inloggad med e-legitimation."))
    return HttpResponseRedirect(pending["next"])
