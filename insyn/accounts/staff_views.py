"""The staff home (/personal/), the moderation queue and the demo outbox.

Thin views: the home and the moderation queue are gathered from the apps through
insyn.core.registry; the moderation actions are the apps' own views (registered staff URLs).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from insyn.accounts import selectors
from insyn.accounts.models import Role
from insyn.accounts.permissions import STAFF_ROLES, role_required
from insyn.core import notices, registry
from insyn.core.errors import ServiceError, add_to_form
from insyn.core.forms import NoticeFrequencyForm

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


@role_required(Role.MODERATOR, Role.DIALOGUE_OFFICER, Role.CONTACT_CENTRE)
@require_GET
def moderation(request: HttpRequest) -> HttpResponse:
    """Residents' contributions waiting for a moderator: each app shows only what the user may
    act on (insyn.core.registry.register_moderation)."""
    return render(
        request, "staff/moderation.html", {"panels": registry.moderation_panels(request.user)}
    )


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
