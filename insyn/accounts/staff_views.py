"""The staff home (/personal/), the moderation queue and the demo outbox.

Thin views: the counts come from insyn.accounts.selectors, every change from the apps' services.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from insyn.accounts import selectors
from insyn.accounts.models import Role
from insyn.accounts.permissions import STAFF_ROLES, has_role, role_required
from insyn.core import notices
from insyn.core.errors import ServiceError, add_to_form
from insyn.core.forms import ModerationSeenForm, NoticeFrequencyForm

PREVIOUS_VISIT_KEY = "insyn_previous_visit"


def previous_visit(request: HttpRequest) -> dt.datetime | None:
    """When the user signed in before this session (set at sign-in), else their last sign-in."""
    raw = request.session.get(PREVIOUS_VISIT_KEY)
    if raw is None:
        return request.user.last_login
    return parse_datetime(raw) if raw else None  # "": the first sign-in ever


@role_required(*STAFF_ROLES)
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    identity = selectors.staff_identity(request.user)
    return render(
        request,
        "staff/home.html",
        {
            "sections": selectors.home_sections(request.user, since=previous_visit(request)),
            "identity": identity,
        },
    )


MODERATORS = (Role.MODERATOR, Role.DIALOGUE_OFFICER, Role.CONTACT_CENTRE)
DIALOGUE_MODERATORS = (Role.MODERATOR, Role.DIALOGUE_OFFICER)  # posts and proposals
CASE_MODERATORS = (Role.MODERATOR, Role.CONTACT_CENTRE)  # fault reports


@role_required(*MODERATORS)
@require_GET
def moderation(request: HttpRequest) -> HttpResponse:
    user = request.user
    may_posts = has_role(user, *DIALOGUE_MODERATORS)
    may_cases = has_role(user, *CASE_MODERATORS)
    may_assess = has_role(user, Role.DIALOGUE_OFFICER)
    return render(
        request,
        "staff/moderation.html",
        {
            "queue": selectors.moderation_queue(
                posts=may_posts, proposals=may_posts, cases=may_cases, assess=may_assess
            ),
            "may_posts": may_posts,
            "may_cases": may_cases,
            "may_assess": may_assess,
        },
    )


@role_required(*DIALOGUE_MODERATORS)
@require_POST
def moderate_post(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    from insyn.dialogue import services
    from insyn.dialogue.access import access_post

    post = access_post(request.user, pk, write=True)
    try:
        seen = ModerationSeenForm.seen_of(request.POST)
        if action == "dolj":
            services.post_hide(
                post=post, reason=request.POST.get("reason", ""), by=request.user, seen=seen
            )
            messages.success(request, _("Inlägget är dolt."))
        elif action == "godkann":
            services.post_approve(post=post, by=request.user, seen=seen)
            messages.success(request, _("Inlägget visas."))
        else:
            raise Http404
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("staff:moderation")


@role_required(*DIALOGUE_MODERATORS)
@require_POST
def moderate_proposal(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Let a resident's budget proposal through, or hide it with a reason (issue 12 finding 7)."""
    from insyn.dialogue import services
    from insyn.dialogue.access import access_proposal

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


@role_required(*CASE_MODERATORS)
@require_POST
def moderate_case(request: HttpRequest, number: str) -> HttpResponse:
    from insyn.feedback import selectors as feedback_selectors
    from insyn.feedback import services
    from insyn.feedback.models import PublicState

    case = feedback_selectors.case_for_staff(number)
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


@role_required(Role.ADMIN)
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    from insyn.core.models import OutgoingEmail

    emails = list(OutgoingEmail.objects.order_by("-created_at", "-pk")[:100])
    return render(request, "staff/outbox.html", {"emails": emails, "now": timezone.now()})


@role_required(*STAFF_ROLES)
def notice_settings(request: HttpRequest) -> HttpResponse:
    """Staff choose immediate, daily or weekly notices for what they follow, for their own
    address (the same choice a resident makes through the link in a notice)."""
    email = request.user.email
    form = NoticeFrequencyForm(
        request.POST or None,
        initial={"frequency": notices.frequency_of(email)} if email else None,
    )
    del form.fields["website"]  # signed-in staff: no honeypot
    if request.method == "POST" and form.is_valid():
        try:
            if not email:
                raise ServiceError(_("Ditt konto har ingen e-postadress. Be en administratör."))
            notices.set_frequency(email=email, frequency=form.cleaned_data["frequency"])
        except ServiceError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Ditt val är sparat."))
            return redirect("staff:notice_settings")
    return render(
        request,
        "staff/notice_settings.html",
        {"form": form, "email": email},
        status=400 if request.method == "POST" else 200,
    )
